"""Files as kkdash meets them: written so that a reader never sees half of one (the last good sheet, link
results), and a path typed by a person told apart from what is no file to read (a folder, a device)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

THAI_WINDOWS = "cp874"  # Windows-874: TIS-620 and a few punctuation marks; what Thai Excel saves as "CSV"
# Why a file decode_thai_text refused cannot be read, for the responses file and the registry alike.
NOT_THAI_TEXT = ("ต้องเป็นไฟล์ CSV แบบ UTF-8 หรือแบบภาษาไทยของ Windows (TIS-620/Windows-874 ที่ Excel บันทึกเป็น CSV)"
                 " — ไฟล์นี้ไม่ใช่ทั้งสองแบบ")
_THAI_LETTER = re.compile("[ก-ฮ]")


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text to ``path`` via a temporary file in the same folder, flushed, then renamed over it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same folder as the target, so os.replace never crosses file systems.
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def path_kind(path: str | os.PathLike[str]) -> str:
    """"file", "missing", "other" (a folder, a device such as /dev/zero that never ends, a pipe) or
    "unusable" (a name too long, no permission to look): what a typed path points at, never raising."""
    try:
        target = Path(path)
        if target.is_file():
            return "file"
        return "other" if target.exists() else "missing"
    except (OSError, ValueError):
        return "unusable"


def decode_thai_text(data: bytes) -> tuple[str, bool]:
    """A text file's bytes -> (its text, whether it was Thai Windows rather than UTF-8); UnicodeError for neither.

    Not UTF-8, read as Windows-874, every byte must mean something and the text must hold Thai letters,
    which Latin-1, UTF-16 or a binary file never do (decoded this way they give no Thai letter or fail).
    """
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(THAI_WINDOWS)
    except UnicodeDecodeError:
        text = ""
    if not _THAI_LETTER.search(text):
        raise UnicodeError("neither UTF-8 nor Thai Windows text")
    return text, True

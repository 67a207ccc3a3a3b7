"""Files as kkdash meets them: written so that a reader never sees half of one (the last good sheet, link
results), and a path typed by a person told apart from what is no file to read (a folder, a device)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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

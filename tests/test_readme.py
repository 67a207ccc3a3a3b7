"""The README's command-line examples, run as a reader would run them, print what the README shows."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
GAP = "…"  # in an example's output: lines left out


def examples() -> list[tuple[str, list[str]]]:
    """Every `$ python -m kkdash …` line in the README's code blocks, with the output lines under it."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```\n(.*?)```", README, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ python -m kkdash "):
                found.append((line.removeprefix("$ "), []))
            elif found and line:
                found[-1][1].append(line)
    return found


EXAMPLES = examples()


def test_the_readme_has_an_example_of_every_command():
    assert sorted({shlex.split(command)[3] for command, _ in EXAMPLES}) == ["brief", "check", "export", "links", "log",
                                                                                "remind", "summary"]
    assert all(shown for _, shown in EXAMPLES)  # each shows something it prints


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_each_readme_example_prints_what_the_readme_shows(command, shown, tmp_path):
    # Run in a scratch folder (so `--out` files land there) on the demo data, as with nothing configured.
    env = {k: v for k, v in os.environ.items()
           if k not in ("KKDASH_SHEET_URL", "KKDASH_PUBLISHED_CSV_URL", "GOOGLE_APPLICATION_CREDENTIALS")}
    env |= {"KKDASH_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    args = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, *args, "--demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr  # `check` exits 1: the demo has rejected rows
    printed = (done.stdout or done.stderr).splitlines()
    head, _, tail = shown, None, []
    if GAP in shown:
        at = shown.index(GAP)
        head, tail = shown[:at], shown[at + 1:]
    assert printed[:len(head)] == head
    assert printed[len(printed) - len(tail):] == tail
    assert len(printed) >= len(head) + len(tail)

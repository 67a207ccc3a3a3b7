"""What the browser tests share: a `streamlit run` on a free loopback port and Debian's Chromium.

Everything waits on Streamlit's own signals: `/_stcore/health`, then the app's script state.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
READING = ".st-key-sidebar_reading"  # kkdash/app/frame.py: the sidebar's line while a sheet read is under way
SKELETON = "[data-testid='stSkeleton']"
SHEET_VARIABLES = ("KKDASH_SHEET_URL", "KKDASH_PUBLISHED_CSV_URL", "GOOGLE_APPLICATION_CREDENTIALS")

# On a developer's machine without Chromium the browser tests skip; in CI (CI=true) they must run.
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                    reason="Debian chromium is not installed (apt-get install chromium)")


def free_port() -> int:
    """A TCP port nothing listens on, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, *, limit: float = 90.0) -> None:
    """Poll Streamlit's health endpoint until it answers ok (bounded; fails at once if the server died)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                return
        time.sleep(0.1)  # a poll interval, not a wait for an outcome
    raise TimeoutError(f"{url} was not healthy within {limit:.0f} s")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log: Path, *, port: int | None = None,
                     options: Sequence[str] = ()) -> Iterator[str]:
    """`streamlit run app.py` on a loopback port with no sheet configured unless ``env`` says so; yields its URL.

    The test switch is on (KKDASH_ALLOW_LOOPBACK=1): the fake sheet's published CSV is plain http on 127.0.0.1.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", *options]
    clean = {k: v for k, v in os.environ.items() if k not in SHEET_VARIABLES}
    environment = {**clean, "KKDASH_ALLOW_LOOPBACK": "1", **env}
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (its own browser download is not used)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page, *, timeout: int = 60_000) -> None:
    """Until the script has finished, every element's code has loaded (no skeletons left), and a sheet
    read the page is watching has ended and the page shows its data (a click meanwhile could meet a rerun)."""
    page.wait_for_selector(IDLE, timeout=timeout)
    if page.locator(READING).count():
        page.wait_for_selector(READING, state="detached", timeout=timeout)
        page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(f"() => !document.querySelector({SKELETON!r})", timeout=timeout)


def screenshot(page, name: str) -> None:
    """Save a screenshot in screenshots/ (git-ignored) for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))

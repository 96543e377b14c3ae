"""A dashboard server on a free port and Debian's Chromium driven by Playwright (shared by the
end-to-end test and benchmarks/bench_dashboard.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Playwright's own browser download does not work here: use the system's (apt-get install chromium)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(timeout: float = 120.0) -> Iterator[str]:
    """`run.py dashboard` on a free port; yields its address, stops it on the way out."""
    port = free_port()
    log = open(os.devnull, "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"the dashboard server exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the dashboard did not answer on {url}")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def open_page(page, url: str) -> None:
    """Load the dashboard and wait until its kernels are built and the map is drawn."""
    page.goto(url)
    page.locator(".syria-month h2").wait_for(timeout=90_000)
    page.locator(".syria-map svg").wait_for(timeout=30_000)
    page.get_by_role("button", name="Step").and_(page.locator(":enabled")).wait_for(
        timeout=180_000)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(url: str, width: int = 1500, height: int = 1100):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        open_page(page, url)
        yield page

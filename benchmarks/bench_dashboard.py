#!/usr/bin/env python3
"""Dashboard latency: one Step plus the redraw, at default settings.

    .venv/bin/python benchmarks/bench_dashboard.py [--steps 40] [--screenshot docs/dashboard.png]

Server side: `solara.render` of the whole page, then clicking Step `--steps` times; each
click runs one model month and redraws every view (map, charts, network, events, why).
In the browser: `run.py dashboard` served, Debian's Chromium driven by Playwright; the time from
clicking Step until the month label shows the next month (server, websocket and browser
rendering included). Medians and 90th percentiles, in milliseconds, against the 250 ms target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests" / "dashboard"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

TARGET_MS = 250.0


def summary(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    median = statistics.median(ms)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(f"  {name:<34} median {median:6.1f} ms   p90 {p90:6.1f} ms   "
          f"median/target {median / TARGET_MS:.2f}")


def server_side(steps: int) -> list[float]:
    import ipyvuetify as v
    import solara

    import app
    from dashboard.model import DashboardModel

    model = solara.reactive(DashboardModel())

    @solara.component
    def Root():  # noqa: N802 (a Solara component)
        with solara.AppLayout():
            app.make_page(model)

    _, rc = solara.render(Root(), handle_error=False)
    button = rc.find(v.Btn, children=["Step"]).widget
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        button.click()
        times.append(time.perf_counter() - start)
    reset = rc.find(v.Btn, children=["Reset"]).widget
    start = time.perf_counter()
    reset.click()
    print(f"  Reset with unchanged settings: {1000 * (time.perf_counter() - start):.1f} ms")
    rc.close()
    return times


def in_browser(steps: int, screenshot: Path | None) -> list[float]:
    from browser import browser_page, dashboard_server

    times = []
    with dashboard_server() as url, browser_page(url) as page:
        label = page.locator(".syria-month h2")
        button = page.get_by_role("button", name="Step")
        for _ in range(steps):
            before = label.inner_text()
            start = time.perf_counter()
            button.click()
            page.wait_for_function(
                "before => document.querySelector('.syria-month h2').innerText !== before",
                arg=before, polling="raf", timeout=30_000)
            times.append(time.perf_counter() - start)
        if screenshot is not None:
            for _ in range(40):  # a few years into the war, for the picture
                button.click()
                page.wait_for_timeout(60)
            page.wait_for_timeout(500)
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"  screenshot: {screenshot}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    print(f"one Step plus redraw, {args.steps} steps of full_2011_2025 (target {TARGET_MS:.0f} ms)")
    summary("server side (solara.render)", server_side(args.steps))
    summary("in the browser (Chromium)", in_browser(args.steps, args.screenshot))
    return 0


if __name__ == "__main__":
    sys.exit(main())

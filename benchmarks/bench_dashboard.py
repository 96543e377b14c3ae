#!/usr/bin/env python3
"""Dashboard latency in Chromium: one Step plus the redraw, and an ensemble shown.

    .venv/bin/python benchmarks/bench_dashboard.py [--steps 40] [--ensembles 3]
        [--screenshot docs/dashboard.png]

`run.py dashboard` served, Debian's Chromium driven by Playwright (tests/dashboard/browser.py).
Step: the time from clicking Step until the month label shows the next month and the map has
been redrawn (server, websocket and browser rendering included), against a 150 ms target.
Ensemble: from clicking "Run ensemble" (20 seeds of the default scenario) until its charts are
on screen, against a 10 s target. Medians over the repetitions.
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

STEP_TARGET_MS = 150.0
ENSEMBLE_TARGET_S = 10.0

# the month label changed and the map redrawn since `before` (both read in the same frame)
REDRAWN = """([month, map]) => document.querySelector('.syria-month h2').innerText !== month
  && document.querySelector('.syria-map').innerHTML !== map"""


def summary(name: str, values: list[float], unit: str, target: float) -> None:
    ordered = sorted(values)
    median = statistics.median(ordered)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    print(f"  {name:<38} median {median:7.1f} {unit}   p90 {p90:7.1f} {unit}   "
          f"median/target {median / target:.2f}   ({len(values)} runs)")


def steps(page, count: int) -> list[float]:
    button = page.get_by_role("button", name="Step")
    times = []
    for _ in range(count):
        before = [page.locator(".syria-month h2").inner_text(),
                  page.locator(".syria-map").inner_html()]
        start = time.perf_counter()
        button.click()
        page.wait_for_function(REDRAWN, arg=before, polling="raf", timeout=30_000)
        times.append(1000 * (time.perf_counter() - start))
    return times


def ensembles(page, count: int) -> list[float]:
    page.get_by_role("button", name="Ensemble and what-if").click()
    times = []
    for _ in range(count):
        button = page.get_by_role("button", name="Run ensemble")
        button.and_(page.locator(":enabled")).wait_for(timeout=120_000)
        start = time.perf_counter()
        button.click()
        # the charts of this request (the page numbers its requests from 1) are drawn
        page.wait_for_function(
            """k => document.querySelector(`.syria-ensemble-done[data-request="${k}"]`)
                    && document.querySelectorAll('.syria-ensemble svg').length >= 3""",
            arg=len(times) + 1, polling="raf", timeout=120_000)
        times.append(time.perf_counter() - start)
    page.get_by_role("button", name="This run").click()
    page.locator(".syria-map svg").wait_for()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--ensembles", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    from browser import browser_page, dashboard_server

    print(f"dashboard in Chromium: Step + redraw (target {STEP_TARGET_MS:.0f} ms), "
          f"ensemble of 20 seeds shown (target {ENSEMBLE_TARGET_S:.0f} s)")
    with dashboard_server() as url, browser_page(url, width=1440, height=1000) as page:
        steps(page, 3)  # the first redraws warm the page up
        summary("Step + redraw", steps(page, args.steps), "ms", STEP_TARGET_MS)
        summary("ensemble of 20 seeds shown", ensembles(page, args.ensembles), "s",
                ENSEMBLE_TARGET_S)
        if args.screenshot is not None:
            # Russia weighing its air campaign, for the picture
            page.get_by_label("Jump to month (YYYY-MM)").fill("2015-08")
            page.get_by_role("button", name="Go").click()
            page.wait_for_function("() => (document.querySelector('.syria-month h2') || {})"
                                   ".innerText === '2015-08'", timeout=30_000)
            page.set_viewport_size({"width": 1440, "height": 1640})  # the page scrolls inside
            page.wait_for_timeout(800)
            page.screenshot(path=str(args.screenshot), full_page=True)
            print(f"  screenshot: {args.screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

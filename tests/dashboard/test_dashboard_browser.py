"""End to end: `run.py dashboard` served, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import CHROMIUM, browser_page, dashboard_server

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")


def month(page) -> str:
    return re.search(r"\d{4}-\d{2}", page.locator(".syria-month h2").inner_text()).group(0)


def test_step_and_play_advance_the_month_and_change_the_map(tmp_path):
    from playwright.sync_api import expect

    with dashboard_server() as url, browser_page(url) as page:
        assert page.locator(".syria-month h2").inner_text() == "2011-03 (start)"
        assert page.locator(".syria-map .governorate").count() == 14
        map_at_start = page.locator(".syria-map").inner_html()

        page.get_by_role("button", name="Step").click()
        expect(page.locator(".syria-month h2")).to_have_text("2011-03", timeout=15_000)

        page.get_by_role("button", name="▶").click()
        expect(page.locator(".syria-month h2")).not_to_have_text(
            re.compile(r"^2011-0[3-8]$"), timeout=30_000)
        page.get_by_role("button", name="❚❚").click()
        played_to = month(page)
        assert played_to > "2011-08"
        assert page.locator(".syria-map").inner_html() != map_at_start
        assert page.locator(".syria-events").inner_text() != "nothing yet"

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000

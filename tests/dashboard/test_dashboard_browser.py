"""End to end: `run.py dashboard` served, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium, dashboard_server, open_page

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")

MONTH = ".syria-month h2"


@pytest.fixture(scope="module")
def server():
    with dashboard_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_page(page, server)
    yield page
    context.close()


def step(page, times: int = 1) -> None:
    from playwright.sync_api import expect

    for _ in range(times):
        before = page.locator(MONTH).inner_text()
        # the enabled one: while the page re-renders under load a disabled copy of the button
        # can stand beside it for a moment (seen once, 2 December, as a strict-mode error)
        page.get_by_role("button", name="Step").and_(page.locator(":enabled")).click()
        expect(page.locator(MONTH)).not_to_have_text(before, timeout=15_000)


# points along each governorate's outline and the legend's items, and the element the browser
# finds on top at each of them
COVERED = """() => {
  const card = document.querySelector('.syria-map-card');
  const bad = [];
  const probe = (x, y, what) => {
    const top = document.elementFromPoint(x, y);
    if (!top || !card.contains(top)) bad.push(what + ' under ' + (top ? top.className : 'nothing'));
  };
  for (const path of card.querySelectorAll('path.outline')) {
    const ctm = path.getScreenCTM(), length = path.getTotalLength();
    for (let k = 0; k < 12; k++) {
      const p = path.getPointAtLength(length * k / 12);
      probe(ctm.a * p.x + ctm.c * p.y + ctm.e, ctm.b * p.x + ctm.d * p.y + ctm.f,
            path.parentElement.dataset.name);
    }
  }
  for (const item of card.querySelectorAll('.legend-item')) {
    const r = item.getBoundingClientRect();
    probe(r.left + 4, r.top + r.height / 2, 'legend ' + item.innerText);
    probe(r.right - 2, r.top + r.height / 2, 'legend ' + item.innerText);
  }
  return bad;
}"""


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_the_map_draws_fourteen_shapes_and_nothing_covers_it_or_its_legend(browser, server,
                                                                            width):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    try:
        open_page(page, server)
        assert page.locator(".syria-map .governorate").count() == 14
        assert page.locator(".syria-map path.outline").count() == 14
        step(page, 3)
        page.locator(".syria-map-card").scroll_into_view_if_needed()
        assert page.evaluate(COVERED) == []
        # the page is no wider than the window: nothing spills sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # and the probe does see a card laid over the map
        page.evaluate("""() => { const r = document.querySelector('.syria-map svg')
            .getBoundingClientRect(); const d = document.createElement('div');
            d.style.cssText = `position:fixed;left:${r.left}px;top:${r.top + r.height / 2}px;`
              + `width:${r.width}px;height:${r.height}px;background:#fff;z-index:99`;
            document.body.appendChild(d); }""")
        assert page.evaluate(COVERED)
    finally:
        context.close()


def test_on_a_phone_the_columns_stack(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        open_page(page, server)
        controls = page.locator(".syria-controls").bounding_box()
        status = page.locator(".syria-status").bounding_box()
        assert status["y"] >= controls["y"] + controls["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_step_and_jump_to_a_month(page):
    from playwright.sync_api import expect

    assert page.locator(MONTH).inner_text() == "2011-03 (start)"
    map_at_start = page.locator(".syria-map").inner_html()
    step(page)
    assert page.locator(MONTH).inner_text() == "2011-03"
    page.get_by_label("Jump to month (YYYY-MM)").fill("2016-12")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(MONTH)).to_have_text("2016-12", timeout=15_000)
    assert page.locator(".syria-map").inner_html() != map_at_start
    page.get_by_label("Jump to month (YYYY-MM)").fill("2013-01")
    page.get_by_role("button", name="Go").click()  # back: replayed from the start
    expect(page.locator(MONTH)).to_have_text("2013-01", timeout=15_000)


def test_play_runs_at_its_speed_and_pause_stops_it(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Play").click()
    expect(page.locator(MONTH)).to_have_text(re.compile(r"^2012-"), timeout=20_000)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(600)
    paused_at = page.locator(MONTH).inner_text()
    page.wait_for_timeout(1000)
    assert page.locator(MONTH).inner_text() == paused_at


def test_the_why_columns_add_up_to_the_utility(page):
    step(page, 30)
    rows = page.locator(".why-table tbody tr")
    assert rows.count() > 1
    for i in range(rows.count()):
        cells = [float(c) for c in rows.nth(i).locator("td.term").all_inner_texts()]
        utility = float(rows.nth(i).locator("td.utility").inner_text())
        assert len(cells) == 6
        assert sum(cells) == pytest.approx(utility, abs=0.0035)  # six cells rounded to 0.001
    shown = [float(u) for u in page.locator(".why-table td.utility").all_inner_texts()]
    assert shown == sorted(shown, reverse=True)
    assert page.locator(".why-table tr.chosen").count() == 1


def test_the_map_saves_as_png_and_the_series_as_csv(page, tmp_path):
    step(page, 2)
    with page.expect_download(timeout=20_000) as png:
        page.get_by_role("button", name="PNG: map.png").click()
    path = tmp_path / "map.png"
    png.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    with page.expect_download(timeout=20_000) as csv:
        page.get_by_role("button", name="Series (CSV)").click()
    text = Path(csv.value.path()).read_text()
    assert text.startswith("run,seed,step,date,variable,subject,value")
    assert "\n0,1,2,2011-04,control,regime," in text


def test_two_sessions_stay_independent(browser, server):
    first, second = (browser.new_context(viewport={"width": 1280, "height": 900})
                     for _ in range(2))
    try:
        a, b = first.new_page(), second.new_page()
        open_page(a, server)
        open_page(b, server)
        step(a, 4)
        assert a.locator(MONTH).inner_text() == "2011-06"
        b.reload()
        open_page(b, server)
        assert b.locator(MONTH).inner_text() == "2011-03 (start)"
        step(b)
        assert b.locator(MONTH).inner_text() == "2011-03"
        assert a.locator(MONTH).inner_text() == "2011-06"
    finally:
        first.close()
        second.close()


def test_the_ensemble_view_shows_fans_and_the_chance_of_a_fall(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Ensemble and what-if").click()
    page.get_by_role("button", name="Run ensemble").click()
    expect(page.locator(".syria-progress")).to_have_text(re.compile(r"^20 of 20 runs$"),
                                                         timeout=60_000)
    expect(page.locator(".syria-ensemble svg")).to_have_count(3, timeout=30_000)
    assert page.locator(".syria-ensemble .fan").count() > 5
    assert "fallen" in page.locator(".syria-ensemble").nth(2).inner_text()

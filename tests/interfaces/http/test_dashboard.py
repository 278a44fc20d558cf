"""The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium via Playwright).

The app is served by uvicorn on 127.0.0.1 (random port, in a thread). The test picks MYS and
USA, reads the leverage table, runs a preset scenario, previews and downloads the brief, checks
keyboard focus order and an error message; screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server: str) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        accept_downloads=True, base_url=live_server, viewport={"width": 1280, "height": 900}
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
    # Expected 4xx answers are logged by Chromium as failed resources; nothing else may fail.
    unexpected = [e for e in errors if "status of 4" not in e]
    assert not unexpected, unexpected


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _ready(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector("body[data-ready='true']")


def test_leverage_scenario_and_brief(page: Any, tmp_path: Path) -> None:
    _ready(page)
    assert page.title() == "tradelever dashboard"
    page.select_option("#dataset", "icio2022")
    page.select_option("#home", "MYS")
    page.select_option("#partner", "USA")
    page.select_option("#rival", "CHN")
    page.get_by_role("button", name="Show leverage").click()
    page.wait_for_selector("#leverage-rows tbody tr")

    caption = page.inner_text("#leverage-rows caption")
    assert "Where United States depends on Malaysia" in caption and "China" in caption
    headers = page.locator("#leverage-rows thead th").all_inner_texts()
    assert headers[:4] == ["code", "description", "partner cost of losing home", "home share"]
    rows = page.locator("#leverage-rows tbody tr")
    assert rows.count() == 20  # "Rows to show" default
    first = rows.first.locator("th").inner_text()
    assert first  # an ICIO industry code, e.g. C22
    # The chart draws the same top rows as bars, with an accessible name.
    assert page.locator("#chart-cost svg[role='img'] rect").count() == 10
    assert "cost of losing Malaysia" in page.inner_text("#chart-cost figcaption")
    assert page.locator("#chart-shares svg rect.s1").count() >= 10  # rival series
    assert "home=MYS" in page.url and "partner=USA" in page.url  # shareable URL
    _shot(page, "dashboard-leverage.png")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    csv_path = tmp_path / info.value.suggested_filename
    info.value.save_as(csv_path)
    assert info.value.suggested_filename == "leverage-MYS-USA-icio2022-2022.csv"
    lines = csv_path.read_text("utf-8").splitlines()
    assert lines[0].startswith("code,description,partner_cost_of_losing_home_usd")
    assert len(lines) == 1 + rows.count()

    # A preset scenario, with the home view (home = the form's home country).
    page.select_option("#scenario", "us-2025-08-07")
    page.wait_for_selector("#scenario-detail details")
    page.get_by_role("button", name="Run scenario").click()
    page.wait_for_selector("#scenario-result[data-done='true'] table")
    assert "Scenario us-2025-08-07" in page.inner_text("#scenario-result")
    assert "What it means for Malaysia" in page.inner_text("#scenario-result h3")
    home_view = page.inner_text("#scenario-result dl.summary >> nth=0")
    assert "total effect (US$)" in home_view and "US$" in home_view.split("total effect")[1]
    _shot(page, "dashboard-scenario.png")

    # Competitors settle first (A) against Malaysia settles too (B).
    page.select_option("#scenario", "us-2025-08-07-mys-no-deal")
    page.select_option("#scenario-b", "us-2025-08-07")
    page.get_by_role("button", name="Compare A and B for the home country").click()
    page.locator("#scenario-result caption", has_text="difference B − A").wait_for()
    assert "Compared us-2025-08-07-mys-no-deal and us-2025-08-07" in page.inner_text("#status")
    compare_headers = page.locator("#scenario-result thead th").all_inner_texts()
    assert "difference (US$)" in compare_headers

    # Brief: preview in a sandboxed frame, then downloads (HTML and PDF).
    page.get_by_role("button", name="Preview brief").click()
    frame = page.wait_for_selector("#brief-preview iframe")
    assert frame.get_attribute("sandbox") == ""
    brief_frame = frame.content_frame()
    brief_frame.wait_for_selector("h1")
    assert "Malaysia" in brief_frame.inner_text("h1")
    _shot(page, "dashboard-brief.png")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download brief").click()
    download = info.value
    assert download.suggested_filename == "brief-MYS-USA-CHN-icio2022-2022.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text("utf-8")
    assert "Malaysia" in text and "United States" in text

    page.select_option("#brief-format", "pdf")
    page.check("#brief-with-scenario")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download brief").click()
    pdf = tmp_path / "brief.pdf"
    info.value.save_as(pdf)
    assert info.value.suggested_filename.endswith(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    os.replace(pdf, ARTIFACTS / "dashboard-brief.pdf")


def test_keyboard_only(page: Any) -> None:
    _ready(page)
    # The skip link comes first, then the form fields in reading order, then the button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    expected = ["dataset", "year", "home", "partner", "rival", "level", "top", "run-leverage"]
    assert order == expected
    # Choose countries with the keyboard and submit with Enter.
    page.focus("#home")
    page.keyboard.type("Malaysia")
    page.focus("#partner")
    page.keyboard.type("United States")
    assert page.input_value("#home") == "MYS" and page.input_value("#partner") == "USA"
    page.focus("#run-leverage")
    page.keyboard.press("Enter")
    page.wait_for_selector("#leverage-rows tbody tr")
    # Every control has a label.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('select, input, textarea')]
              .filter(el => !el.labels || el.labels.length === 0).map(el => el.id)"""
    )
    assert unlabelled == []
    _shot(page, "dashboard-keyboard.png")


def test_error_names_the_field(page: Any) -> None:
    _ready(page)
    page.select_option("#home", "MYS")
    page.select_option("#partner", "MYS")
    page.get_by_role("button", name="Show leverage").click()
    status = page.locator("#status")
    status.filter(has_text="partner:").wait_for()
    assert status.get_attribute("role") == "alert"
    assert page.get_attribute("#partner", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "partner"
    _shot(page, "dashboard-error.png")


def test_product_data_set_and_level(page: Any) -> None:
    from playwright.sync_api import expect

    _ready(page)
    page.select_option("#dataset", "hand-hs17")
    # The country, year and level lists follow the data set.
    expect(page.locator("#home option")).to_have_count(4)
    assert page.locator("#year option").all_inner_texts() == ["2023", "2022"]
    levels = page.locator("#level option").evaluate_all("os => os.map(o => o.value)")
    assert levels == ["hs6", "hs4", "hs2", "group"]
    page.select_option("#home", "MYS")
    page.select_option("#partner", "USA")
    page.select_option("#rival", "CHN")
    page.select_option("#level", "hs4")
    page.get_by_role("button", name="Show leverage").click()
    page.wait_for_selector("#leverage-rows tbody tr")
    assert "hand-hs17, 2023, level hs4" in page.inner_text("#leverage-rows caption")
    row = page.locator("#leverage-rows tbody tr", has=page.locator("th", has_text="8542"))
    cells = row.locator("td").all_inner_texts()
    # tests/synthetic.py: USA imports 8542 for 140 (854231 100 + 854232 40), MYS 50 of it.
    assert "US$140" in cells and "35.7%" in cells

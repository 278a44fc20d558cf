"""The HTML brief in headless Chromium: no console errors, no requests, visible charts.

Playwright drives the operating system's Chromium (Debian's ``chromium`` package at
/usr/bin/chromium); ``playwright install`` is not needed. Skipped only when that browser is
absent (CI installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"
)


def test_html_opens_in_chromium_with_visible_charts(icio_brief_html, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "brief.html"
    page_file.write_text(icio_brief_html, encoding="utf-8")
    url = page_file.as_uri()
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="load")
            charts = page.query_selector_all("svg.chart")
            assert len(charts) >= 4
            for chart in charts:
                chart.scroll_into_view_if_needed()
                box = chart.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 150, box
                assert chart.is_visible()
                # Something is drawn inside: bars or points with a real size.
                drawn = chart.evaluate("e => e.getBBox().width * e.getBBox().height")
                assert drawn > 0
            assert page.title().startswith("Malaysia and the United States")
            assert page.locator("#sources").is_visible()
        finally:
            browser.close()
    assert problems == []
    assert requests == [url]  # nothing but the page itself is loaded

"""The dashboard at a laptop width (1280x800) and a phone width (390x844), in headless Chromium.

What a user would find clumsy, checked as properties: the page never scrolls sideways (wide
tables scroll inside their own region, with a sticky header row); years print as years; every
analysis form has labelled inputs, submits and renders; charts draw one mark per data point;
views whose endpoint the server lacks say so in a sentence. Screenshots of each width go to
tests/artifacts/ (gitignored) for people to look at.

The tariff timeline (/api/tariffs), "first in line" (/api/deals) and the scan (/api/scan)
come from other parts of the project. When this app does not have one of them yet, a
stand-in answering the documented JSON shape with synthetic rows is added to a separate app
for these tests; once the real route exists it is the one tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.interfaces.http.conftest import LiveServer
from tests.interfaces.http.test_dashboard import ARGS, ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}

# -- synthetic stand-ins for endpoints not yet in this app ---------------------------------
# Synthetic rates (not the schedule's): three exporters, five dates.
SYNTHETIC_TARIFFS = [
    {"date": d, "exporter": e, "effective_additional_rate": r, "baseline_rate_2024": 0.01}
    for d, rates in (
        ("2025-02-01", {"MYS": 0.0, "VNM": 0.0, "THA": 0.0}),
        ("2025-04-05", {"MYS": 0.10, "VNM": 0.10, "THA": 0.10}),
        ("2025-04-09", {"MYS": 0.24, "VNM": 0.46, "THA": 0.36}),
        ("2025-04-10", {"MYS": 0.10, "VNM": 0.10, "THA": 0.10}),
        ("2025-08-07", {"MYS": 0.19, "VNM": 0.20, "THA": 0.19}),
    )
    for e, r in rates.items()
]
SYNTHETIC_DEALS = [
    {"partner": p, "partner_name": n, "deal_date": d, "days": days, "rate": r}
    for p, n, d, days, r in (
        ("GBR", "United Kingdom", "2025-05-08", 36, 0.10),
        ("VNM", "Vietnam", "2025-07-02", 91, 0.20),
        ("MYS", "Malaysia", "2025-10-26", 207, 0.19),
        ("THA", "Thailand", "2025-10-26", 207, 0.19),
    )
]
# JavaScript run in the page: the data values of a chart's marks, the unlabelled controls.
VALUES = "marks => marks.map(m => Number(m.dataset.value))"
UNLABELLED = (
    "[...document.querySelectorAll('select, input, textarea')]"
    ".filter(e => !e.labels || !e.labels.length).map(e => e.id)"
)


def _add_stand_ins(app: Any) -> list[str]:
    """Add synthetic /api/tariffs, /api/deals, /api/scan where the app has none; their paths."""
    from fastapi import Query
    from fastapi.responses import JSONResponse

    have = set(app.openapi()["paths"])
    added = []
    synthetic = {"source": "synthetic test rows (not real figures)"}
    if "/api/tariffs" not in have:

        @app.get("/api/tariffs", summary="synthetic stand-in", response_model=None)
        def tariffs(
            exporters: str = Query("MYS", description="Exporters, ISO3, comma-separated."),
        ) -> Any:
            wanted = {e.strip().upper() for e in exporters.split(",")}
            rows = [r for r in SYNTHETIC_TARIFFS if r["exporter"] in wanted]
            return JSONResponse({"provenance": synthetic, "assumptions": [], "rows": rows})

        added.append("/api/tariffs")
    if "/api/deals" not in have:

        @app.get("/api/deals", summary="synthetic stand-in", response_model=None)
        def deals() -> Any:
            return JSONResponse(
                {"provenance": synthetic, "assumptions": [], "rows": SYNTHETIC_DEALS}
            )

        added.append("/api/deals")
    if "/api/scan" not in have:

        @app.get("/api/scan", summary="synthetic stand-in", response_model=None)
        def scan(
            home: str = Query(..., description="Home country, ISO3."),
            dataset: str = Query("icio2022", description="Data set."),
            top: int | None = Query(None, ge=0, description="Only the first N rows."),
        ) -> Any:
            rows = [
                {
                    "partner": partner,
                    "partner_name": name,
                    "code": code,
                    "description": f"synthetic product {code}",
                    "home_share_of_partner_imports": share,
                    "partner_imports_usd": imports,
                    "partner_cost_of_losing_home_usd": share * imports,
                    "top_supplier": top_supplier,
                    "top_supplier_share": max(share, 0.3),
                    "partner_import_hhi": 0.2,
                }
                for partner, name, code, share, imports, top_supplier in (
                    ("USA", "United States", "C26", 0.05, 9.0e10, "CHN"),
                    ("USA", "United States", "C22", 0.40, 6.0e9, home),
                    ("CHN", "China", "C26", 0.08, 3.1e11, "TWN"),
                    ("SGP", "Singapore", "C20", 0.55, 2.0e9, home),
                    ("JPN", "Japan", "C27", 0.02, 4.0e10, "CHN"),
                )
            ]
            body = {"home": home, "dataset": dataset, "provenance": synthetic, "assumptions": []}
            return JSONResponse({**body, "rows": rows[: top or None]})

        added.append("/api/scan")
    app.openapi_schema = None  # the schema is rebuilt with the new paths
    return added


@pytest.fixture(scope="module")
def views_server(http_data_dir: Path) -> Iterator[str]:
    """A second app on the test store, with stand-ins for the endpoints it lacks."""
    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1)
    _add_stand_ins(app)
    with LiveServer(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser: Any, base_url: str, size: str) -> tuple[Any, Any, list[str]]:
    width, height = SIZES[size]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status == 404 and "/api/" not in r.url
            else None
        ),
    )
    page.set_default_timeout(120_000)
    return context, page, problems


def _open(page: Any, query: str = "") -> None:
    page.goto(f"/{query}")
    page.wait_for_selector("body[data-ready='true']")


def _fits(page: Any) -> None:
    """No horizontal page overflow."""
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"page is {width} px wide in a {inner} px window"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _sticky_header_holds(page: Any, table: str) -> dict[str, Any]:
    """The table scrolls in its own region and its header row stays at the region's top."""
    info = page.evaluate(
        """(sel) => {
            const table = document.querySelector(sel);
            const region = table.closest('.table-scroll');
            const th = table.querySelector('thead th');
            region.scrollTop = 200;
            const out = {
              position: getComputedStyle(th).position,
              overflowX: getComputedStyle(region).overflowX,
              label: region.getAttribute('aria-labelledby'),
              caption: table.querySelector('caption').id,
              regionTop: region.getBoundingClientRect().top,
              headTop: th.getBoundingClientRect().top,
              scrolled: region.scrollTop,
              wider: region.scrollWidth > region.clientWidth,
              regionRight: region.getBoundingClientRect().right,
            };
            region.scrollTop = 0;
            return out;
        }""",
        table,
    )
    assert info["position"] == "sticky" and info["overflowX"] == "auto"
    assert info["label"] == info["caption"]  # the region is named by the table's caption
    if info["scrolled"] > 0:  # taller than its region: it scrolled inside, the header stayed
        assert abs(info["headTop"] - info["regionTop"]) <= 2, info
    assert info["regionRight"] <= page.evaluate("window.innerWidth")
    return info


# -- layout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
def test_leverage_fits_with_sticky_headers(browser: Any, live_server: str, size: str) -> None:
    context, page, problems = _page(browser, live_server, size)
    _open(page, "?home=MYS&partner=USA&rival=CHN&top=60")
    page.wait_for_selector("#leverage-rows tbody tr")
    page.wait_for_selector("#chart-cost svg rect.point")
    _fits(page)
    info = _sticky_header_holds(page, "#leverage-rows")
    assert info["scrolled"] > 0  # sixty rows are taller than the region: they scroll inside it
    if size == "phone":
        assert info["wider"]  # eleven columns do not fit in 390 px: the table scrolls sideways
    # The charts are drawn at their width: no SVG wider than the window.
    widths = page.locator("figure.chart svg").evaluate_all(
        "svgs => svgs.map(s => s.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= SIZES[size][0]
    # The ten bars carry the ten largest costs of the table, in order.
    bars = page.locator("#chart-cost svg rect.point").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.value))"
    )
    assert bars == sorted(bars, reverse=True) and len(bars) == 10
    # Years print as years, never "2,022".
    # With no data set named each answer reads its default; the answer names it.
    assert "census-us-2024" in page.inner_text("#leverage-table caption")
    page.select_option("#dataset", "census-us-2024")
    page.wait_for_selector("#year option[value='2024']", state="attached")
    years = page.locator("#year option").all_inner_texts()
    assert years and all("," not in y and len(y) == 4 for y in years)
    _shot(page, f"dashboard-{size}-leverage.png")
    context.close()
    assert not problems, problems


def test_formats_from_the_label_registry(browser: Any, live_server: str) -> None:
    context, page, problems = _page(browser, live_server, "laptop")
    _open(page)
    out = page.evaluate(
        """async () => {
            const f = await import('/static/format.js');
            return {
              year: f.formatterFor('year')(2024),
              trend: f.formatterFor('trend_base_year')(2024),
              otherYear: f.formatterFor('deal_year')(2024),
              share: f.formatterFor('home_share_of_partner_imports')(0.0231),
              unknownShare: f.formatterFor('synthetic_share')(0.25),
              rate: f.formatterFor('effective_additional_rate')(0.19),
              fourDigits: f.formatterFor('partner_output_loss_share')(0.0000123),
              tiny: f.formatterFor('synthetic_share')(0.0000123),
              usd: f.formatterFor('partner_imports_usd')(-2.47e9),
              count: f.formatterFor('positions')(3537),
              header: f.headerFor('home_share_of_partner_imports'),
            };
        }"""
    )
    context.close()
    assert out["year"] == out["trend"] == out["otherYear"] == "2024"
    assert out["share"] == "2.3%" and out["unknownShare"] == "25.0%" and out["rate"] == "19.0%"
    assert out["fourDigits"] == "0.0012%"  # the registry's 4 digits
    assert out["tiny"] == "0.0012%"  # not "0.0%": two significant digits below the 1 shown
    assert out["usd"] == "−US$2.47 bn" and out["count"] == "3,537"
    assert out["header"] == "home share"  # the registry's short header
    assert not problems, problems


# -- every analysis -------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
def test_every_analysis_has_inputs_and_renders(browser: Any, live_server: str, size: str) -> None:
    context, page, problems = _page(browser, live_server, size)
    _open(page, "?home=MYS&partner=USA&rival=CHN")
    schema = page.evaluate("fetch('/openapi.json').then(r => r.json())")
    shared = {"dataset", "year", "home", "partner", "rival", "level", "top"}
    analyses = page.locator("#analysis option").evaluate_all("os => os.map(o => o.value)")
    assert {"/api/formula", "/api/peers", "/api/substitutes"} <= set(analyses)
    for path in analyses:
        page.select_option("#analysis", path)
        declared = {p["name"] for p in schema["paths"][path]["get"]["parameters"]} - shared
        shown = set(
            page.locator("#analysis-options [data-param]").evaluate_all("es => es.map(e => e.name)")
        )
        assert shown == declared, path  # one labelled input per option of the analysis
        page.click("#run-analysis")
        page.wait_for_selector("#analysis-result[data-done='true']")
        assert page.locator("#analysis-result table tbody tr").count() > 0, path
        _fits(page)
    # Every control has a label (the generated ones included).
    unlabelled = page.evaluate(UNLABELLED)
    assert unlabelled == []
    context.close()
    assert not problems, problems


def test_formula_inputs(browser: Any, live_server: str) -> None:
    context, page, problems = _page(browser, live_server, "phone")
    _open(page, "?home=MYS&partner=USA")
    page.select_option("#analysis", "/api/formula")
    page.fill("#opt-target_rate", "0.15")
    assert page.inner_text("#opt-target_rate-echo") == "= 15.0%"
    page.fill("#opt-imports", "52500000000")
    assert page.inner_text("#opt-imports-echo") == "= US$52.50 bn"
    page.fill("#opt-exports", "20000000000")
    page.keyboard.press("Enter")  # the analysis form submits with Enter
    page.wait_for_selector("#analysis-result[data-done='true']")
    summary = page.inner_text("#analysis-result dl.summary")
    # rate = max(10%, (m - x) / (2 m)) = (52.5 - 20) / 105 = 31.0%
    assert "31.0%" in summary and "15.0%" in summary
    bars = page.locator("#chart-analysis rect.point").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.value))"
    )
    assert pytest.approx(32.5 / 105) in bars and 0.15 in bars
    # A rate of 1 or more is refused by the server, and the field is pointed at.
    page.fill("#opt-target_rate", "1.5")
    page.click("#run-analysis")
    page.locator("#status", has_text="target_rate").wait_for()
    assert page.get_attribute("#opt-target_rate", "aria-invalid") == "true"
    _fits(page)
    _shot(page, "dashboard-phone-formula.png")
    context.close()
    assert not [p for p in problems if "/api/" not in p], problems


# -- scenarios ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
def test_scenario_charts(browser: Any, live_server: str, size: str) -> None:
    context, page, problems = _page(browser, live_server, size)
    _open(page, "?home=MYS&partner=USA")
    page.select_option("#scenario", "us-2025-08-07")
    with page.expect_response(lambda r: "/api/scenarios/run" in r.url) as answer:
        page.click("#run-scenario")
    result = answer.value.json()
    page.wait_for_selector("#scenario-result[data-done='true'] #chart-scenario-home svg")
    home_rows = result["home_summary"]["rows"]
    largest = sorted(home_rows, key=lambda r: abs(r["total_effect_usd"]), reverse=True)[:10]
    bars = page.locator("#chart-scenario-home rect.point").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.value))"
    )
    assert bars == pytest.approx([r["total_effect_usd"] for r in largest])
    exporters = page.locator("#chart-scenario-exporters rect.point").count()
    assert exporters == min(10, len(result["exporters"]))
    _fits(page)
    _shot(page, f"dashboard-{size}-scenario.png")
    page.select_option("#scenario", "us-2025-08-07-mys-no-deal")
    page.select_option("#scenario-b", "us-2025-08-07")
    with page.expect_response(lambda r: "/api/scenarios/compare" in r.url) as answer:
        page.click("#compare-scenarios")
    compared = answer.value.json()
    page.wait_for_selector("#scenario-result[data-done='true'] #chart-compare svg")
    n = min(10, len(compared["rows"]))
    assert page.locator("#chart-compare rect.point.s0").count() == n  # A
    assert page.locator("#chart-compare rect.point.s1").count() == n  # B
    assert page.locator("#chart-compare-difference rect.point").count() == n
    _fits(page)
    context.close()
    assert not problems, problems


# -- tariffs over time, first in line, scan ---------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
def test_tariff_deal_and_scan_views(browser: Any, views_server: str, size: str) -> None:
    context, page, problems = _page(browser, views_server, size)
    _open(page, "?home=MYS&partner=USA")
    exporters = page.input_value("#tariffs-exporters")
    assert exporters.split(",")[0] == "MYS"  # home first, then its peers

    page.fill("#tariffs-exporters", "MYS,VNM,THA")
    with page.expect_response(lambda r: "/api/tariffs" in r.url) as answer:
        page.click("#run-tariffs")
    rows = answer.value.json()["rows"]
    page.wait_for_selector("#tariffs-result[data-done='true'] #chart-tariffs svg")
    points = page.locator("#chart-tariffs circle.point")
    drawn = [r for r in rows if r.get("effective_additional_rate") is not None]
    assert points.count() == len(drawn) > 0
    # One line per exporter, home first (drawn thicker).
    assert page.locator("#chart-tariffs path.line").count() == len({r["exporter"] for r in drawn})
    assert page.locator("#chart-tariffs path.line.emphasis").count() == 1
    values = sorted(points.evaluate_all(VALUES))
    assert values == pytest.approx(sorted(r["effective_additional_rate"] for r in drawn))
    _sticky_header_holds(page, "#tariffs-rows")
    _fits(page)

    with page.expect_response(lambda r: "/api/deals" in r.url) as answer:
        page.click("#run-deals")
    body = answer.value.json()
    rows = body if isinstance(body, list) else body["rows"]
    rate = next(f for f in ("rate_obtained", "rate") if any(f in r for r in rows))
    deals = [r for r in rows if r.get(rate) is not None and r.get("deal_date")]
    page.wait_for_selector("#deals-result[data-done='true'] #chart-deals svg")
    assert page.locator("#chart-deals circle.point").count() == len(deals) > 0
    # Partners at the same point share one label ("MYS, THA", not two on top of each other).
    labels = page.locator("#chart-deals text.point-label").all_text_contents()
    assert sum(len(t.split(", ")) for t in labels) == len(deals)
    _fits(page)

    page.fill("#scan-top", "100")
    with page.expect_response(lambda r: "/api/scan" in r.url) as answer:
        page.click("#run-scan")
    scan = answer.value.json()["rows"]
    page.wait_for_selector("#scan-result[data-done='true'] #chart-scan-map svg")
    assert page.locator("#chart-scan-map circle.point").count() == len(scan) > 0
    partners = {r["partner"] for r in scan}
    assert page.locator("#chart-scan-partners rect.point").count() == min(12, len(partners))
    _fits(page)
    _shot(page, f"dashboard-{size}-views.png")
    context.close()
    assert not problems, problems


def test_missing_endpoints_are_said_in_a_sentence(browser: Any, live_server: str) -> None:
    context, page, problems = _page(browser, live_server, "phone")

    def without_views(route: Any) -> None:
        response = route.fetch()
        schema = response.json()
        for path in ("/api/tariffs", "/api/deals", "/api/deals/first-in-line", "/api/scan"):
            schema["paths"].pop(path, None)
        route.fulfill(response=response, json=schema)

    page.route("**/openapi.json", without_views)
    _open(page)
    for view, path in (("tariffs", "/api/tariffs"), ("deals", "/api/deals"), ("scan", "/api/scan")):
        note = page.locator(f"#{view} .unavailable")
        assert note.is_visible()
        assert f"this server has no {path} endpoint" in note.inner_text()
        assert not page.locator(f"#{view} .view-body").is_visible()
    _fits(page)
    context.close()
    assert not problems, problems


def test_no_favicon_404(client: Any) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in answer.content
    page = client.get("/").text
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/static/favicon.svg").status_code == 200


def test_no_literal_default_data_set_in_the_scripts() -> None:
    # The default data set is the server's (its schema); the scripts never name one.
    from tradelever.interfaces.http.app import STATIC_DIR

    markup = re.compile(r"\.(inner|outer)HTML\s*[+]?=|insertAdjacentHTML|document\.write")
    for script in STATIC_DIR.glob("*.js"):
        text = script.read_text("utf-8")
        assert "icio2022" not in text, script.name
        assert not markup.search(text), script.name  # data never parsed as markup

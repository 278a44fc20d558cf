"""UN Comtrade client against a local server serving documented (synthetic) responses."""

from __future__ import annotations

import math

import pytest

from tests import httpserver
from tests.httpserver import LocalServer, Recorded, Reply, SleepRecorder
from tests.sources.comtrade_fixtures import envelope, record
from tradelever.errors import EmptyResultError, FetchError, InputError
from tradelever.sources import comtrade
from tradelever.sources.comtrade import ComtradeQuery, comtrade_code, fetch_comtrade
from tradelever.sources.http import HttpClient

PREVIEW = "/public/v1/preview/C/A/HS"

local_server = httpserver.local_server  # the local HTTP server fixture


@pytest.fixture
def http(tmp_path):
    sleep = SleepRecorder()
    client = HttpClient(cache_dir=tmp_path / "cache", sleep=sleep, timeout=5)
    client.recorded_sleep = sleep  # type: ignore[attr-defined]
    yield client
    client.close()


def us_imports_2023() -> list[dict]:
    """Synthetic: US imports of 8542 = 1000 (MYS 400, CHN 300, Taiwan 200, areas nes 100)."""
    return [
        record(842, 0, "8542", 1000.0),
        record(842, 458, "8542", 400.0, net_wgt=2500.0),
        record(842, 458, "8542", 999.0, mot=1000),  # a transport-mode breakdown row: dropped
        record(842, 156, "8542", 300.0),
        record(842, 490, "8542", 200.0, net_wgt=0.0),
        record(842, 899, "8542", 100.0),
        record(842, 0, "4015", 50.0),
        record(842, 458, "4015", 50.0, net_wgt=10_000.0),
    ]


# -- validation (no request is made) -------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"periods": "202301"}, "--years", "freq is A"),
        ({"periods": "23"}, "--years", "YYYY"),
        ({"reporters": "XYZ"}, "--reporter", "not an ISO3 country known to UN Comtrade"),
        ({"flow": "Z"}, "--flow", "'M' or 'X'"),
        ({"hs": "8542,854231"}, "--hs", "mix levels"),
        ({"hs": "854"}, "--hs", "2, 4 or 6 digits"),
        ({"partners": "WLD"}, "--partner", "World"),
        ({"classification": "H9"}, "--classification", "HS revision"),
    ],
)
def test_invalid_parameters_raise_before_any_request(kwargs, field, text) -> None:
    base = {"reporters": "USA", "hs": "8542", "periods": "2023"}
    with pytest.raises(InputError) as err:
        ComtradeQuery.build(**{**base, **kwargs})
    assert field in str(err.value)
    assert text in str(err.value)


def test_comtrade_codes_are_not_m49() -> None:
    assert comtrade_code("USA") == 842
    assert comtrade_code("fra") == 251
    assert comtrade_code("IND") == 699
    assert comtrade_code("ITA") == 380
    assert comtrade_code("TWN") == 490
    codes = comtrade.area_iso3()
    assert codes[381] == "ITA"  # older Italy code still maps
    assert codes[842] == "USA"
    assert 0 not in codes  # World is not a country


def test_monthly_periods_expand_to_months() -> None:
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2023,202402", freq="M")
    assert q.api_periods() == [[f"2023{m:02d}" for m in range(1, 13)], ["202402"]]
    assert q.default_name() == "comtrade-usa-m-2023-2024-monthly"


# -- fetching and conversion ---------------------------------------------------------------
def test_us_imports_convert_to_canonical_flows(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, envelope(us_imports_2023())))
    query = ComtradeQuery.build(reporters="USA", hs="8542,4015", periods="2023", flow="M")
    fetched = fetch_comtrade(query, client=http, api_key="", base=local_server.url)
    flows = fetched.flows.set_index(["exporter", "product"])
    # reporter = USA, flow M: exporter = partner, importer = USA
    assert set(fetched.flows["importer"]) == {"USA"}
    assert flows.loc[("MYS", "8542"), "value_usd"] == 400.0
    assert flows.loc[("MYS", "8542"), "quantity"] == 2.5  # 2,500 kg -> 2.5 t
    assert math.isnan(flows.loc[("CHN", "8542"), "quantity"])  # netWgt null
    assert math.isnan(flows.loc[("TWN", "8542"), "quantity"])  # netWgt 0 = not given
    assert flows.loc[("TWN", "8542"), "value_usd"] == 200.0  # 490 "Other Asia, nes"
    assert flows.loc[("CT899", "8542"), "value_usd"] == 100.0  # areas nes kept
    assert flows.loc[("MYS", "4015"), "quantity"] == 10.0
    assert "W00" not in set(fetched.flows["exporter"]) and len(fetched.flows) == 5
    assert set(fetched.flows["classification"]) == {"HS22"}  # H6
    assert fetched.flows["year"].tolist() == [2023] * 5
    # the World rows check the partner rows: 400 + 300 + 200 + 100 = 1000
    assert fetched.report["totals_check"] == {"checked": 2, "mismatches": []}
    assert fetched.report["unmapped_partners"] == [
        {"code": "899", "name": "Areas, nes", "kept_as": "CT899", "value_usd": 100.0}
    ]
    products = fetched.products.set_index("code")
    assert products.loc["8542", "description"] == "Electronic integrated circuits"
    assert products.loc["8542", "level"] == "hs4"
    # what was asked, exactly
    hit = local_server.hits(PREVIEW)[0]
    assert hit.query["reporterCode"] == "842"
    assert hit.query["period"] == "2023"
    assert hit.query["flowCode"] == "M"
    assert hit.query["cmdCode"] == "8542"  # one code per call: all partners x 2 codes > 500
    assert hit.query["partner2Code"] == "0" and hit.query["motCode"] == "0"
    assert hit.query["customsCode"] == "C00"
    assert "partnerCode" not in hit.query
    m = fetched.manifest
    assert m["licence"].startswith("UN Comtrade terms of use")
    assert m["endpoint"] == local_server.url + PREVIEW
    assert m["query"]["reporters"] == ["USA"]
    assert m["retrieved_at"]
    assert any("no mirror data" in a for a in m["assumptions"])
    assert m["classification"] == "HS22" and m["level"] == "hs4"


def test_exports_put_reporter_as_exporter(local_server: LocalServer, http) -> None:
    data = [record(842, 458, "8542", 70.0, flow="X"), record(842, 0, "8542", 70.0, flow="X")]
    local_server.route(PREVIEW, Reply(200, envelope(data)))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023", flow="X")
    fetched = fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    row = fetched.flows.iloc[0]
    assert (row["exporter"], row["importer"], row["value_usd"]) == ("USA", "MYS", 70.0)
    assert local_server.hits(PREVIEW)[0].query["partnerCode"] == "458"


def test_cap_hit_splits_the_chunk_so_nothing_is_truncated(local_server: LocalServer, http) -> None:
    def respond(req: Recorded) -> Reply:
        codes = req.query["cmdCode"].split(",")
        if len(codes) > 1:  # pretend the combined answer reached the 500-record cap
            return Reply(200, envelope([record(842, 458, c, 1.0) for c in codes], count=500))
        return Reply(200, envelope([record(842, 458, codes[0], 10.0)]))

    local_server.route(PREVIEW, respond)
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542,4015", periods="2023")
    fetched = fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    asked = [h.query["cmdCode"] for h in local_server.hits(PREVIEW)]
    assert asked == ["8542,4015", "8542", "4015"]
    assert sorted(fetched.flows["value_usd"]) == [10.0, 10.0]


def test_cap_on_a_single_code_raises(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, envelope([record(842, 458, "8542", 1.0)], count=500)))
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2023")
    with pytest.raises(FetchError, match="500-record cap"):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)


def test_key_uses_the_full_api_and_a_header(local_server: LocalServer, http) -> None:
    local_server.route("/data/v1/get/C/A/HS", Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", hs="8542,4015", periods="2023")
    fetched = fetch_comtrade(q, client=http, api_key="SECRETKEY", base=local_server.url)
    hits = local_server.hits("/data/v1/get/C/A/HS")
    assert len(hits) == 1  # 250,000-record cap: both codes in one call
    assert hits[0].headers["ocp-apim-subscription-key"] == "SECRETKEY"
    assert "SECRETKEY" not in str(hits[0].query)
    assert hits[0].query["maxRecords"] == "250000"
    assert "SECRETKEY" not in str(fetched.manifest)


def test_401_with_a_key_says_which_key(local_server: LocalServer, http) -> None:
    local_server.route(
        "/data/v1/get/C/A/HS", Reply(401, {"statusCode": 401, "message": "Access denied"})
    )
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2023")
    with pytest.raises(FetchError, match="COMTRADE_API_KEY") as err:
        fetch_comtrade(q, client=http, api_key="BAD", base=local_server.url)
    assert err.value.status == 401


def test_429_is_retried_after_the_advertised_wait(local_server: LocalServer, http) -> None:
    local_server.route(
        PREVIEW,
        Reply(
            429, {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}
        ),
        Reply(200, envelope(us_imports_2023())),
    )
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert http.recorded_sleep.waits == [2.0]


def test_empty_result_is_explained(local_server: LocalServer, http) -> None:
    local_server.route(
        PREVIEW, Reply(200, {"elapsedTime": "0.09 secs", "count": 0, "data": [], "error": ""})
    )
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2025")
    with pytest.raises(EmptyResultError) as err:
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    text = str(err.value)
    assert "no records" in text and "2025" in text and "not yet reported" in text


def test_error_field_is_raised(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, envelope([], error="Invalid parameter: cmdCode")))
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2023")
    with pytest.raises(FetchError, match="Invalid parameter: cmdCode"):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)


def test_responses_are_cached(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    second = fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert len(local_server.hits(PREVIEW)) == 1
    assert second.report["cached_responses"] == 1
    fetch_comtrade(q, client=http, api_key="", base=local_server.url, refresh=True)
    assert len(local_server.hits(PREVIEW)) == 2


def test_fetch_stores_a_dataset(local_server: LocalServer, tmp_path, monkeypatch) -> None:
    from tradelever import api
    from tradelever.store import Store

    local_server.route(PREVIEW, Reply(200, envelope(us_imports_2023())))
    monkeypatch.setenv("TRADELEVER_COMTRADE_URL", local_server.url)
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    result = api.fetch_comtrade("USA", hs="8542,4015", years=2023, data_dir=tmp_path / "store")
    assert result.name == "comtrade-usa-m-2023"
    store = Store(tmp_path / "store")
    manifest = store.manifest("comtrade-usa-m-2023")
    assert manifest["rows"] == 5 and manifest["years"] == [2023]
    for key in ("source", "endpoint", "query", "retrieved_at", "licence"):
        assert manifest[key]
    flows = store.table("comtrade-usa-m-2023", "flows").to_pandas()
    assert flows["value_usd"].sum() == 1050.0
    assert set(flows["dataset"]) == {"comtrade-usa-m-2023"}
    products = store.table("comtrade-usa-m-2023", "products").to_pandas()
    assert set(products["code"]) == {"8542", "4015"}
    assert (tmp_path / "store" / "cache" / "http").is_dir()


def test_monthly_records_keep_their_period(local_server: LocalServer, tmp_path) -> None:
    def respond(req: Recorded) -> Reply:
        months = req.query["period"].split(",")
        data = [record(842, 458, "8542", 10.0 * int(m[4:]), period=m) for m in months[:2]]
        return Reply(200, envelope(data))

    local_server.route("/public/v1/preview/C/M/HS", respond)
    with HttpClient(cache_dir=None, timeout=5) as client:
        q = ComtradeQuery.build(
            reporters="USA", partners="MYS", hs="8542", periods="2023", freq="M"
        )
        fetched = fetch_comtrade(q, client=client, api_key="", base=local_server.url)
    assert local_server.hits("/public/v1/preview/C/M/HS")[0].query["period"] == ",".join(
        f"2023{m:02d}" for m in range(1, 13)
    )
    assert fetched.flows["period"].tolist() == ["202301", "202302"]
    assert fetched.flows["value_usd"].tolist() == [10.0, 20.0]
    assert any(
        "sums of the months fetched (202301, 202302)" in a for a in fetched.manifest["assumptions"]
    )


def test_world_only_answer_is_explained(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, envelope([record(842, 0, "8542", 5.0)])))
    q = ComtradeQuery.build(reporters="USA", hs="8542", periods="2023")
    with pytest.raises(EmptyResultError, match="only World or aggregate rows"):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)


def test_a_year_without_data_is_named_in_the_assumptions(local_server: LocalServer, http) -> None:
    def respond(req: Recorded) -> Reply:
        if req.query["period"] == "2024":
            return Reply(200, envelope([]))
        return Reply(200, envelope([record(842, 458, "8542", 1.0)]))

    local_server.route(PREVIEW, respond)
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023,2024")
    fetched = fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert fetched.report["empty_chunks"] == ["reporter USA, period 2024, HS 8542"]
    assert any(
        "no records for: reporter USA, period 2024" in a for a in fetched.manifest["assumptions"]
    )


def test_rerun_after_a_failure_asks_only_for_missing_chunks(
    local_server: LocalServer, tmp_path
) -> None:
    state = {"fail_2024": True}

    def respond(req: Recorded) -> Reply:
        if req.query["period"] == "2024" and state["fail_2024"]:
            return Reply(500, "internal error")
        return Reply(200, envelope([record(842, 458, "8542", 1.0, period=req.query["period"])]))

    local_server.route(PREVIEW, respond)
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023,2024")
    with HttpClient(cache_dir=tmp_path / "c", sleep=SleepRecorder(), max_retries=1) as client:
        with pytest.raises(FetchError) as err:
            fetch_comtrade(q, client=client, api_key="", base=local_server.url)
        assert err.value.status == 500
        state["fail_2024"] = False
        fetched = fetch_comtrade(q, client=client, api_key="", base=local_server.url)
    periods = [h.query["period"] for h in local_server.hits(PREVIEW)]
    assert periods == ["2023", "2024", "2024", "2024"]  # 2023 once; 2024 failed twice, then ok
    assert fetched.report["cached_responses"] == 1
    assert sorted(fetched.flows["year"].tolist()) == [2023, 2024]


# -- hostile answers and secrets (issue 13) ---------------------------------------------------
other_server = httpserver.other_server  # another host (127.0.0.2)
FULL = "/data/v1/get/C/A/HS"
KEY = "COMTRADE-SECRET-5b1e"  # a made-up key


def test_the_key_is_not_forwarded_when_the_api_redirects_elsewhere(
    local_server: LocalServer, other_server: LocalServer, http
) -> None:
    local_server.route(FULL, Reply(307, headers={"Location": f"{other_server.url}{FULL}"}))
    other_server.route(FULL, Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", hs="8542,4015", periods="2023")
    fetched = fetch_comtrade(q, client=http, api_key=KEY, base=local_server.url)
    assert fetched.rows == 5
    assert local_server.hits(FULL)[0].headers["ocp-apim-subscription-key"] == KEY
    assert "ocp-apim-subscription-key" not in other_server.hits(FULL)[0].headers


def test_a_maintenance_page_is_not_cached(local_server: LocalServer, http) -> None:
    page = "<html><title>UN Comtrade</title>Down for maintenance</html>"
    local_server.route(PREVIEW, Reply(200, page), Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    with pytest.raises(FetchError, match=r"not valid JSON.*Down for maintenance"):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    fetched = fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert fetched.report["cached_responses"] == 0 and fetched.rows > 0
    assert len(local_server.hits(PREVIEW)) == 2


def test_a_record_that_does_not_convert_is_not_cached(local_server: LocalServer, http) -> None:
    broken = envelope([record(842, 458, "8542", 1.0), {**record(842, 156, "8542", 2.0),
                                                       "primaryValue": "n/a"}])  # fmt: skip
    local_server.route(PREVIEW, Reply(200, broken), Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    with pytest.raises(FetchError, match="field 'primaryValue' is 'n/a'") as err:
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert str(err.value).startswith(f"{local_server.url}{PREVIEW}?")
    assert fetch_comtrade(q, client=http, api_key="", base=local_server.url).rows > 0


def test_an_empty_answer_is_not_cached(local_server: LocalServer, http) -> None:
    """A reporter may publish a period later: an empty answer must not stick for 30 days."""
    local_server.route(PREVIEW, Reply(200, envelope([])), Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    with pytest.raises(EmptyResultError):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)
    assert fetch_comtrade(q, client=http, api_key="", base=local_server.url).rows > 0


def test_a_bad_cached_answer_names_the_cache_and_refresh(local_server: LocalServer, http) -> None:
    local_server.route(PREVIEW, Reply(200, {"unexpected": "shape"}))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    params = comtrade._params(q, comtrade._plan(q, comtrade.PREVIEW_CAP)[0], comtrade.PREVIEW_CAP)
    http.get(f"{local_server.url}{PREVIEW}", params, validate=lambda r: r.content)  # poisoned
    with pytest.raises(FetchError, match=r"no 'data' field.*response cache.*--refresh"):
        fetch_comtrade(q, client=http, api_key="", base=local_server.url)


def test_the_library_reads_no_key_from_the_environment(
    local_server: LocalServer, http, monkeypatch
) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    local_server.route(PREVIEW, Reply(200, envelope(us_imports_2023())))
    q = ComtradeQuery.build(reporters="USA", partners="MYS", hs="8542", periods="2023")
    fetch_comtrade(q, client=http, base=local_server.url)
    assert len(local_server.hits(PREVIEW)) == 1 and not local_server.hits(FULL)

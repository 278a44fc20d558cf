"""US Census trade API client against a local server serving documented (synthetic) responses."""

from __future__ import annotations

import shutil

import pytest

from tests import httpserver
from tests.httpserver import LocalServer, Recorded, Reply, SleepRecorder
from tests.sources import census_fixtures as cf
from tradelever.errors import DataFileError, EmptyResultError, FetchError, InputError
from tradelever.sources import census
from tradelever.sources.census import CensusQuery, fetch_census
from tradelever.sources.http import HttpClient

IMPORTS = "/data/timeseries/intltrade/imports/hs"
EXPORTS = "/data/timeseries/intltrade/exports/hs"

local_server = httpserver.local_server  # the local HTTP server fixture


@pytest.fixture
def http(tmp_path):
    client = HttpClient(cache_dir=tmp_path / "cache", sleep=SleepRecorder(), timeout=5)
    yield client
    client.close()


def by_commodity(req: Recorded) -> Reply:
    body = {"8542*": cf.imports_8542(), "4015*": cf.imports_4015()}.get(req.query["I_COMMODITY"])
    return Reply(200, body) if body else Reply(204)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"year": "24"}, "--year"),
        ({"year": 2005}, "outside 2013"),
        ({"hs": "85420"}, "--hs"),
        ({"hs": ""}, "--hs"),
        ({"flow": "re-exports"}, "--flow"),
    ],
)
def test_invalid_options(kwargs, text) -> None:
    with pytest.raises(InputError, match=text):
        CensusQuery.build(**{"year": 2024, "hs": "8542", **kwargs})


def test_schedule_c_codes_are_mapped() -> None:
    table = census._cty_to_iso3()
    expected = {
        "5570": "MYS",
        "5700": "CHN",
        "5830": "TWN",
        "5520": "VNM",
        "5490": "THA",
        "5550": "KHM",
        "5600": "IDN",
        "5650": "PHL",
        "5590": "SGP",
        "5880": "JPN",
        "5800": "KOR",
        "5330": "IND",
        "5820": "HKG",
        "1220": "CAN",
        "2010": "MEX",
        "4280": "DEU",
    }
    assert {k: table[k] for k in expected} == expected  # every code of the reference note
    assert len(set(table.values())) == len(table)  # one code per ISO3


def test_imports_convert_by_hand(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, by_commodity)
    q = CensusQuery.build(year=2024, hs="8542,4015")
    fetched = fetch_census(q, client=http, api_key="", base=local_server.url)
    flows = fetched.flows.set_index(["exporter", "product"])["value_usd"]
    assert flows[("MYS", "854231")] == 600000.0  # 5570 -> MYS, "600000" -> dollars
    assert flows[("TWN", "854231")] == 100000.0  # 5830 -> TWN
    assert flows[("CHN", "854232")] == 300000.0
    assert flows[("KOR", "854232")] == 100000.0
    assert flows[("MYS", "401519")] == 150.0
    assert flows[("CTY9999", "854231")] == 50000.0  # unknown code kept, not dropped
    assert set(fetched.flows["importer"]) == {"USA"}
    assert len(fetched.flows) == 8  # no aggregates (-, 0003, 0014, 5XXX)
    assert fetched.flows["classification"].unique().tolist() == ["HS22"]
    assert fetched.flows["quantity"].isna().all()
    assert fetched.report["unmapped_partners"] == [
        {"code": "9999", "name": "NEW TERRITORY", "kept_as": "CTY9999", "value_usd": 50000.0}
    ]
    assert fetched.report["totals_check"] == {"checked": 3, "mismatches": []}
    products = fetched.products.set_index("code")
    assert products.loc["401519", "description"] == cf.GLOVES
    assert products.loc["854231", "parent"] == "8542"
    first = local_server.hits(IMPORTS)[0].query
    assert first == {
        "get": "CTY_CODE,CTY_NAME,I_COMMODITY,I_COMMODITY_SDESC,GEN_VAL_YR,SUMMARY_LVL",
        "time": "2024-12",
        "COMM_LVL": "HS6",
        "I_COMMODITY": "8542*",
    }
    m = fetched.manifest
    assert m["licence"].startswith("Public domain")
    assert m["endpoint"] == local_server.url + IMPORTS
    assert m["query"]["hs"] == ["8542", "4015"]
    assert any("GEN_VAL_YR at time=2024-12" in a for a in m["assumptions"])
    assert any("partial" in a for a in m["assumptions"])
    assert any("CTY<code>: 9999 (NEW TERRITORY)" in a for a in m["assumptions"])


def test_exports_use_all_val_yr_and_usa_as_exporter(local_server: LocalServer, http) -> None:
    local_server.route(EXPORTS, Reply(200, cf.exports_8542()))
    q = CensusQuery.build(year=2024, hs="8542", flow="exports")
    fetched = fetch_census(q, client=http, api_key="", base=local_server.url)
    got = sorted(
        zip(
            fetched.flows["exporter"],
            fetched.flows["importer"],
            fetched.flows["value_usd"],
            strict=True,
        )
    )
    assert got == [("USA", "MEX", 30.0), ("USA", "MYS", 70.0)]
    assert "ALL_VAL_YR" in local_server.hits(EXPORTS)[0].query["get"]


def test_totals_mismatch_is_reported(local_server: LocalServer, http) -> None:
    body = cf.imports_4015()
    body[1][4] = "300"  # total 300, countries add up to 200
    local_server.route(IMPORTS, Reply(200, body))
    fetched = fetch_census(
        CensusQuery.build(year=2024, hs="4015"), client=http, api_key="", base=local_server.url
    )
    assert fetched.report["totals_check"]["mismatches"] == [
        {"code": "401519", "total_usd": 300.0, "countries_usd": 200.0}
    ]
    assert any("do not add up" in a for a in fetched.manifest["assumptions"])


def test_204_everywhere_is_explained(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, Reply(204))
    with pytest.raises(EmptyResultError) as err:
        fetch_census(
            CensusQuery.build(year=2025, hs="8542"), client=http, api_key="", base=local_server.url
        )
    text = str(err.value)
    assert "HTTP 204" in text and "December 2025" in text and "February 2026" in text


def test_204_for_one_code_is_recorded(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, by_commodity)
    fetched = fetch_census(
        CensusQuery.build(year=2024, hs="8542,9999"), client=http, api_key="", base=local_server.url
    )
    assert fetched.report["empty_codes"] == ["9999"]
    assert any("no data returned for HS 9999" in a for a in fetched.manifest["assumptions"])


def test_malformed_value_names_line_and_field(local_server: LocalServer, http) -> None:
    body = cf.imports_4015()
    body[3][4] = "(D)"
    local_server.route(IMPORTS, Reply(200, body))
    with pytest.raises(DataFileError) as err:
        fetch_census(
            CensusQuery.build(year=2024, hs="4015"), client=http, api_key="", base=local_server.url
        )
    assert err.value.line == 4 and err.value.field == "GEN_VAL_YR"
    assert "'(D)'" in str(err.value)


def test_ragged_rows_are_rejected(local_server: LocalServer, http) -> None:
    body = cf.imports_4015()
    body[2] = body[2][:-1]
    local_server.route(IMPORTS, Reply(200, body))
    with pytest.raises(DataFileError, match="line 3"):
        fetch_census(
            CensusQuery.build(year=2024, hs="4015"), client=http, api_key="", base=local_server.url
        )


def test_key_is_sent_but_never_recorded(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, Reply(200, cf.imports_4015()))
    fetched = fetch_census(
        CensusQuery.build(year=2024, hs="4015"),
        client=http,
        api_key="K" * 40,
        base=local_server.url,
    )
    assert local_server.hits(IMPORTS)[0].query["key"] == "K" * 40
    assert "K" * 40 not in str(fetched.manifest)


def test_403_explains_the_key(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, Reply(403, "<html>Invalid Key</html>"))
    with pytest.raises(FetchError, match="CENSUS_API_KEY") as err:
        fetch_census(
            CensusQuery.build(year=2024, hs="4015"),
            client=http,
            api_key="bad",
            base=local_server.url,
        )
    assert err.value.status == 403 and "bad" not in (err.value.url or "")


def test_census_dataset_feeds_leverage(
    local_server: LocalServer, tmp_path, icio_data_dir, monkeypatch
) -> None:
    """MYS in US imports, worked out by hand from the synthetic response."""
    from tradelever import api

    data_dir = tmp_path / "store"
    shutil.copytree(icio_data_dir, data_dir)
    local_server.route(IMPORTS, by_commodity)
    monkeypatch.setenv("TRADELEVER_CENSUS_URL", local_server.url)
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)
    result = api.fetch_census(2024, "8542,4015", data_dir=data_dir)
    assert result.name == "census-imports-2024" and result.rows == 8
    lev = api.leverage("MYS", "USA", dataset=result.name, level="hs6", data_dir=data_dir)
    rows = lev.rows.set_index("code")
    # 854231: MYS 600,000 of US imports 1,000,000 -> 60%; HHI = .6^2+.25^2+.1^2+.05^2 = 0.435
    assert rows.loc["854231", "home_share_of_partner_imports"] == pytest.approx(0.6)
    assert rows.loc["854231", "partner_imports_usd"] == pytest.approx(1_000_000.0)
    assert rows.loc["854231", "partner_import_hhi"] == pytest.approx(0.435)
    assert rows.loc["401519", "home_share_of_partner_imports"] == pytest.approx(0.75)
    assert rows.loc["854232", "home_share_of_partner_imports"] == 0.0
    assert rows.loc["854231", "description"] == cf.PROC
    assert any("partial" in a for a in lev.assumptions)
    assert lev.provenance["licence"].startswith("Public domain")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("KOREA, SOUTH", "SOUTH KOREA", True),
        ("TURKEY", "TURKIYE", True),
        ("CZECH REPUBLIC", "CZECHIA", True),
        ("MALAYSIA", "MALAYSIA", True),
        ("MALAYSIA", "MALDIVES", False),
        ("ITALY", "GERMANY", False),
    ],
)
def test_names_agree(a, b, same) -> None:
    assert census.names_agree(a, b) is same


def test_code_whose_name_disagrees_is_not_mapped(local_server: LocalServer, http) -> None:
    body = cf.imports_4015()
    body[2] = cf.row("5570", "MALDIVES", "401519", cf.GLOVES, "150")  # 5570 is Malaysia here
    local_server.route(IMPORTS, Reply(200, body))
    fetched = fetch_census(
        CensusQuery.build(year=2024, hs="4015"), client=http, api_key="", base=local_server.url
    )
    assert "MYS" not in set(fetched.flows["exporter"])
    assert "CTY5570" in set(fetched.flows["exporter"])
    [entry] = fetched.report["unmapped_partners"]
    assert entry["code"] == "5570" and "maps 5570 to MYS (MALAYSIA)" in entry["note"]


# -- hostile answers and secrets (issue 13) ---------------------------------------------------
KEY = "CENSUS-SECRET-0c44d2"  # a made-up key


def test_the_key_never_reaches_logs_cache_manifest_or_report(
    local_server: LocalServer, tmp_path, caplog
) -> None:
    """Finding 5: with --debug the HTTP client logged key=<CENSUS_API_KEY>."""
    import logging

    from tradelever import api

    caplog.set_level(logging.DEBUG)  # what --debug does
    local_server.route(IMPORTS, by_commodity)
    data_dir = tmp_path / "store"
    result = api.fetch_census(
        2024, "8542,4015", api_key=KEY, base_url=local_server.url, data_dir=data_dir
    )
    assert all(h.query["key"] == KEY for h in local_server.hits(IMPORTS))
    assert [r for r in caplog.records if r.name == "httpx"]  # requests were logged ...
    assert not [r for r in caplog.records if KEY in r.getMessage()]  # ... without the key
    assert KEY not in str(result.to_dict())
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "dataset.json" for p in files)
    assert any("cache" in p.parts for p in files)
    assert not [p for p in files if KEY.encode() in p.read_bytes()]


def test_a_maintenance_page_is_not_cached(local_server: LocalServer, http) -> None:
    page = "<html><body>The Census API is undergoing maintenance</body></html>"
    local_server.route(IMPORTS, Reply(200, page), Reply(200, cf.imports_4015()))
    q = CensusQuery.build(year=2024, hs="4015")
    with pytest.raises(FetchError, match=r"not valid JSON.*undergoing maintenance"):
        fetch_census(q, client=http, api_key="", base=local_server.url)
    fetched = fetch_census(q, client=http, api_key="", base=local_server.url)
    assert fetched.report["cached_responses"] == 0 and fetched.rows > 0
    assert len(local_server.hits(IMPORTS)) == 2


def test_a_bad_cached_answer_names_the_cache_and_refresh(local_server: LocalServer, http) -> None:
    local_server.route(IMPORTS, Reply(200, [["CTY_CODE"], ["5570", "extra"]]))
    q = CensusQuery.build(year=2024, hs="4015")
    url = f"{local_server.url}{IMPORTS}"
    http.get(url, q.params("4015"), validate=lambda r: r.content)  # poisoned by hand
    with pytest.raises(DataFileError, match=r"line 2.*response cache.*--refresh") as err:
        fetch_census(q, client=http, api_key="", base=local_server.url)
    assert "\n" not in str(err.value)


def test_the_library_reads_no_key_from_the_environment(
    local_server: LocalServer, http, monkeypatch
) -> None:
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    local_server.route(IMPORTS, Reply(200, cf.imports_4015()))
    fetch_census(CensusQuery.build(year=2024, hs="4015"), client=http, base=local_server.url)
    assert "key" not in local_server.hits(IMPORTS)[0].query

"""The packaged US tariff schedule 2025-26 and the loader's validation."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tradelever.errors import DataFileError
from tradelever.sources.us_tariffs import load_schedule, parse_schedule

PACKAGE = Path(__file__).resolve().parents[2] / "src/tradelever/data/us_tariffs"


@pytest.fixture(scope="module")
def schedule():  # type: ignore[no-untyped-def]
    return load_schedule()


def in_list(schedule, list_id: str, code: str) -> bool:  # type: ignore[no-untyped-def]
    return any(code.startswith(p) for p in schedule.product_lists[list_id].codes)


# ---------------------------------------------------------------------- the packaged data


def test_every_measure_and_exemption_names_a_public_instrument(schedule) -> None:
    items = [*schedule.measures, *schedule.exemptions]
    assert len(schedule.measures) >= 40
    for item in items:
        assert item.instrument.url.startswith("https://"), item.id
        assert item.instrument.title, item.id


def test_measures_cover_the_period_and_authorities(schedule) -> None:
    assert {m.authority for m in schedule.measures} == {"IEEPA", "s232", "s122", "s301", "s338"}
    assert min(m.effective_from for m in schedule.measures) == dt.date(2025, 2, 4)
    assert max(m.effective_from for m in schedule.measures) == dt.date(2026, 8, 19)
    # IEEPA duties end with the order of 20 February 2026
    ieepa_ends = {m.effective_to for m in schedule.measures if m.authority == "IEEPA"}
    assert max(d for d in ieepa_ends if d is not None) == dt.date(2026, 2, 19)
    assert None not in ieepa_ends


def test_sources_json_matches_the_list_files() -> None:
    sources = json.loads((PACKAGE / "SOURCES.json").read_text(encoding="utf-8"))
    assert sources["upstream"]["repository"] == "tradewartracker/trade-war-redux-2025"
    assert sources["upstream"]["snapshot"].startswith("726c5958")
    for entry in sources["files"]:
        data = (PACKAGE / entry["output"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["output"]
        assert entry["url"].startswith("https://")
        assert entry["inputs"], entry["output"]
        for source in entry["inputs"]:
            assert len(source["sha256"]) == 64
            assert source["repository"] in (
                "tradewartracker/trade-war-redux-2025",
                "brian14708/wh-briefings",
            )


def test_every_list_is_used_by_a_measure_or_exemption(schedule) -> None:
    used = {t for m in schedule.measures if (t := m.exporters.table)}
    for item in (*schedule.measures, *schedule.exemptions):
        used.update(item.products.lists)
        if getattr(item, "exclude", None) is not None:
            used.update(item.exclude.lists)
    unused = (set(schedule.product_lists) | set(schedule.country_lists)) - used
    # metals Annex II (products removed from scope) is kept for reference: the pre-2026
    # measures end on 5 April 2026 and the 2026 annexes do not list them.
    assert unused == {"metals-2026-annex-ii"}


def test_list_codes_are_even_length_digit_strings(schedule) -> None:
    for pl in schedule.product_lists.values():
        assert pl.codes, pl.id
        assert all(c.isdigit() and len(c) in (2, 4, 6, 8, 10) for c in pl.codes), pl.id


def test_annex_ii_is_the_instruments_list_not_the_trackers(schedule) -> None:
    # the tracker's CSV had 720 lines and no rare-earth metals; the PDF has 1,039 subheadings
    assert len(schedule.product_lists["eo14257-annex-ii"].codes) == 1039
    assert in_list(schedule, "eo14257-annex-ii", "2805300000")
    # rubber gloves were never excepted
    for lid in ("eo14257-annex-ii", "eo14346-annex-ii", "eo14360-annex-ii"):
        assert not in_list(schedule, lid, "4015120000")


def test_april_11_list_is_the_memorandums_headings(schedule) -> None:
    codes = set(schedule.product_lists["apr11-semiconductors"].codes)
    assert len(codes) == 20
    assert {"8471", "847330", "8486", "8542", "85412900"} <= codes


def test_annex_ii_revisions(schedule) -> None:
    sep = schedule.product_lists["eo14346-annex-ii"].codes
    nov = schedule.product_lists["eo14360-annex-ii"].codes
    # EO 14360 added coffee (0901) from 13 November 2025; the September list has none
    assert any(c.startswith("0901") for c in nov)
    assert not any(c.startswith("0901") for c in sep)
    # lumber and copper left Annex II in September (Section 232 took over)
    original = schedule.product_lists["eo14257-annex-ii"].codes
    for code in ("44071100", "74081130"):  # pine lumber, refined copper wire
        assert code in original and code not in sep


def test_country_rates_are_the_instruments(schedule) -> None:
    annex_i = schedule.country_lists["eo14257-annex-i"].rates
    assert annex_i["MYS"] == pytest.approx(0.24)
    assert annex_i["THA"] == pytest.approx(0.36)  # revised annex; first posting 37
    assert annex_i["KOR"] == pytest.approx(0.25)
    assert annex_i["EU"] == pytest.approx(0.20)
    assert "CHN" not in annex_i and "CAN" not in annex_i
    eo14326 = schedule.country_lists["eo14326-annex-i"].rates
    assert len(eo14326) == 68
    assert eo14326["MYS"] == pytest.approx(0.19)
    assert eo14326["VNM"] == pytest.approx(0.20)
    assert eo14326["CHE"] == pytest.approx(0.39)


def test_left_out_actions_are_listed_with_reasons(schedule) -> None:
    text = " ".join(item.action for item in schedule.left_out)
    for needle in ("trucks", "advanced semiconductors", "timber", "pharmaceuticals"):
        assert needle in text
    assert all(item.reason for item in schedule.left_out)


def test_packaged_schedule_is_cached_and_carries_provenance(schedule) -> None:
    assert load_schedule() is schedule
    assert len(schedule.provenance["sha256"]) == 64
    assert schedule.provenance["file"] == "tradelever/data/us_tariffs/measures.yaml"


# ----------------------------------------------------------------------------- validation


def minimal_doc() -> dict[str, Any]:
    return {
        "schedule": "test",
        "importer": "USA",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "stacks": {"s232": {}, "reciprocal": {"yields_to": ["s232"]}},
        "lists": {"steel": {"codes": ["7208"]}, "rates": {"rates": {"MYS": 19}}},
        "measures": [
            {
                "id": "recip",
                "authority": "IEEPA",
                "instrument": {"title": "An order", "url": "https://example.gov/order"},
                "effective_from": "2025-04-05",
                "exporters": "all",
                "products": "all",
                "rate": {"additional": 0.10},
                "stack": "reciprocal",
            },
            {
                "id": "steel",
                "authority": "s232",
                "instrument": {"title": "A proclamation", "url": "https://example.gov/p"},
                "effective_from": "2025-03-12",
                "effective_to": "2025-06-03",
                "exporters": "all",
                "products": {"lists": ["steel"]},
                "rate": {"additional": 0.25},
                "stack": "s232",
            },
        ],
    }


def parse(doc: dict[str, Any]):  # type: ignore[no-untyped-def]
    return parse_schedule(doc, where="test.yaml")


def test_minimal_schedule_parses() -> None:
    s = parse(minimal_doc())
    assert [m.id for m in s.measures] == ["recip", "steel"]
    assert s.measure("steel").effective_to == dt.date(2025, 6, 3)
    assert s.product_prefixes(s.measure("steel").products) == frozenset({"7208"})


def test_missing_source_url_is_a_one_line_error() -> None:
    doc = minimal_doc()
    del doc["measures"][1]["instrument"]["url"]
    with pytest.raises(DataFileError, match=r"instrument\.url.*measure 'steel'.*URL") as err:
        parse(doc)
    assert "\n" not in str(err.value)


def test_url_must_be_public() -> None:
    doc = minimal_doc()
    doc["measures"][0]["instrument"]["url"] = "notes/tariffs.md"
    with pytest.raises(DataFileError, match=r"measure 'recip'.*not a public URL"):
        parse(doc)


def test_unknown_list_file_names_the_measure_and_field() -> None:
    doc = minimal_doc()
    doc["measures"][1]["products"] = {"lists": ["steel-derivatives"]}
    with pytest.raises(
        DataFileError, match=r"products\.lists.*measure 'steel'.*'steel-derivatives'.*unknown"
    ):
        parse(doc)


def test_unparseable_date_names_the_measure_and_field() -> None:
    doc = minimal_doc()
    doc["measures"][0]["effective_from"] = "2025-13-01"
    with pytest.raises(
        DataFileError, match=r"effective_from.*measure 'recip'.*'2025-13-01' is not a date"
    ):
        parse(doc)


def test_dates_in_the_wrong_order() -> None:
    doc = minimal_doc()
    doc["measures"][1]["effective_to"] = "2025-01-01"
    with pytest.raises(DataFileError, match=r"measure 'steel'.*before effective_from"):
        parse(doc)


def test_overlapping_contradictory_measures_are_an_error() -> None:
    doc = minimal_doc()
    other = copy.deepcopy(doc["measures"][1])
    other.update(id="steel-50", effective_from="2025-06-01", rate={"additional": 0.5})
    other.pop("effective_to")
    doc["measures"].append(other)
    with pytest.raises(DataFileError, match=r"'steel' and 'steel-50' overlap.*2025-06-01"):
        parse(doc)
    # ending the first one the day before removes the contradiction
    doc["measures"][1]["effective_to"] = "2025-05-31"
    assert len(parse(doc).measures) == 3


def test_same_cells_at_different_priorities_are_allowed() -> None:
    doc = minimal_doc()
    country = copy.deepcopy(doc["measures"][0])
    country.update(id="recip-mys", exporters=["MYS"], rate={"additional": 0.24}, priority=10)
    doc["measures"].append(country)
    assert parse(doc).measure("recip-mys").priority == 10


def test_percentages_typed_as_fractions_are_caught() -> None:
    doc = minimal_doc()
    doc["measures"][1]["rate"] = {"additional": 25}
    with pytest.raises(DataFileError, match=r"measure 'steel'.*rates are fractions"):
        parse(doc)


def test_unknown_country_code_suggests_one() -> None:
    doc = minimal_doc()
    doc["measures"][0]["exporters"] = ["MAS"]
    with pytest.raises(DataFileError, match=r"measure 'recip'.*MAS.*MYS"):
        parse(doc)


def test_unknown_stack_and_duplicate_id() -> None:
    doc = minimal_doc()
    doc["measures"][0]["stack"] = "reciprocal-2"
    with pytest.raises(DataFileError, match=r"measure 'recip'.*stack 'reciprocal-2'"):
        parse(doc)
    doc = minimal_doc()
    doc["measures"][1]["id"] = "recip"
    with pytest.raises(DataFileError, match=r"measure 'recip'.*duplicate"):
        parse(doc)


def test_unknown_key_is_reported() -> None:
    doc = minimal_doc()
    doc["measures"][0]["efective_to"] = "2025-05-01"
    with pytest.raises(DataFileError, match=r"efective_to.*unknown key"):
        parse(doc)


def test_invalid_yaml_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "measures.yaml"
    path.write_text("schedule: x\nmeasures:\n  - id: a\n    notes: a: b\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"measures\.yaml, line 4: not valid YAML"):
        load_schedule(path)


def test_altered_list_file_is_detected(tmp_path: Path) -> None:
    target = tmp_path / "us_tariffs"
    shutil.copytree(PACKAGE, target)
    path = target / "lists" / "s232-copper.csv"
    path.write_text(path.read_text(encoding="utf-8") + "7420\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"s232-copper\.csv.*sha256 differs"):
        load_schedule(target / "measures.yaml")


def test_measure_referencing_a_missing_list_file(tmp_path: Path) -> None:
    target = tmp_path / "us_tariffs"
    shutil.copytree(PACKAGE, target)
    (target / "lists" / "s232-copper.csv").unlink()
    with pytest.raises(DataFileError, match=r"s232-copper\.csv.*list file not found"):
        load_schedule(target / "measures.yaml")


def test_packaged_yaml_round_trips_through_parse_schedule() -> None:
    doc = yaml.safe_load((PACKAGE / "measures.yaml").read_text(encoding="utf-8"))
    s = parse_schedule(doc, base_dir=PACKAGE, where="measures.yaml")
    assert len(s.measures) == len(load_schedule().measures)

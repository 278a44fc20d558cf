from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tests.sources.deal_fixtures import (
    SYNTHETIC_FILE,
    SYNTHETIC_URL,
    dump,
    source,
    synthetic_deal,
    write_synthetic_library,
)
from tradelever.errors import DataFileError, UnknownCountryError
from tradelever.reference.package_data import read_code_list
from tradelever.sources.deal_texts import TextLibrary, package_root
from tradelever.sources.us_deals import (
    TRACKED_FIELDS,
    Deal,
    annualised_usd_bn,
    days_since_liberation_day,
    deal_date,
    deals_for_partner,
    deals_table,
    headline_total_usd_bn,
    load_deals,
    missing_table,
    parse_deal,
    rate_change,
    read_deal_file,
)


@pytest.fixture
def library(tmp_path: Path) -> TextLibrary:
    return write_synthetic_library(tmp_path / "lib")


def parse(deal: dict[str, Any], library: TextLibrary) -> Deal:
    return parse_deal(dump(deal), where="synthetic.yaml", library=library)


# --- the schema, on a SYNTHETIC deal ------------------------------------------------------


def test_synthetic_deal_is_valid(library: TextLibrary) -> None:
    deal = parse(synthetic_deal(), library)
    assert deal.rates.announced[0].value == 17
    purchase = deal.commitments.purchases[0]
    assert purchase.amount is not None and purchase.amount.value == 12.5
    assert annualised_usd_bn(purchase) == pytest.approx(2.5)  # 12.5 / 5 years
    assert deal.dates.announced is not None
    assert deal.dates.announced.value == dt.date(2025, 3, 1)
    assert len(deal.missing) == len(TRACKED_FIELDS) - 3


def test_fact_without_source_is_rejected(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["rates"]["announced"][0]["sources"] = []
    with pytest.raises(DataFileError, match=r"field 'rates\.announced\[0\]\.sources'.*at least 1"):
        parse(deal, library)


def test_fact_with_sources_key_missing_is_rejected(library: TextLibrary) -> None:
    deal = synthetic_deal()
    del deal["dates"]["announced"]["sources"]
    with pytest.raises(DataFileError, match=r"dates\.announced\.sources.*Field required"):
        parse(deal, library)


def test_quote_not_in_the_text_is_rejected(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["sources"] = [source("Done on March 2, 2025.")]
    with pytest.raises(DataFileError, match=f"quote not found verbatim in {SYNTHETIC_FILE}"):
        parse(deal, library)


def test_quote_matches_across_markup_and_line_breaks(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["commitments"]["purchases"][0]["sources"].append(
        source("The partner commits to combat(a) duty evasion[1].")
    )
    assert parse(deal, library).commitments.purchases[0].sources[1].file == SYNTHETIC_FILE


def test_error_names_the_line_of_the_bad_quote(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["sources"] = [source("Done on March 2, 2025.")]
    text = dump(deal)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "March 2, 2025" in ln)
    with pytest.raises(DataFileError) as info:
        parse_deal(text, where="synthetic.yaml", library=library)
    # the error points at the source mapping, which starts one line above its quote
    assert f"synthetic.yaml, line {line - 2}, field 'dates.announced.sources[0]'" in str(info.value)


def test_unknown_partner_code_is_rejected(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["partners"] = ["MAS"]
    with pytest.raises(DataFileError, match="MAS: unknown country; did you mean MYS"):
        parse(deal, library)


def test_eu_partner_code(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["partners"] = ["EUU"]
    assert parse(deal, library).partners == ["EUU"]


@pytest.mark.parametrize("bad", ["2025-02-30", "26 October 2025", "2025-13-01"])
def test_invalid_date_is_rejected(library: TextLibrary, bad: str) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["value"] = bad
    with pytest.raises(DataFileError, match=r"field 'dates\.announced\.value'"):
        parse(deal, library)


def test_month_precision_date_must_be_the_first(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["precision"] = "month"
    deal["dates"]["announced"]["value"] = "2025-03-15"
    with pytest.raises(DataFileError, match="first of the month"):
        parse(deal, library)


def test_source_in_a_file_that_is_not_packaged(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["sources"][0]["file"] = "2025-03-01-not-packaged.md"
    with pytest.raises(DataFileError, match=r"not-packaged\.md' is not a packaged deal"):
        parse(deal, library)


def test_packaged_text_missing_on_disk(library: TextLibrary, tmp_path: Path) -> None:
    (tmp_path / "lib" / "texts" / SYNTHETIC_FILE).unlink()
    with pytest.raises(DataFileError, match="packaged deal text is missing"):
        parse(synthetic_deal(), library)


def test_url_must_be_the_texts_url(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["dates"]["announced"]["sources"][0]["url"] = SYNTHETIC_URL + "other/"
    with pytest.raises(DataFileError, match="is not the URL of"):
        parse(deal, library)


def test_rate_must_be_stated_in_the_quote(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["rates"]["announced"][0]["value"] = 18
    with pytest.raises(DataFileError, match=r"no quote states 18%"):
        parse(deal, library)


def test_amount_must_match_its_wording(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["commitments"]["purchases"][0]["amount"]["value"] = 125
    with pytest.raises(DataFileError, match=r"value 125 differs from the wording \(12.5 bn\)"):
        parse(deal, library)


def test_amount_wording_must_be_in_the_quote(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["commitments"]["purchases"][0]["amount"]["wording"] = "USD12.5 billion a year"
    with pytest.raises(DataFileError, match="is not in the quoted passage"):
        parse(deal, library)


def test_empty_field_must_be_listed_as_missing(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["missing"] = [m for m in deal["missing"] if m["field"] != "commitments.investment"]
    with pytest.raises(DataFileError, match=r"not listed under 'missing'.*commitments\.investment"):
        parse(deal, library)


def test_filled_field_must_not_be_listed_as_missing(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["missing"].append(
        {"field": "rates.announced", "checked": [SYNTHETIC_FILE], "note": "Not in the text."}
    )
    with pytest.raises(DataFileError, match=r"listed under 'missing' but filled"):
        parse(deal, library)


def test_missing_entry_names_texts_that_exist(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["missing"][0]["checked"] = ["2025-03-01-never-packaged.md"]
    with pytest.raises(DataFileError, match="is not a packaged deal text"):
        parse(deal, library)


def test_unknown_key_is_rejected(library: TextLibrary) -> None:
    deal = synthetic_deal()
    deal["rates"]["annex_1"] = deal["rates"].pop("announced")
    with pytest.raises(DataFileError, match=r"field 'rates\.annex_1'"):
        parse(deal, library)


def test_yaml_syntax_error_names_the_line(library: TextLibrary) -> None:
    text = dump(synthetic_deal()).replace("kind: framework", "kind: [framework", 1)
    with pytest.raises(DataFileError, match=r"synthetic\.yaml, line \d+: not valid YAML"):
        parse_deal(text, where="synthetic.yaml", library=library)


def test_missing_deal_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read the deal file"):
        read_deal_file(tmp_path / "nowhere.yaml")


def test_id_must_match_the_file_name(library: TextLibrary, tmp_path: Path) -> None:
    path = tmp_path / "other-name.yaml"
    path.write_text(dump(synthetic_deal()), "utf-8")
    with pytest.raises(DataFileError, match="differs from the file name"):
        read_deal_file(path, library=library)


def test_load_deals_from_a_folder(library: TextLibrary, tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / "mys-2025-03-01.yaml").write_text(dump(synthetic_deal()), "utf-8")
    deals = load_deals(folder, library=library)
    assert [d.id for d in deals] == ["mys-2025-03-01"]


# --- the packaged deals ------------------------------------------------------------------


@pytest.fixture(scope="module")
def deals() -> dict[str, Deal]:
    return {d.id: d for d in load_deals()}


EXPECTED_DEALS = {
    "arg-2025-11-13",
    "bgd-2026-02-09",
    "che-2025-11-14",
    "chn-2025-05-12",
    "chn-2025-10-30",
    "ecu-2025-11-13",
    "euu-2025-07-27",
    "gbr-2025-05-08",
    "gtm-2025-11-13",
    "idn-2025-07-22",
    "ind-2026-02-06",
    "isr-2025-12-01",
    "jor-2026-07-21",
    "jpn-2025-07-22",
    "khm-2025-10-26",
    "kor-2025-07",
    "lie-2025-11-14",
    "mkd-2026-02-12",
    "mys-2025-10-26",
    "phl-2025-07",
    "slv-2025-11-13",
    "tha-2025-10-26",
    "twn-2026",
    "vnm-2025-07",
}


def test_every_packaged_deal_loads(deals: dict[str, Deal]) -> None:
    assert set(deals) == EXPECTED_DEALS
    for name in package_root().joinpath("deals").iterdir():
        assert name.name.removesuffix(".yaml") in deals


def test_every_packaged_text_is_quoted_or_checked(deals: dict[str, Deal]) -> None:
    from tradelever.sources.deal_texts import packaged_library

    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            for key, item in value:
                if key == "file" and isinstance(item, str):
                    used.add(item)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for deal in deals.values():
        walk(deal)
        for entry in deal.missing:
            used.update(entry.checked)
    assert set(packaged_library().records) == used


def test_annex_i_rates_agree_with_the_package_table(deals: dict[str, Deal]) -> None:
    """EO 14257 Annex I (revised): the deal files against the package's independent table."""
    table = read_code_list("reciprocal_rates_2025.csv", ["iso3", "annex_i_rate_percent"])
    rates = dict(zip(table["iso3"], table["annex_i_rate_percent"].astype(float), strict=True))
    rates["EUU"] = rates.pop("EU27")
    checked = 0
    for deal in deals.values():
        for partner in deal.partners:
            if partner in rates and deal.rates.annex_i is not None:
                assert deal.rates.annex_i.value == rates[partner], (deal.id, partner)
                checked += 1
    assert checked >= 19


def test_revised_annex_i_rates_say_so(deals: dict[str, Deal]) -> None:
    revised = {
        d.id: (d.rates.annex_i.first_posted, d.rates.annex_i.value)
        for d in deals.values()
        if d.rates.annex_i is not None and d.rates.annex_i.first_posted != d.rates.annex_i.value
    }
    assert revised == {
        "tha-2025-10-26": (37, 36),
        "ind-2026-02-06": (27, 26),
        "kor-2025-07": (26, 25),
        "che-2025-11-14": (32, 31),
        "phl-2025-07": (18, 17),
    }
    for deal_id in revised:
        note = deals[deal_id].rates.annex_i.note  # type: ignore[union-attr]
        assert note is not None and "revised the annex on 3 April 2025" in note


def test_malaysia_by_hand(deals: dict[str, Deal]) -> None:
    mys = deals["mys-2025-10-26"]
    assert mys.partners == ["MYS"]
    assert mys.dates.signed is not None and mys.dates.signed.value == dt.date(2025, 10, 26)
    assert mys.rates.annex_i is not None and mys.rates.annex_i.value == 24
    assert mys.rates.july_letter is not None and mys.rates.july_letter.value == 25
    assert mys.rates.eo_14326 is not None and mys.rates.eo_14326.value == 19
    assert [r.value for r in mys.rates.announced] == [19]  # "maintain at 19 percent"
    purchases = {p.category: p for p in mys.commitments.purchases}
    chips = purchases["semiconductors, aerospace components, data-centre equipment"]
    assert chips.amount is not None and chips.amount.value == 150 and not chips.per_year
    lng = purchases["LNG"]
    assert lng.amount is not None and lng.amount.value == 3.4 and lng.per_year
    assert lng.amount.qualifier == "up_to"
    invest = [i for i in mys.commitments.investment if i.headline]
    assert len(invest) == 1 and invest[0].amount is not None
    assert invest[0].amount.value == 70 and invest[0].years == 10
    assert annualised_usd_bn(invest[0]) == pytest.approx(7.0)
    # headline purchases: 150 + 0.2041 (coal and telecoms) in total, 3.4 a year (LNG)
    assert headline_total_usd_bn(mys.commitments.purchases) == pytest.approx(150.2041)
    assert headline_total_usd_bn(mys.commitments.purchases, per_year=True) == pytest.approx(3.4)
    assert mys.rates.section_122 is not None and mys.rates.section_122.value == 10
    assert mys.rates.section_301 is not None and mys.rates.section_301.value == 10
    assert mys.economic_security.critical_minerals
    assert mys.missing == []


def test_viet_nam_by_hand(deals: dict[str, Deal]) -> None:
    vnm = deals["vnm-2025-07"]
    assert [(r.value, r.basis) for r in vnm.rates.announced] == [(20, "additional")]
    change = rate_change(vnm)
    assert (change.before, change.after, change.cut_points) == (46, 20, 26)
    when = deal_date(vnm)
    assert when is not None and when.precision == "on_or_before"
    assert when.value == dt.date(2025, 7, 31)
    assert vnm.rates.section_301 is not None and vnm.rates.section_301.value == 12.5


def test_japan_by_hand(deals: dict[str, Deal]) -> None:
    jpn = deals["jpn-2025-07-22"]
    assert [(r.value, r.basis) for r in jpn.rates.announced] == [(15, "all_in_ceiling")]
    assert headline_total_usd_bn(jpn.commitments.investment) == 550
    per_year = {p.amount.value for p in jpn.commitments.purchases if p.per_year and p.amount}
    assert per_year == {8, 7}
    assert headline_total_usd_bn(jpn.commitments.purchases, per_year=True) == 15
    # 24% additional before, 15% all-in after: not a like-for-like cut
    assert rate_change(jpn).cut_points is None
    autos = [s for s in jpn.sectors if s.sector == "autos"]
    assert autos[0].rate == 15 and autos[0].basis == "all_in_ceiling"
    assert jpn.rates.section_301 is not None
    assert (jpn.rates.section_301.value, jpn.rates.section_301.basis) == (12.5, "all_in_ceiling")


def test_eu_by_hand(deals: dict[str, Deal]) -> None:
    eu = deals["euu-2025-07-27"]
    assert eu.partners == ["EUU"]
    assert [(r.value, r.basis) for r in eu.rates.announced] == [(15, "all_in_ceiling")]
    assert eu.rates.annex_i is not None and eu.rates.annex_i.value == 20
    assert headline_total_usd_bn(eu.commitments.purchases) == 790  # 750 energy + 40 AI chips
    assert headline_total_usd_bn(eu.commitments.investment) == 600
    steel = [s for s in eu.sectors if s.sector == "steel_aluminium"]
    assert steel[0].rate == 50


def test_other_spot_checks(deals: dict[str, Deal]) -> None:
    assert headline_total_usd_bn(deals["kor-2025-07"].commitments.investment) == 350
    assert deals["idn-2025-07-22"].rates.announced[0].value == 19
    assert headline_total_usd_bn(deals["idn-2025-07-22"].commitments.purchases) == 33
    ind = deals["ind-2026-02-06"]
    assert ind.rates.announced[0].value == 18
    oil = ind.rates.additional[0]
    assert (oil.value, oil.effective_from, oil.effective_to) == (
        25,
        dt.date(2025, 8, 27),  # 21 days after the order of 6 August 2025
        dt.date(2026, 2, 7),
    )
    che = deals["che-2025-11-14"]
    assert che.rates.eo_14326 is not None and che.rates.eo_14326.value == 39
    assert che.rates.announced[0].value == 15
    assert "rates.section_301" in deals["lie-2025-11-14"].missing_fields()
    assert deals["gbr-2025-05-08"].rates.announced[0].value == 10
    khm = deals["khm-2025-10-26"].commitments.tariff_elimination[0]
    assert khm.share == 1.0
    assert deals["tha-2025-10-26"].commitments.tariff_elimination[0].share == 0.99


def test_days_since_liberation_day(deals: dict[str, Deal]) -> None:
    # 2 April -> 8 May 2025: 28 days left in April + 8 = 36
    assert days_since_liberation_day(deals["gbr-2025-05-08"]) == 36
    # 2 April -> 26 October 2025: 28 + 31 + 30 + 31 + 31 + 30 + 26 = 207
    assert days_since_liberation_day(deals["mys-2025-10-26"]) == 207


def test_deals_are_ordered_by_date() -> None:
    ordered = load_deals()
    dates = [deal_date(d).value for d in ordered]  # type: ignore[union-attr]
    assert dates == sorted(dates)
    assert ordered[0].id == "gbr-2025-05-08"


def test_deals_table_has_a_row_per_partner(deals: dict[str, Deal]) -> None:
    table = deals_table(list(deals.values()))
    assert len(table) == sum(len(d.partners) for d in deals.values())
    row = table.set_index("deal").loc["mys-2025-10-26"]
    assert (row["annex_i_rate"], row["announced_rate"], row["rate_cut_points"]) == (24, 19, 5)
    assert row["partner_name"] == "Malaysia"
    assert (row["deal_date_is"], row["days_since_2025_04_02"]) == ("announced", 207)
    israel = table.set_index("deal").loc["isr-2025-12-01"]
    assert (israel["deal_date_is"], israel["announced"]) == ("signed", None)
    assert table.set_index("deal").loc["euu-2025-07-27", "partner_name"] == "European Union"


def test_missing_table_lists_every_missing_field(deals: dict[str, Deal]) -> None:
    table = missing_table(list(deals.values()))
    assert len(table) == sum(len(d.missing) for d in deals.values())
    assert set(table["field"]) <= set(TRACKED_FIELDS)
    assert not table.query("deal == 'mys-2025-10-26'").shape[0]


def test_deals_for_partner() -> None:
    assert [d.id for d in deals_for_partner("chn")] == ["chn-2025-05-12", "chn-2025-10-30"]
    assert [d.id for d in deals_for_partner("EUU")] == ["euu-2025-07-27"]
    with pytest.raises(UnknownCountryError, match="MAS: unknown country"):
        deals_for_partner("MAS")


def test_readme_table_of_missing_facts_is_current(deals: dict[str, Deal]) -> None:
    text = package_root().joinpath("README.md").read_text("utf-8")
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            listed = [] if cells[2] == "(none)" else cells[2].replace("`", "").split(", ")
            rows[cells[0].strip("`")] = listed
    assert rows == {d.id: d.missing_fields() for d in deals.values()}

"""The reciprocal formula: algebra, inversion, Annex I table, and m/x from the hand data set.

Hand data (tests/synthetic.py), 2023: US imports from MYS m = 50 (854231) + 60 (401519)
+ 1 (280530) = 111; US exports to MYS x = 10 (rice). 2022 is every flow halved.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelever import api
from tradelever.analysis import formula as fm
from tradelever.api import Session
from tradelever.errors import InputError, UnknownCountryError
from tradelever.store import Store

# Annex I of EO 14257 (2 April 2025) as revised by the White House on 3 April 2025, the rates
# enforced (https://www.whitehouse.gov/wp-content/uploads/2025/04/Annex-I.pdf; Federal Register
# 90 FR 15041, 7 April 2025): partner name as printed -> rate in percent. The first version of
# the annex listed 16 of these partners one point higher (e.g. India 27, South Korea 26).
ANNEX_I_REVISED = {
    "Malaysia": 24, "Brunei": 24, "Cambodia": 49, "Indonesia": 32, "Laos": 48,
    "Myanmar": 44, "Philippines": 17, "Singapore": 10, "Thailand": 36, "Vietnam": 46,
    "China": 34, "Taiwan": 32, "Japan": 24, "South Korea": 25, "India": 26,
    "European Union": 20, "Switzerland": 31, "Liechtenstein": 37, "Norway": 15,
    "United Kingdom": 10, "Israel": 17, "Bangladesh": 37, "Pakistan": 29, "Sri Lanka": 44,
    "Kazakhstan": 27, "Serbia": 37, "Bosnia and Herzegovina": 35, "North Macedonia": 33,
    "Moldova": 31, "South Africa": 30, "Tunisia": 28, "Algeria": 30, "Libya": 31,
    "Iraq": 39, "Syria": 41, "Jordan": 20, "Angola": 32, "Botswana": 37, "Cameroon": 11,
    "Chad": 13, "Cote d'Ivoire": 21, "Democratic Republic of the Congo": 11,
    "Equatorial Guinea": 13, "Lesotho": 50, "Madagascar": 47, "Malawi": 17, "Mauritius": 40,
    "Mozambique": 16, "Namibia": 21, "Nigeria": 14, "Zambia": 17, "Zimbabwe": 18,
    "Falkland Islands": 41, "Fiji": 32, "Guyana": 38, "Nauru": 30, "Nicaragua": 18,
    "Vanuatu": 22, "Venezuela": 15, "Afghanistan": 10, "Bolivia": 10, "Costa Rica": 10,
    "Ecuador": 10, "Ghana": 10, "Iceland": 10, "New Zealand": 10, "Papua New Guinea": 10,
    "Trinidad and Tobago": 10, "Turkey": 10, "Uganda": 10, "Brazil": 10,
}  # fmt: skip


def test_formula_algebra_by_hand() -> None:
    # m = 200, x = 50: deficit/imports = 150/200 = 0.75, rate = 0.375
    assert fm.deficit_over_imports(200.0, 50.0) == pytest.approx(0.75)
    assert fm.formula_rate(200.0, 50.0) == pytest.approx(0.375)
    # surplus (x > m): deficit/imports negative, rate is the 10% floor
    assert fm.deficit_over_imports(100.0, 150.0) == pytest.approx(-0.5)
    assert fm.formula_rate(100.0, 150.0) == 0.10
    # deficit/imports 0.18 -> half 0.09 -> floor 0.10
    assert fm.formula_rate(100.0, 82.0) == 0.10
    # no imports: ratio undefined, rate is the floor
    assert math.isnan(fm.deficit_over_imports(0.0, 5.0))
    assert fm.formula_rate(0.0, 5.0) == 0.10


def test_whole_percent_rounds_up() -> None:
    assert fm.whole_percent(0.452) == 0.46
    assert fm.whole_percent(0.2361) == 0.24
    assert fm.whole_percent(0.24) == 0.24  # exact whole percent stays
    assert fm.whole_percent(0.10) == 0.10


def test_additional_exports_by_hand() -> None:
    # m = 111, x = 10, target 0.20: d = 111 - 10 - 2 * 111 * 0.2 = 56.6
    assert fm.additional_exports_needed(111.0, 10.0, 0.20) == pytest.approx(56.6)
    # the floor: d = 111 - 10 - 22.2 = 78.8
    assert fm.additional_exports_needed(111.0, 10.0, 0.10) == pytest.approx(78.8)
    # a target below the floor cannot be reached: refused, never answered as the floor
    with pytest.raises(InputError, match=r"^target_rate: 0.05 is below the floor; .*10%"):
        fm.additional_exports_needed(111.0, 10.0, 0.05)
    # already below the target: nothing needed
    assert fm.additional_exports_needed(100.0, 90.0, 0.20) == 0.0


@given(
    m=st.floats(min_value=1.0, max_value=1e12),
    xfrac=st.floats(min_value=0.0, max_value=2.0),
    target=st.floats(min_value=0.10, max_value=0.5),
)
def test_inversion_brings_rate_to_target(m: float, xfrac: float, target: float) -> None:
    x = m * xfrac
    d = fm.additional_exports_needed(m, x, target)
    assert d >= 0
    after = fm.formula_rate(m, x + d)
    if d > 0:
        assert after == pytest.approx(target, rel=1e-9, abs=1e-12)
    else:
        assert fm.formula_rate(m, x) <= target + 1e-12


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_target_rate(bad: float) -> None:
    with pytest.raises(InputError, match=r"^target_rate: "):
        fm.additional_exports_needed(100.0, 10.0, bad)


def test_bad_amounts() -> None:
    with pytest.raises(InputError, match="imports"):
        fm.formula_rate(-1.0, 0.0)
    with pytest.raises(InputError, match="exports"):
        fm.formula_rate(1.0, float("inf"))


def test_annex_rates() -> None:
    assert fm.announced_rate("MYS").rate == pytest.approx(0.24)
    assert fm.announced_rate("VNM").rate == pytest.approx(0.46)
    assert fm.announced_rate("CHN").rate == pytest.approx(0.34)
    de = fm.announced_rate("DEU")  # EU member: the EU rate
    assert de.rate == pytest.approx(0.20) and de.partner_name == "European Union"
    assert fm.announced_rate("CAN") is None  # not in Annex I
    assert fm.announced_rate("MYS", "CHN") is None  # Annex I is a US schedule
    assert "Annex-I.pdf" in fm.announced_rate("MYS").source


def test_annex_names_match_iso3() -> None:
    """Every row's ISO3 is what country_converter gives for its name."""
    import csv
    from importlib import resources

    from tradelever.reference.countries import _converter

    text = resources.files("tradelever.data").joinpath("reciprocal_rates_2025.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 60
    cc = _converter()
    for row in rows:
        assert row["source"], row
        if row["iso3"] == "EU27":
            continue
        assert cc.convert(row["partner_name"], to="ISO3") == row["iso3"], row


def test_annex_rates_match_the_published_annex() -> None:
    from tradelever.reference.countries import _converter

    cc = _converter()
    expected = {
        ("EU27" if name == "European Union" else cc.convert(name, to="ISO3")): rate
        for name, rate in ANNEX_I_REVISED.items()
    }
    shipped = {e.code: round(100 * e.rate) for e in fm.annex_entries()}
    assert shipped == expected
    assert fm.announced_rate("DEU").rate == pytest.approx(0.20)  # a member takes the EU rate


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_formula_on_hand_data(session: Session) -> None:
    r = session.formula("MYS", "USA", dataset="hand-hs17", target_rate=0.2)
    s = r.summary
    assert r.params["year"] == 2023
    assert s["partner_imports_from_home_usd"] == pytest.approx(111.0)
    assert s["partner_exports_to_home_usd"] == pytest.approx(10.0)
    assert s["deficit_over_imports"] == pytest.approx(101 / 111)
    assert s["formula_rate"] == pytest.approx(101 / 222)
    assert s["formula_rate_whole_percent"] == pytest.approx(0.46)
    assert s["announced_rate"] == pytest.approx(0.24)
    assert s["additional_partner_exports_needed_usd"] == pytest.approx(56.6)
    # one row per year; 2022 is halved, so the same rate
    rows = r.to_frame().set_index("year")
    assert list(rows.index) == [2022, 2023]
    assert rows.loc[2022, "partner_imports_from_home_usd"] == pytest.approx(55.5)
    assert rows.loc[2022, "formula_rate"] == pytest.approx(101 / 222)
    assert rows.loc[2022, "additional_partner_exports_needed_usd"] == pytest.approx(28.3)
    d = r.to_dict()
    assert d["home"] == "MYS" and d["partner"] == "USA" and d["target_rate"] == 0.2
    assert any("floor" in a for a in d["assumptions"])


def test_formula_year_selection(session: Session) -> None:
    r = session.formula("MYS", "USA", dataset="hand-hs17", year=2022)
    assert r.summary["partner_imports_from_home_usd"] == pytest.approx(55.5)
    assert "additional_partner_exports_needed_usd" not in r.summary


def test_formula_without_partner_imports_is_the_floor(session: Session) -> None:
    # CHN imports nothing from THA (m = 0) but sells it 100 of 854231 (x = 100)
    r = session.formula("THA", "CHN", dataset="hand-hs17")
    assert r.summary["partner_imports_from_home_usd"] == 0.0
    assert r.summary["partner_exports_to_home_usd"] == pytest.approx(100.0)
    assert r.summary["formula_rate"] == 0.10
    assert r.to_dict()["summary"]["deficit_over_imports"] is None
    assert r.summary["announced_rate"] is None  # Annex I is a US schedule


def test_formula_given_figures() -> None:
    r = api.formula("MYS", "USA", imports_usd=200e9, exports_usd=50e9, target_rate=0.15)
    assert r.summary["formula_rate"] == pytest.approx(0.375)
    # d = 200 - 50 - 2 * 200 * 0.15 = 90 (US$ bn)
    assert r.summary["additional_partner_exports_needed_usd"] == pytest.approx(90e9)
    assert r.params["dataset"] is None
    with pytest.raises(InputError, match=r"^exports_usd: give both imports and exports"):
        api.formula("MYS", "USA", imports_usd=200e9)
    with pytest.raises(InputError, match=r"^imports_usd: "):
        api.formula("MYS", "USA", imports_usd=0.0, exports_usd=1e9)
    with pytest.raises(UnknownCountryError):
        api.formula("MAS", "USA", imports_usd=1e9, exports_usd=1e9)


def test_formula_given_figures_in_billions_is_a_unit_error() -> None:
    """52.5 typed for US$52.5 bn: an error naming the unit and the amount to type."""
    with pytest.raises(InputError, match=r"^imports_usd: 52.5 reads as US\$52.50: .*52.5e9"):
        api.formula("MYS", "USA", imports_usd=52.5, exports_usd=27.7e9)
    with pytest.raises(InputError, match=r"^exports_usd: 27.7 reads as .*27.7e9"):
        api.formula("MYS", "USA", imports_usd=52.5e9, exports_usd=27.7)
    # zero exports are a real case (no US sales), not a unit slip
    assert api.formula("MYS", "USA", imports_usd=52.5e9, exports_usd=0.0).summary[
        "formula_rate"
    ] == pytest.approx(0.5)


def test_formula_eu27_from_figures() -> None:
    """EU27 (the help says so) is the European Union as one economy: Annex I's 20%."""
    # Census 2024: m = 605.76, x = 370.19 (US$ bn): (m - x) / m = 38.9% -> 39 / 2 -> 20%
    r = api.formula("EU27", "USA", imports_usd=605.76e9, exports_usd=370.19e9)
    assert r.params["home"] == "EUU"
    assert r.summary["announced_rate"] == pytest.approx(0.20)
    assert r.summary["annex_method_rate"] == pytest.approx(0.20)


def test_formula_icio_goods_only(icio_session: Session, icio_data_dir: Path) -> None:
    """m and x recomputed with pandas straight from the Parquet flows, goods industries."""
    import pandas as pd

    files = Store(icio_data_dir).table_files("icio2022", "flows")
    flows = pd.concat([pd.read_parquet(p) for p in files])
    goods = flows[flows["product"].isin(fm.ICIO_GOODS_INDUSTRIES)]
    m = goods[(goods.exporter == "MYS") & (goods.importer == "USA")].value_usd.sum()
    x = goods[(goods.exporter == "USA") & (goods.importer == "MYS")].value_usd.sum()
    r = icio_session.formula("MYS", "USA", dataset="icio2022", target_rate=0.12)
    s = r.summary
    assert s["partner_imports_from_home_usd"] == pytest.approx(m, rel=1e-9)
    assert s["partner_exports_to_home_usd"] == pytest.approx(x, rel=1e-9)
    assert s["formula_rate"] == pytest.approx(max(0.10, (m - x) / (2 * m)))
    assert s["additional_partner_exports_needed_usd"] == pytest.approx(
        max(0.0, m - x - 2 * m * 0.12)
    )
    assert any("goods only" in a for a in r.assumptions)
    assert any("intermediate goods only" in a for a in r.assumptions)
    # services are excluded: the goods total is below the all-industry total
    allv = flows[(flows.exporter == "MYS") & (flows.importer == "USA")].value_usd.sum()
    assert m < allv


def test_nearest_percent() -> None:
    assert fm.nearest_percent(0.452) == 0.45
    assert fm.nearest_percent(0.455) == 0.46  # halves up
    assert fm.nearest_percent(0.2361) == 0.24


def test_annex_reproduction_by_hand() -> None:
    import pandas as pd

    # VNM: (1000 - 96)/1000 = 0.904 -> 0.452: rounded up 46% = Annex I, nearest 45% is not.
    # EU: DEU + FRA, m = 800, x = 480 -> 0.4 -> 0.20 = the EU's 20%.
    trade = pd.DataFrame(
        {
            "country": ["VNM", "DEU", "FRA"],
            "partner_imports_from_home_usd": [1000.0, 600.0, 200.0],
            "partner_exports_to_home_usd": [96.0, 300.0, 180.0],
        }
    )
    rows, skipped = fm.annex_reproduction(trade, {"VNM", "DEU", "FRA", "USA"})
    by = rows.set_index("code")
    assert list(by.index) == ["VNM", "EU27"]  # Annex I order; others skipped
    assert "MYS" in skipped
    vnm = by.loc["VNM"]
    assert vnm.formula_rate == pytest.approx(0.452)
    assert vnm.formula_rate_whole_percent == 0.46 and vnm.formula_rate_nearest_percent == 0.45
    assert bool(vnm.matches_rounded_up) and not bool(vnm.matches_nearest)
    eu = by.loc["EU27"]
    assert eu.members_covered == 2
    assert eu.partner_imports_from_home_usd == 800.0
    assert eu.formula_rate == pytest.approx(0.20)
    assert eu.difference == pytest.approx(0.0)


def test_group_home(session: Session, icio_session: Session, icio_data_dir: Path) -> None:
    import pandas as pd

    with pytest.raises(InputError, match="no member of EU27"):
        session.formula("EU27", "USA", dataset="hand-hs17")
    files = Store(icio_data_dir).table_files("icio2022", "flows")
    flows = pd.concat([pd.read_parquet(p) for p in files])
    goods = flows[flows["product"].isin(fm.ICIO_GOODS_INDUSTRIES)]
    from tradelever.reference.countries import group_members

    eu = list(group_members("EU27"))
    m = goods[goods.exporter.isin(eu) & (goods.importer == "USA")].value_usd.sum()
    x = goods[(goods.exporter == "USA") & goods.importer.isin(eu)].value_usd.sum()
    r = icio_session.formula("EU27", "USA", dataset="icio2022")
    assert r.params["home"] == "EU27"
    assert r.summary["partner_imports_from_home_usd"] == pytest.approx(m, rel=1e-9)
    assert r.summary["partner_exports_to_home_usd"] == pytest.approx(x, rel=1e-9)
    assert r.summary["announced_rate"] == pytest.approx(0.20)


def test_annex_table_on_icio(icio_session: Session) -> None:
    r = icio_session.formula_annex(dataset="icio2022")
    rows = r.rows.set_index("code")
    assert "EU27" in rows.index and rows.loc["EU27"].members_covered == 27
    assert "LIE" in r.summary["skipped"]  # not in the 80-economy network
    mys = icio_session.formula("MYS", "USA", dataset="icio2022").summary
    assert rows.loc["MYS"].formula_rate == pytest.approx(mys["formula_rate"])
    assert 0.0 <= r.summary["share_matching_rounded_up"] <= 1.0
    assert rows.difference.tolist() == pytest.approx(
        (rows.formula_rate_whole_percent - rows.announced_rate).tolist(), abs=1e-9
    )

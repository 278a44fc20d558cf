"""The Annex I computation on the real 2024 US Census balance (census-us-trade).

Malaysia by hand: m = 52,534.8, x = 27,704.8 (US$ million, the Census workbook):
(m - x) / m = 24,830.0 / 52,534.8 = 0.47264...; revised annex: round to 47%, half 23.5%,
rounded up 24%; first-posted annex: half of 47.264% = 23.632%, rounded up 24%. Announced 24%.

The match counts are recomputed here with plain Python (decimal arithmetic, no tradelever
function) from the store's monthly balance and the package's Annex I rates.
"""

from __future__ import annotations

import csv
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelever.analysis import formula as fm
from tradelever.errors import InputError
from tradelever.store import Store
from tradelever.store.embedded import ensure_census_trade

# Annex I of EO 14257 as first posted on 2 April 2025 (whitehouse.gov Annex-I.pdf, first
# version): 17 economies were one point above the rates of the revised annex of 3 April
# (press reports of 3-4 April 2025: Hindustan Times, Korea JoongAng Daily, NDTV Profit).
FIRST_POSTED_DIFFERENCES = {
    "BIH": 36,
    "BWA": 38,
    "CMR": 12,
    "FLK": 42,
    "IND": 27,
    "MWI": 18,
    "MMR": 45,
    "NIC": 19,
    "NOR": 16,
    "PAK": 30,
    "PHL": 18,
    "SRB": 38,
    "ZAF": 31,
    "KOR": 26,
    "CHE": 32,
    "THA": 37,
    "VUT": 23,
}


@pytest.fixture(scope="module")
def balance(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    store = Store(tmp_path_factory.mktemp("census-trade"))
    ensure_census_trade(store)
    return store.table("census-us-trade", "balance").to_pandas()


def _annex_rows() -> list[dict[str, str]]:
    text = (
        resources.files("tradelever.data").joinpath("reciprocal_rates_2025.csv").read_text("utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def _plain_revised(m: Decimal, x: Decimal) -> int:
    if x >= m:
        return 10
    whole = (100 * (m - x) / m).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(10, int((whole / 2).quantize(Decimal(1), rounding=ROUND_CEILING)))


def _plain_first(m: Decimal, x: Decimal) -> int:
    if x >= m:
        return 10
    return max(10, int((100 * (m - x) / (2 * m)).quantize(Decimal(1), rounding=ROUND_CEILING)))


def _plain_table(balance: pd.DataFrame, rates: dict[str, int], rule) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    year = balance[balance["year"] == 2024]
    sums: dict[str, list[Decimal]] = {}
    for partner, m, x in zip(
        year["partner"], year["imports_usd"], year["exports_usd"], strict=True
    ):
        acc = sums.setdefault(str(partner), [Decimal(0), Decimal(0)])
        acc[0] += Decimal(int(m))
        acc[1] += Decimal(int(x))
    out = {}
    for code, rate in rates.items():
        m, x = sums["EUU" if code == "EU27" else code]
        out[code] = rule(m, x) == rate
    return out


def test_malaysia_by_hand() -> None:
    m, x = 52_534.8e6, 27_704.8e6
    assert fm.deficit_over_imports(m, x) == pytest.approx(24_830.0 / 52_534.8)
    assert fm.annex_i_rate(m, x) == 0.24
    assert fm.annex_i_rate(m, x, version="first") == 0.24


def test_rounding_rules_by_hand() -> None:
    # Viet Nam: (m - x) / m = 90.41% -> revised: 90% -> 45%; first: 45.2% -> 46%.
    assert fm.annex_i_rate(100.0, 9.59) == 0.45
    assert fm.annex_i_rate(100.0, 9.59, version="first") == 0.46
    # 52.6% -> revised 53% -> 26.5% -> 27%; first 26.3% -> 27%.
    assert fm.annex_i_rate(100.0, 47.4) == 0.27
    # 53.4% -> revised 53% -> 27%; first 26.7% -> 27%. 52.4% -> 52% -> 26%; first 26.2% -> 27%.
    assert fm.annex_i_rate(100.0, 47.6) == 0.26
    assert fm.annex_i_rate(100.0, 47.6, version="first") == 0.27
    # floor and surplus
    assert fm.annex_i_rate(100.0, 85.0) == 0.10
    assert fm.annex_i_rate(100.0, 150.0) == 0.10
    assert fm.annex_i_rate(0.0, 0.0) == 0.10
    with pytest.raises(InputError, match="version"):
        fm.annex_i_rate(1.0, 0.0, version="chart")
    with pytest.raises(InputError, match="imports"):
        fm.annex_i_rate(-1.0, 0.0)


@given(
    m=st.floats(min_value=1.0, max_value=1e13),
    x1=st.floats(min_value=0.0, max_value=1e13),
    x2=st.floats(min_value=0.0, max_value=1e13),
)
def test_rate_properties(m: float, x1: float, x2: float) -> None:
    lo, hi = sorted((x1, x2))
    for version in fm.ANNEX_VERSIONS:
        r_lo, r_hi = (
            fm.annex_i_rate(m, lo, version=version),
            fm.annex_i_rate(m, hi, version=version),
        )
        assert 0.10 <= r_hi <= r_lo <= 0.50  # more US exports never raise the rate
    gap = fm.annex_i_rate(m, lo) - fm.annex_i_rate(m, lo, version="first")
    assert -0.01 - 1e-12 <= gap <= 1e-12  # the revised rate is the first or one point below


def test_match_table_on_the_revised_annex(balance: pd.DataFrame) -> None:
    trade = fm.annual_balance(balance, 2024)
    table, missing = fm.annex_match_table(trade)
    rates = {r["iso3"]: int(r["annex_i_rate_percent"]) for r in _annex_rows()}
    plain = _plain_table(balance, rates, _plain_revised)
    assert missing == []  # the workbook has every listed partner
    assert len(table) == len(rates) == 71
    assert int(table["match"].sum()) == sum(plain.values()) == 68
    misses = set(table.loc[~table["match"], "partner"])
    assert misses == {c for c, ok in plain.items() if not ok} == {"VNM", "JPN", "AFG"}
    mys = table.set_index("partner").loc["MYS"]
    assert round(mys["m"] / 1e6, 1) == 52_534.8 and round(mys["x"] / 1e6, 1) == 27_704.8
    assert mys["computed"] == 0.24 and mys["match"]
    eu = table.set_index("partner").loc["EUU"]
    assert eu["partner_name"] == "European Union" and eu["computed"] == eu["announced"] == 0.20
    gaps = table.set_index("partner")["gap"]
    assert gaps["VNM"] == pytest.approx(-0.01) and gaps["JPN"] == pytest.approx(-0.01)
    assert gaps["AFG"] == pytest.approx(0.15)


def test_first_posted_annex_follows_the_unrounded_half(balance: pd.DataFrame) -> None:
    # The first-posted Annex I listed the 57 partners with a rate above 10%.
    rates = {
        r["iso3"]: FIRST_POSTED_DIFFERENCES.get(r["iso3"], int(r["annex_i_rate_percent"]))
        for r in _annex_rows()
        if int(r["annex_i_rate_percent"]) > 10
    }
    assert len(rates) == 57
    announced = {code: rate / 100 for code, rate in rates.items()}
    trade = fm.annual_balance(balance, 2024)
    first, _ = fm.annex_match_table(trade, version="first", announced=announced)
    plain = _plain_table(balance, rates, _plain_first)
    assert int(first["match"].sum()) == sum(plain.values()) == 56
    assert set(first.loc[~first["match"], "partner"]) == {"CHE"}
    # The revised computation misses the 17 first-posted rates that were lowered (and
    # matches Viet Nam and Japan no better).
    revised, _ = fm.annex_match_table(trade, announced=announced)
    plain_revised = _plain_table(balance, rates, _plain_revised)
    assert int(revised["match"].sum()) == sum(plain_revised.values()) == 57 - 17 - 2


def test_annual_balance_needs_a_complete_year(balance: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"^year: 2025 has months 1-2 only"):
        fm.annual_balance(balance, 2025)
    with pytest.raises(InputError, match=r"^year: 1970 has no month"):
        fm.annual_balance(balance, 1970)


def test_bilateral_balance_series(balance: pd.DataFrame) -> None:
    monthly = fm.bilateral_balance(balance, "MYS")
    assert monthly[["year", "month"]].iloc[-1].tolist() == [2025, 2]
    yearly = fm.bilateral_balance(balance, "MYS", frequency="year")
    assert yearly["year"].iloc[-1] == 2024  # 2025 is incomplete
    row = yearly.iloc[-1]
    assert row["balance_usd"] == pytest.approx(row["exports_usd"] - row["imports_usd"])
    assert row["deficit_over_imports"] == pytest.approx(24_830.0 / 52_534.8, abs=1e-5)
    with pytest.raises(InputError, match=r"^home: XXX"):
        fm.bilateral_balance(balance, "XXX")


def test_announced_rate_for_the_eu_aggregate() -> None:
    assert fm.announced_rate("EUU").rate == 0.20
    assert fm.announced_rate("EUU").partner_name == "European Union"


def test_annex_match_sums_members_without_aggregate() -> None:
    trade = pd.DataFrame(
        {
            "partner": ["DEU", "FRA", "MYS"],
            "imports_usd": [70.0, 30.0, 100.0],
            "exports_usd": [30.0, 30.0, 52.7],
        }
    )
    table, missing = fm.annex_match_table(trade)
    eu = table.set_index("partner").loc["EUU"]
    # EU m = 100, x = 60: 40% -> 20%, announced 20%.
    assert eu["m"] == 100.0 and eu["x"] == 60.0 and eu["computed"] == 0.20 and eu["match"]
    assert "VNM" in missing and "MYS" not in missing
    assert set(table["partner"]) == {"EUU", "MYS"}


def test_formula_refuses_data_without_partner_exports() -> None:
    """Synthetic US-imports-only flows: x is unknown, not 0 (no 50% rate)."""
    import ibis

    from tradelever.analysis.leverage import product_code_expr

    frame = pd.DataFrame(
        {
            "year": 2024,
            "exporter": ["MYS", "CHN"],
            "importer": "USA",
            "product": ["4015120000", "8542310001"],
            "value_usd": [60.0, 40.0],
        }
    )
    coded = product_code_expr(ibis.memtable(frame), "hs6")
    with pytest.raises(InputError, match=r"holds no exports of USA.*census-us-trade"):
        fm.bilateral_goods_trade(coded, home="MYS", partner="USA", codes=None)
    with pytest.raises(InputError, match=r"holds no exports of USA"):
        fm.partner_trade_by_country(coded, partner="USA", year=2024, codes=None)
    # One US export anywhere in the data: x to MYS is a true zero.
    more = pd.concat([frame, frame.iloc[:1].assign(exporter="USA", importer="CHN")])
    trade = fm.bilateral_goods_trade(
        product_code_expr(ibis.memtable(more), "hs6"), home="MYS", partner="USA", codes=None
    )
    assert trade["partner_exports_to_home_usd"].tolist() == [0.0]

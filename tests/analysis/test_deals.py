"""Deal measures worked by hand on the packaged deal facts and the embedded US data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tradelever.analysis import deals as dl
from tradelever.analysis.tariffs import tariff_timeline
from tradelever.errors import InputError, UnknownCountryError
from tradelever.sources import census_us
from tradelever.sources.us_deals import deals_for_partner, load_deals


@pytest.fixture(scope="module")
def inputs(icio_session) -> dl.DealInputs:  # type: ignore[no-untyped-def]
    return icio_session._deal_inputs()


@pytest.fixture(scope="module")
def measures(inputs: dl.DealInputs) -> pd.DataFrame:
    return dl.deal_measures(load_deals(), inputs).set_index("deal")


@pytest.fixture(scope="module")
def us_imports_2024() -> dict[str, float]:
    """US general imports by partner in 2024, summed here from the packaged monthly rows."""
    monthly = census_us.load_trade().balance
    part = monthly[monthly["year"] == 2024]
    return part.groupby("partner")["imports_usd"].sum().to_dict()


def test_days_by_hand(measures: pd.DataFrame) -> None:
    mys = measures.loc["mys-2025-10-26"]
    # 2 Apr -> 2 Oct 2025 is 28+2 + 31 + 30 + 31 + 31 + 30 = 183 days, + 24 to 26 Oct.
    assert mys["days_since_2025_04_02"] == 207
    # the 19% applied from 7 Aug 2025 (EO 14326): 2 Apr -> 2 Aug = 122, + 5.
    assert mys["rate_effective_from"] == dt.date(2025, 8, 7)
    assert mys["days_to_rate"] == 127
    assert any("before the deal of 2025-10-26" in n for n in mys["notes"])
    # the UK deal of 8 May 2025: 28 + 8 days.
    assert measures.loc["gbr-2025-05-08", "days_since_2025_04_02"] == 36
    # Viet Nam: the texts prove the announcement only by 31 July (an upper bound).
    vnm = measures.loc["vnm-2025-07"]
    assert vnm["days_since_2025_04_02"] == 120
    assert any("upper bound" in n for n in vnm["notes"])


def test_rate_cut_by_hand(measures: pd.DataFrame) -> None:
    assert measures.loc["mys-2025-10-26", "rate_cut"] == pytest.approx(0.24 - 0.19)
    assert measures.loc["vnm-2025-07", "rate_cut"] == pytest.approx(0.46 - 0.20)
    assert measures.loc["khm-2025-10-26", "rate_cut"] == pytest.approx(0.49 - 0.19)
    japan = measures.loc["jpn-2025-07-22"]
    assert japan["rate_obtained"] == pytest.approx(0.15)
    assert japan["rate_obtained_basis"] == "all_in_ceiling"
    assert japan["rate_cut"] is None
    assert "all in ceiling" in japan["rate_cut_note"]


def test_pledge_sums_of_malaysia() -> None:
    deal = deals_for_partner("MYS")[0]
    buy = dl.pledge_sums(deal.commitments.purchases)
    inv = dl.pledge_sums(deal.commitments.investment)
    # headline purchases: US$150 bn and US$204.10 million with no period, US$3.4 bn a year
    assert buy.total == pytest.approx(150e9 + 0.2041e9)
    assert buy.stated_a_year == pytest.approx(3.4e9)
    assert buy.a_year == pytest.approx(3.4e9)
    assert buy.unannualised == pytest.approx(150.2041e9)
    # investment: about US$70 bn over 10 years (the joint statement's restatement is not headline)
    assert inv.total == pytest.approx(70e9)
    assert inv.a_year == pytest.approx(7e9)
    assert inv.unannualised is None


def test_pledge_shares_by_hand(measures: pd.DataFrame, us_imports_2024: dict[str, float]) -> None:
    mys = measures.loc["mys-2025-10-26"]
    exports = us_imports_2024["MYS"]
    assert mys["exports_to_us_2024_usd"] == pytest.approx(exports)
    assert mys["pledges_usd"] == pytest.approx(220.2041e9)
    assert mys["pledges_share_of_exports"] == pytest.approx(220.2041e9 / exports)
    assert mys["pledges_a_year_share_of_exports"] == pytest.approx((3.4e9 + 7e9) / exports)
    # UK: over US$80 bn of purchases over five years, nothing else headline
    gbr = measures.loc["gbr-2025-05-08"]
    assert gbr["pledges_usd_a_year"] == pytest.approx(16e9)
    assert gbr["pledges_a_year_share_of_exports"] == pytest.approx(16e9 / us_imports_2024["GBR"])
    # no pledge in the texts: no share (never 0%)
    assert measures.loc["khm-2025-10-26", "pledges_usd"] is None
    assert measures.loc["khm-2025-10-26", "pledges_share_of_exports"] is None


def test_pledge_shares_of_gdp(icio_session, measures: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    nodes = icio_session.view("icio2022").table("nodes").to_pandas()
    va = nodes[nodes["year"] == 2022].groupby("country")["value_added_usd"].sum()
    mys = measures.loc["mys-2025-10-26"]
    assert mys["gdp_usd"] == pytest.approx(va["MYS"])
    assert mys["pledges_share_of_gdp"] == pytest.approx(220.2041e9 / va["MYS"])
    eu = measures.loc["euu-2025-07-27"]
    from tradelever.reference.countries import group_members

    assert eu["gdp_usd"] == pytest.approx(sum(va[m] for m in group_members("EU27")))
    # Liechtenstein is not among the 80 ICIO economies
    lie = measures.loc["lie-2025-11-14"]
    assert lie["gdp_usd"] is None
    assert any("80 economies" in n for n in lie["notes"])


def test_effective_rates_from_the_schedule(
    icio_session,
    measures: pd.DataFrame,  # type: ignore[no-untyped-def]
) -> None:
    flows = icio_session.view("census-us-2024").table("flows").to_pandas()
    rows = tariff_timeline(flows, ["MYS"], dates=["2025-04-09", "2025-08-07"]).rows
    apr9, aug7 = rows.iloc[0], rows.iloc[1]
    mys = measures.loc["mys-2025-10-26"]
    assert mys["effective_rate_2025_04_09"] == pytest.approx(apr9["effective_additional_rate"])
    assert mys["effective_rate_after"] == pytest.approx(aug7["effective_additional_rate"])
    # By hand: on 9 April the reciprocal 24% fell on the value neither exempted (Annex II,
    # the share exempt_share) nor under Section 232 (s232_share).
    reciprocal = apr9["effective_additional_rate"] - apr9["contribution_s232"]
    assert reciprocal == pytest.approx(0.24 * (1 - apr9["exempt_share"] - apr9["s232_share"]))
    # Viet Nam: 46% on 9 April, 20% from 7 August; its effective rate fell
    vnm = measures.loc["vnm-2025-07"]
    assert vnm["effective_rate_after"] < vnm["effective_rate_2025_04_09"]
    # North Macedonia is not among the census-us-2024 suppliers
    assert measures.loc["mkd-2026-02-12", "effective_rate_after"] is None


def test_rank_correlation_by_hand() -> None:
    # ranks x = 1..4, y = 1, 3, 2, 4: d = 0, -1, 1, 0; rho = 1 - 6 * 2 / (4 * 15) = 0.8
    rho, p = dl.rank_correlation([10, 20, 30, 40], [0.1, 0.3, 0.2, 0.4])
    assert rho == pytest.approx(0.8)
    assert p is not None and 0 < p < 1
    assert dl.rank_correlation([1, 2], [3, 4]) == (None, None)
    assert dl.rank_correlation([1, 2, 3], [5, 5, 5]) == (None, None)


def test_first_in_line(inputs: dl.DealInputs) -> None:
    result = dl.first_in_line(inputs, home="MYS")
    rows = result.rows
    assert list(rows["deal_date"]) == sorted(rows["deal_date"])
    assert rows.loc[rows["is_home"], "partner"].tolist() == ["MYS"]
    first = result.summary["statistics"][0]
    stated = rows[rows["rate_obtained"].notna()]
    assert first["n"] == len(stated)
    rho, _ = dl.rank_correlation(stated["days_since_2025_04_02"], stated["rate_obtained"])
    assert first["spearman_rho"] == pytest.approx(rho)
    assert any("Not causal" in a for a in result.assumptions)


def test_members_filter(inputs: dl.DealInputs) -> None:
    asean = dl.deals(inputs, members="ASEAN").rows
    assert set(asean["partner"]) == {"IDN", "PHL", "VNM", "KHM", "MYS", "THA"}
    assert set(dl.deals(inputs, members="DEU,JPN").rows["partner"]) == {"EUU", "JPN"}
    with pytest.raises(UnknownCountryError) as err:
        dl.deals(inputs, members="XXZ")
    assert err.value.parameter == "members"
    with pytest.raises(InputError, match="no US deal"):
        dl.deals(inputs, members="SGP")
    with pytest.raises(InputError, match="United States") as err2:
        dl.deals(inputs, partner="CHN")
    assert err2.value.parameter == "partner"


def test_deal_facts_carry_quotes_and_missing_fields(inputs: dl.DealInputs) -> None:
    result = dl.deal(inputs, "vnm")
    assert result.params["partner"] == "VNM"
    rows = result.rows
    rate = rows[rows["field"] == "rates.announced"].iloc[0]
    assert rate["value"].startswith("20% additional")
    assert "20" in rate["quote"] and rate["url"].startswith("https://www.whitehouse.gov/")
    missing = rows[rows["value"] == "not in the texts"]
    assert "commitments.investment" in set(missing["field"])
    full = result.summary["deals"][0]
    assert full["id"] == "vnm-2025-07" and "texts" not in full
    assert full["measures"]["rate_cut"] == pytest.approx(0.26)
    with pytest.raises(InputError, match="no US deal with Singapore") as err:
        dl.deal(inputs, "SGP")
    assert err.value.parameter == "partner"


def test_precedent_sentences() -> None:
    rows = dl.precedent_rows("tariff_elimination", deals_for_partner("VNM")).iloc[0]
    assert rows["sentence"].startswith("Vietnam: preferential market access")
    assert " for 20% (Joint statement, 26 Oct 2025, https://www.whitehouse.gov/" in rows["sentence"]
    inv = dl.precedent_rows("investment", deals_for_partner("JPN")).iloc[0]
    assert inv["amount_usd"] == pytest.approx(550e9)
    assert "for a 15% all-in ceiling (MFN included)" in inv["sentence"]
    with pytest.raises(InputError):
        dl.precedent_rows("loans", [])

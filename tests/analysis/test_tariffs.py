"""The tariff engine: stacking rules, effective rates worked by hand, real-list checks."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradelever.analysis.tariffs import (
    census_lines,
    change_dates,
    effective_rates,
    index_lines,
    line_rates,
    measures_in_force,
    product_rates,
    tariff_timeline,
)
from tradelever.errors import InputError, UnknownCountryError
from tradelever.sources.us_tariffs import load_schedule, parse_schedule

# ------------------------------------------------------------------ a small synthetic schedule


def measure(mid: str, stack: str, rate: dict[str, float], **kw: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "authority": kw.pop("authority", "IEEPA"),
        "instrument": {"title": f"synthetic {mid}", "url": "https://example.gov/" + mid},
        "effective_from": kw.pop("start", "2025-01-01"),
        "exporters": kw.pop("exporters", "all"),
        "products": kw.pop("products", "all"),
        "rate": rate,
        "stack": stack,
        **kw,
    }


def synthetic_doc() -> dict[str, Any]:
    """Reciprocal baseline 10% (VNM 20%, BLOC 15% all-in), steel 25% (s232), fentanyl 20%."""
    return {
        "schedule": "synthetic",
        "importer": "USA",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "groups": {"BLOC": {"name": "a bloc", "members": ["FRA", "DEU"], "aliases": ["EUU"]}},
        "stacks": {
            "s232": {},
            "reciprocal": {"yields_to": ["s232"]},
            "fentanyl": {},
            "surcharge": {"yields_to": ["s232"]},
        },
        "lists": {"steel": {"codes": ["7208"]}, "chips": {"codes": ["8542"]}},
        "measures": [
            measure("recip-base", "reciprocal", {"additional": 0.10}, start="2025-04-01"),
            measure(
                "recip-vnm",
                "reciprocal",
                {"additional": 0.20},
                start="2025-06-01",
                exporters=["VNM"],
                priority=10,
            ),
            measure(
                "recip-bloc",
                "reciprocal",
                {"all_in": 0.15},
                start="2025-06-01",
                exporters=["BLOC"],
                priority=10,
            ),
            measure(
                "steel",
                "s232",
                {"additional": 0.25},
                start="2025-03-01",
                products={"lists": ["steel"]},
                authority="s232",
            ),
            measure(
                "fent", "fentanyl", {"additional": 0.20}, start="2025-02-01", exporters=["CHN"]
            ),
            measure(
                "surcharge",
                "surcharge",
                {"additional": 0.10},
                start="2025-10-01",
                effective_to="2025-10-31",
                usmca="exempt",
                authority="s122",
            ),
        ],
        "exemptions": [
            {
                "id": "chips-exempt",
                "instrument": {"title": "a memorandum", "url": "https://example.gov/memo"},
                "effective_from": "2025-04-01",
                "applies_to": ["reciprocal"],
                "products": {"lists": ["chips"]},
            }
        ],
    }


def synthetic(doc: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return parse_schedule(doc or synthetic_doc(), where="synthetic.yaml")


LINES = pd.DataFrame(
    [
        ("MYS", "7208100000", 100.0, 0.00),  # L1 steel
        ("MYS", "8542310001", 300.0, 0.00),  # L2 chips
        ("MYS", "9503000073", 600.0, 0.02),  # L3 toys
        ("VNM", "9503000073", 200.0, 0.00),  # L4
        ("CHN", "7208100000", 50.0, 0.00),  # L5 steel
        ("CHN", "9503000073", 150.0, 0.00),  # L6
        ("EUU", "9503000073", 100.0, 0.04),  # L7
        ("EUU", "2204210000", 100.0, 0.20),  # L8 MFN above the 15% ceiling
        ("CAN", "9503000073", 400.0, 0.00),  # L9
    ],
    columns=["exporter", "product", "value_usd", "mfn_rate"],
)


def rates_on(schedule, date: str, lines: pd.DataFrame = LINES, **kw: Any) -> np.ndarray:  # type: ignore[no-untyped-def]
    return line_rates(schedule, lines, date, **kw)["additional_rate"].to_numpy()


def exporter_row(table: pd.DataFrame, exporter: str) -> pd.Series:
    return table.set_index("exporter").loc[exporter]


# -------------------------------------------------------------------- worked by hand


def test_line_rates_worked_by_hand() -> None:
    s = synthetic()
    # 1 July 2025: steel 25% (s232, reciprocal yields), chips exempt, baseline 10%, Viet Nam
    # 20%, the bloc 15% all-in (15 - 4 = 11; 0 above MFN 15%), China 10% + 20% fentanyl.
    expected = [0.25, 0.0, 0.10, 0.20, 0.45, 0.30, 0.11, 0.0, 0.10]
    assert rates_on(s, "2025-07-01") == pytest.approx(expected)
    table = line_rates(s, LINES, "2025-07-01")
    assert table["measure_reciprocal"].tolist() == [
        "",
        "",
        "recip-base",
        "recip-vnm",
        "",
        "recip-base",
        "recip-bloc",
        "recip-bloc",
        "recip-base",
    ]
    assert table["measure_s232"].tolist()[:2] == ["steel", ""]
    assert table["rate_fentanyl"].tolist()[4:6] == [0.20, 0.20]


def test_effective_rates_worked_by_hand() -> None:
    s = synthetic()
    table = effective_rates(s, LINES, ["2025-07-01"])
    mys = exporter_row(table, "MYS")
    # (100 x 0.25 + 300 x 0 + 600 x 0.10) / 1000
    assert mys["effective_additional_rate"] == pytest.approx(0.085)
    assert mys["baseline_rate_2024"] == pytest.approx(600 * 0.02 / 1000)
    assert mys["exempt_share"] == pytest.approx(0.3)  # the chips; steel is s232, not exempt
    assert mys["s232_share"] == pytest.approx(0.1)
    assert mys["contribution_s232"] == pytest.approx(0.025)
    assert mys["contribution_reciprocal"] == pytest.approx(0.06)
    assert mys["measures"] == "recip-base; steel"
    chn = exporter_row(table, "CHN")
    assert chn["effective_additional_rate"] == pytest.approx((50 * 0.45 + 150 * 0.30) / 200)
    eu = exporter_row(table, "EUU")
    assert eu["effective_additional_rate"] == pytest.approx((100 * 0.11 + 0) / 200)
    assert eu["baseline_rate_2024"] == pytest.approx((4 + 20) / 200)
    assert eu["exempt_share"] == 0  # the wine line pays 0 by the ceiling formula, not exempt
    assert exporter_row(table, "VNM")["effective_additional_rate"] == pytest.approx(0.20)


def test_measure_level_contributions_add_up() -> None:
    s = synthetic()
    by_measure = effective_rates(s, LINES, ["2025-07-01"], level="measure")
    mys = by_measure[by_measure.exporter == "MYS"].set_index("measure_id")
    assert mys.loc["steel", "contribution"] == pytest.approx(0.025)
    assert mys.loc["steel", "charged_share"] == pytest.approx(0.1)
    assert mys.loc["recip-base", "contribution"] == pytest.approx(0.06)
    assert mys.loc["recip-base", "url"] == "https://example.gov/recip-base"
    totals = by_measure.groupby("exporter")["contribution"].sum()
    by_exporter = effective_rates(s, LINES, ["2025-07-01"]).set_index("exporter")
    for exporter, total in totals.items():
        assert total == pytest.approx(by_exporter.loc[exporter, "effective_additional_rate"])


def test_hs6_level_is_value_weighted_over_hs10_lines() -> None:
    s = synthetic()
    lines = pd.DataFrame(
        [
            ("MYS", "7208100000", 100.0, 0.0),  # steel 25%
            ("MYS", "7208100030", 300.0, 0.0),  # steel 25%
            ("MYS", "9503000073", 200.0, 0.0),
            ("MYS", "9503000090", 600.0, 0.0),
        ],
        columns=["exporter", "product", "value_usd", "mfn_rate"],
    )
    table = product_rates(s, lines, "2025-07-01", "MYS").set_index("hs6")
    assert table.loc["720810", "effective_additional_rate"] == pytest.approx(0.25)
    assert table.loc["720810", "value_usd"] == pytest.approx(400)
    assert table.loc["950300", "effective_additional_rate"] == pytest.approx(0.10)
    assert table.loc["720810", "s232_share"] == pytest.approx(1.0)


# ------------------------------------------------------------------- each stacking rule alone


def test_section_232_replaces_the_reciprocal_duty() -> None:
    s = synthetic()
    table = line_rates(s, LINES, "2025-07-01")
    assert table.loc[0, "rate_reciprocal"] == 0 and table.loc[0, "rate_s232"] == 0.25
    # before the steel measure, the same line pays nothing (reciprocal not yet in force)
    assert rates_on(s, "2025-02-15")[0] == 0


def test_fentanyl_adds_to_everything() -> None:
    s = synthetic()
    r = rates_on(s, "2025-07-01")
    assert r[4] == pytest.approx(0.25 + 0.20)  # steel + fentanyl
    assert r[5] == pytest.approx(0.10 + 0.20)  # reciprocal + fentanyl
    assert rates_on(s, "2025-02-15")[5] == pytest.approx(0.20)  # fentanyl alone


def test_all_in_ceiling_includes_mfn() -> None:
    s = synthetic()
    lines = pd.DataFrame(
        {
            "exporter": ["FRA", "DEU", "EUU", "FRA"],
            "product": ["9503000073"] * 4,
            "value_usd": [1.0] * 4,
            "mfn_rate": [0.0, 0.05, 0.15, 0.30],
        }
    )
    assert rates_on(s, "2025-07-01", lines) == pytest.approx([0.15, 0.10, 0.0, 0.0])


def test_later_country_rate_replaces_the_baseline_by_priority_and_date() -> None:
    s = synthetic()
    assert rates_on(s, "2025-05-31")[3] == pytest.approx(0.10)  # Viet Nam at the baseline
    assert rates_on(s, "2025-06-01")[3] == pytest.approx(0.20)


def test_exemption_list_removes_products_from_its_stacks_only() -> None:
    s = synthetic()
    chips_chn = pd.DataFrame(
        [("CHN", "8542310001", 10.0, 0.0), ("MYS", "8542310001", 10.0, 0.0)],
        columns=["exporter", "product", "value_usd", "mfn_rate"],
    )
    # chips are exempt from the reciprocal duty but not from the fentanyl duty
    assert rates_on(s, "2025-07-01", chips_chn) == pytest.approx([0.20, 0.0])


def test_usmca_share_scales_measures_that_exempt_usmca_goods() -> None:
    s = synthetic()
    can = LINES[LINES.exporter == "CAN"]
    assert rates_on(s, "2025-10-15", can) == pytest.approx([0.10])  # baseline only
    assert rates_on(s, "2025-10-15", can, usmca_share=0.0) == pytest.approx([0.20])
    assert rates_on(s, "2025-10-15", can, usmca_share=0.25) == pytest.approx([0.175])
    table = effective_rates(s, can, ["2025-10-15"], usmca_share=0.25)
    assert table.loc[0, "exempt_share"] == pytest.approx(0.25)


def test_measure_window_is_inclusive() -> None:
    s = synthetic()
    can = LINES[LINES.exporter == "CAN"]
    assert rates_on(s, "2025-09-30", can, usmca_share=0.0) == pytest.approx([0.10])
    assert rates_on(s, "2025-10-01", can, usmca_share=0.0) == pytest.approx([0.20])
    assert rates_on(s, "2025-10-31", can, usmca_share=0.0) == pytest.approx([0.20])
    assert rates_on(s, "2025-11-01", can, usmca_share=0.0) == pytest.approx([0.10])


def test_change_dates_of_the_synthetic_schedule() -> None:
    s = synthetic()
    assert change_dates(s, "2025-01-01", "2025-12-31") == [
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 1),
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
    ]
    assert change_dates(s, "2025-05-01", "2025-05-31") == [dt.date(2025, 5, 1)]
    with pytest.raises(InputError, match="end: 2025-01-01 is before start"):
        change_dates(s, "2025-02-01", "2025-01-01")


# ------------------------------------------------------------------------------- properties

CODES = ["7208100000", "8542310001", "9503000073", "2204210000", "0901210000"]
EXPORTERS = ["MYS", "VNM", "CHN", "EUU", "CAN", "FRA"]


@st.composite
def trade_lines(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=25))
    return pd.DataFrame(
        {
            "exporter": draw(st.lists(st.sampled_from(EXPORTERS), min_size=n, max_size=n)),
            "product": draw(st.lists(st.sampled_from(CODES), min_size=n, max_size=n)),
            "value_usd": draw(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n)),
            "mfn_rate": draw(st.lists(st.floats(0, 0.4, allow_nan=False), min_size=n, max_size=n)),
        }
    )


dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 12, 31))
shares = st.floats(0, 1)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(lines=trade_lines(), day=dates, u=shares)
def test_rates_are_never_negative(lines: pd.DataFrame, day: dt.date, u: float) -> None:
    table = line_rates(synthetic(), lines, day, usmca_share=u)
    assert (table["additional_rate"] >= 0).all()
    assert ((table["exempt_share"] >= 0) & (table["exempt_share"] <= 1)).all()


@SETTINGS
@given(lines=trade_lines(), day=dates, which=st.integers(0, 5))
def test_a_measure_outside_its_dates_changes_nothing(
    lines: pd.DataFrame, day: dt.date, which: int
) -> None:
    doc = synthetic_doc()
    s = synthetic(doc)
    m = s.measures[which]
    if m.in_force(day):
        return
    without = copy.deepcopy(doc)
    del without["measures"][which]
    assert rates_on(s, day.isoformat(), lines) == pytest.approx(
        rates_on(synthetic(without), day.isoformat(), lines)
    )


@SETTINGS
@given(lines=trade_lines(), day=dates, prefix=st.sampled_from(["72", "7208", "95", "2204", "0901"]))
def test_adding_an_exemption_never_raises_a_rate(
    lines: pd.DataFrame, day: dt.date, prefix: str
) -> None:
    doc = synthetic_doc()
    more = copy.deepcopy(doc)
    more["lists"]["extra"] = {"codes": [prefix]}
    more["exemptions"].append(
        {
            "id": "extra",
            "instrument": {"title": "extra exemption", "url": "https://example.gov/extra"},
            "effective_from": "2025-01-01",
            "applies_to": ["reciprocal", "s232", "surcharge"],
            "products": {"lists": ["extra"]},
        }
    )
    before = rates_on(synthetic(doc), day.isoformat(), lines)
    after = rates_on(synthetic(more), day.isoformat(), lines)
    assert (after <= before + 1e-12).all()


@SETTINGS
@given(
    lines=trade_lines(),
    day=dates,
    which=st.sampled_from([0, 1, 3, 4, 5]),
    low=st.floats(0, 1),
    step=st.floats(0, 1),
)
def test_rates_are_monotone_in_a_measures_rate(
    lines: pd.DataFrame, day: dt.date, which: int, low: float, step: float
) -> None:
    doc_low, doc_high = synthetic_doc(), synthetic_doc()
    doc_low["measures"][which]["rate"] = {"additional": low}
    doc_high["measures"][which]["rate"] = {"additional": low + step}
    r_low = rates_on(synthetic(doc_low), day.isoformat(), lines)
    r_high = rates_on(synthetic(doc_high), day.isoformat(), lines)
    assert (r_high >= r_low - 1e-12).all()
    e_low = effective_rates(synthetic(doc_low), lines, [day])["effective_additional_rate"]
    e_high = effective_rates(synthetic(doc_high), lines, [day])["effective_additional_rate"]
    assert (e_high.fillna(0) >= e_low.fillna(0) - 1e-12).all()


@SETTINGS
@given(lines=trade_lines(), day=dates)
def test_contributions_sum_to_the_effective_rate(lines: pd.DataFrame, day: dt.date) -> None:
    table = effective_rates(synthetic(), lines, [day])
    parts = table.filter(like="contribution_").sum(axis=1)
    rate = table["effective_additional_rate"]
    ok = rate.notna()
    assert parts[ok].to_numpy() == pytest.approx(rate[ok].to_numpy())


# ------------------------------------------------------------------------- input validation


def test_lines_are_validated() -> None:
    s = synthetic()
    with pytest.raises(InputError, match="missing column 'mfn_rate'"):
        line_rates(s, LINES.drop(columns="mfn_rate"), "2025-07-01")
    bad = LINES.assign(product=["72.08", *LINES["product"].tolist()[1:]])
    with pytest.raises(InputError, match=r"product '72\.08'"):
        line_rates(s, bad, "2025-07-01")
    with pytest.raises(InputError, match="value_usd must be a finite number >= 0"):
        line_rates(s, LINES.assign(value_usd=-1.0), "2025-07-01")
    with pytest.raises(InputError, match="date: '2025-02-30' is not a date"):
        line_rates(s, LINES, "2025-02-30")
    with pytest.raises(InputError, match="usmca_share"):
        line_rates(s, LINES, "2025-07-01", usmca_share=1.5)
    with pytest.raises(InputError, match="level: 'hs8'"):
        effective_rates(s, LINES, ["2025-07-01"], level="hs8")  # type: ignore[arg-type]
    with pytest.raises(UnknownCountryError, match="exporters: LAO not in the trade lines"):
        effective_rates(s, LINES, ["2025-07-01"], exporters=["LAO"])


def test_a_line_index_is_reused_and_checked() -> None:
    s = synthetic()
    index = index_lines(s, LINES)
    assert rates_on(s, "2025-07-01", index) == pytest.approx(rates_on(s, "2025-07-01"))
    with pytest.raises(InputError, match=r"usmca_share: the LineIndex was built with 1\.0"):
        line_rates(s, index, "2025-07-01", usmca_share=0.5)
    with pytest.raises(InputError, match="another schedule"):
        line_rates(synthetic(), index, "2025-07-01")


# ------------------------------------------------------- the real schedule on synthetic lines


@pytest.fixture(scope="module")
def us():  # type: ignore[no-untyped-def]
    return load_schedule()


def one_line(exporter: str, product: str, mfn: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {"exporter": [exporter], "product": [product], "value_usd": [1.0], "mfn_rate": [mfn]}
    )


def rate(us, exporter: str, product: str, day: str, mfn: float = 0.0, **kw: Any) -> float:  # type: ignore[no-untyped-def]
    return float(rates_on(us, day, one_line(exporter, product, mfn), **kw)[0])


GLOVE = "4015120000"  # medical rubber gloves (HS 4015.12)
CHIP = "8542310001"  # processors (HS 8542.31)
TOY = "9503000073"  # toys: no exemption anywhere
CAR = "8703230190"  # passenger car 1.5-3 l (8703.23)
STEEL = "7208100000"  # hot-rolled flat steel


def test_malaysia_chips_pay_nothing_additional_in_2025(us) -> None:
    for day in ("2025-04-09", "2025-06-01", "2025-09-01", "2025-12-01"):
        assert rate(us, "MYS", CHIP, day) == 0
    table = line_rates(us, one_line("MYS", CHIP), "2025-06-01")
    assert table.loc[0, "exempt_share"] == 1.0


def test_malaysia_gloves_path(us) -> None:
    assert rate(us, "MYS", GLOVE, "2025-04-04") == 0
    assert rate(us, "MYS", GLOVE, "2025-04-05") == pytest.approx(0.10)
    assert rate(us, "MYS", GLOVE, "2025-04-09") == pytest.approx(0.24)  # Annex I, one day
    assert rate(us, "MYS", GLOVE, "2025-06-01") == pytest.approx(0.10)
    assert rate(us, "MYS", GLOVE, "2025-08-07") == pytest.approx(0.19)
    assert rate(us, "MYS", GLOVE, "2025-09-01") == pytest.approx(0.19)
    assert rate(us, "MYS", GLOVE, "2026-02-20") == 0  # IEEPA duties ended
    assert rate(us, "MYS", GLOVE, "2026-03-01") == pytest.approx(0.10)  # Section 122
    assert rate(us, "MYS", GLOVE, "2026-07-24") == pytest.approx(0.10)  # Section 301, 10% tier


def test_china_path(us) -> None:
    # fentanyl 10% from 4 Feb, 20% from 4 Mar; reciprocal only from 5 Apr 2025
    assert rate(us, "CHN", TOY, "2025-02-03") == 0
    assert rate(us, "CHN", TOY, "2025-02-04") == pytest.approx(0.10)
    assert rate(us, "CHN", TOY, "2025-04-01") == pytest.approx(0.20)
    assert rate(us, "CHN", TOY, "2025-04-07") == pytest.approx(0.10 + 0.20)
    assert rate(us, "CHN", TOY, "2025-04-09") == pytest.approx(0.84 + 0.20)
    assert rate(us, "CHN", TOY, "2025-04-12") == pytest.approx(1.25 + 0.20)
    assert rate(us, "CHN", TOY, "2025-05-14") == pytest.approx(0.10 + 0.20)
    assert rate(us, "CHN", TOY, "2025-11-10") == pytest.approx(0.10 + 0.10)
    assert rate(us, "CHN", TOY, "2026-02-19") == pytest.approx(0.20)
    assert rate(us, "CHN", TOY, "2026-02-20") == 0
    assert rate(us, "CHN", TOY, "2026-02-24") == pytest.approx(0.10)
    assert rate(us, "CHN", TOY, "2026-07-24") == pytest.approx(0.125)
    # exempt lines pay the fentanyl duty only; Section 232 lines pay s232 + fentanyl
    assert rate(us, "CHN", CHIP, "2025-04-12") == pytest.approx(0.20)
    assert rate(us, "CHN", STEEL, "2025-04-12") == pytest.approx(0.25 + 0.20)
    assert rate(us, "HKG", TOY, "2025-04-12") == pytest.approx(1.45)
    assert rate(us, "MAC", TOY, "2025-04-12") == pytest.approx(1.25)  # no fentanyl duty


def test_eu_fifteen_percent_minus_mfn(us) -> None:
    assert rate(us, "EUU", TOY, "2025-04-09") == pytest.approx(0.20)
    assert rate(us, "EUU", TOY, "2025-09-01", mfn=0.04) == pytest.approx(0.11)
    assert rate(us, "DEU", TOY, "2025-09-01", mfn=0.0) == pytest.approx(0.15)
    assert rate(us, "FRA", TOY, "2025-09-01", mfn=0.16) == 0
    assert rate(us, "EU27", TOY, "2025-09-01", mfn=0.15) == 0


def test_japan_korea_switzerland_ceilings(us) -> None:
    assert rate(us, "JPN", TOY, "2025-08-07", mfn=0.02) == pytest.approx(0.13)  # retroactive
    assert rate(us, "KOR", TOY, "2025-11-13", mfn=0.02) == pytest.approx(0.15)  # flat
    assert rate(us, "KOR", TOY, "2025-11-14", mfn=0.02) == pytest.approx(0.13)
    assert rate(us, "CHE", TOY, "2025-11-13", mfn=0.02) == pytest.approx(0.39)
    assert rate(us, "CHE", TOY, "2025-11-14", mfn=0.02) == pytest.approx(0.13)


def test_deal_rates_replace_the_section_232_auto_rate(us) -> None:
    mfn = 0.025
    assert rate(us, "JPN", CAR, "2025-04-03", mfn) == pytest.approx(0.25)
    assert rate(us, "JPN", CAR, "2025-09-15", mfn) == pytest.approx(0.25)
    assert rate(us, "JPN", CAR, "2025-09-16", mfn) == pytest.approx(0.125)
    assert rate(us, "DEU", CAR, "2025-07-31", mfn) == pytest.approx(0.25)
    assert rate(us, "DEU", CAR, "2025-08-01", mfn) == pytest.approx(0.125)
    assert rate(us, "KOR", CAR, "2025-10-31", mfn) == pytest.approx(0.25)
    assert rate(us, "KOR", CAR, "2025-11-01", mfn) == pytest.approx(0.125)
    assert rate(us, "GBR", CAR, "2025-06-30", mfn) == pytest.approx(0.075)
    assert rate(us, "MEX", CAR, "2025-06-30", mfn) == pytest.approx(0.25)
    # the car pays no reciprocal duty: it is a Section 232 good
    table = line_rates(us, one_line("JPN", CAR, mfn), "2025-10-01")
    assert table.loc[0, "rate_reciprocal"] == 0 and table.loc[0, "s232"]


def test_steel_and_aluminum_rates_and_the_uk(us) -> None:
    assert rate(us, "KOR", STEEL, "2025-03-11") == 0
    assert rate(us, "KOR", STEEL, "2025-03-12") == pytest.approx(0.25)
    assert rate(us, "KOR", STEEL, "2025-06-04") == pytest.approx(0.50)
    assert rate(us, "GBR", STEEL, "2025-06-04") == pytest.approx(0.25)
    assert rate(us, "GBR", STEEL, "2026-04-06") == pytest.approx(0.25)  # Annex I-A, UK
    assert rate(us, "VNM", "7606125000", "2026-04-06") == pytest.approx(0.50)  # aluminum plate


def test_metals_annex_iii_is_fifteen_percent_all_in(us) -> None:
    code = "8428320000"  # Annex III: 84283200
    assert rate(us, "VNM", code, "2026-04-06", mfn=0.0) == pytest.approx(0.15)
    assert rate(us, "VNM", code, "2026-04-06", mfn=0.16) == 0
    # a Section 232 good: no Section 122 surcharge on top
    assert line_rates(us, one_line("VNM", code), "2026-04-06").loc[0, "rate_s122"] == 0


def test_end_of_ieepa_duties_on_20_february_2026(us) -> None:
    for exporter in ("MYS", "VNM", "IND", "BRA", "CHN", "EUU"):
        assert rate(us, exporter, TOY, "2026-02-19") > 0
        assert rate(us, exporter, TOY, "2026-02-20") == 0, exporter
    # Section 232 stays
    assert rate(us, "VNM", STEEL, "2026-02-20") == pytest.approx(0.50)


def test_section_122_window_and_exemptions(us) -> None:
    assert rate(us, "VNM", TOY, "2026-02-23") == 0
    assert rate(us, "VNM", TOY, "2026-02-24") == pytest.approx(0.10)
    assert rate(us, "VNM", TOY, "2026-07-23") == pytest.approx(0.10)
    assert rate(us, "LAO", TOY, "2026-07-23") == pytest.approx(0.10)
    assert rate(us, "LAO", TOY, "2026-07-24") == 0  # not one of the 60 economies
    assert rate(us, "VNM", "0901210000", "2026-03-01") == 0  # coffee: Annex exempt
    assert rate(us, "VNM", CHIP, "2026-03-01") == 0
    assert rate(us, "CAN", TOY, "2026-03-01") == 0  # all USMCA by default
    assert rate(us, "CAN", TOY, "2026-03-01", usmca_share=0.0) == pytest.approx(0.10)


def test_section_301_forced_labour_tiers(us) -> None:
    day = "2026-07-24"
    assert rate(us, "MYS", TOY, day) == pytest.approx(0.10)
    assert rate(us, "VNM", TOY, day) == pytest.approx(0.125)
    assert rate(us, "THA", TOY, day) == pytest.approx(0.125)
    assert rate(us, "EUU", TOY, day, mfn=0.03) == pytest.approx(0.07)
    assert rate(us, "TWN", TOY, day, mfn=0.12) == 0
    assert rate(us, "JPN", TOY, day, mfn=0.05) == pytest.approx(0.075)
    assert rate(us, "KOR", TOY, day, mfn=0.0) == pytest.approx(0.125)
    assert rate(us, "CHE", TOY, day, mfn=0.13) == 0
    assert rate(us, "MEX", TOY, day, usmca_share=0.0) == pytest.approx(0.10)
    assert rate(us, "VNM", "0901210000", day) == 0  # exemption proxy
    assert rate(us, "VNM", STEEL, day) == pytest.approx(0.50)  # Section 232 only


def test_brazil_and_india(us) -> None:
    assert rate(us, "BRA", TOY, "2025-08-05") == pytest.approx(0.10)
    assert rate(us, "BRA", TOY, "2025-08-06") == pytest.approx(0.50)
    assert rate(us, "BRA", "2709002000", "2025-08-06") == 0  # crude: Annex II and EO 14323
    assert rate(us, "BRA", "0801210000", "2025-08-06") == pytest.approx(0.10)  # EO 14323 list
    assert rate(us, "BRA", TOY, "2026-07-22") == pytest.approx(0.25 + 0.10)  # s301 + s122
    assert rate(us, "BRA", TOY, "2026-07-24") == pytest.approx(0.25 + 0.125)
    assert rate(us, "IND", TOY, "2025-08-26") == pytest.approx(0.25)
    assert rate(us, "IND", TOY, "2025-08-27") == pytest.approx(0.50)
    assert rate(us, "IND", "8517130000", "2025-08-27") == 0  # smartphones: April 11 list
    assert rate(us, "IND", TOY, "2026-02-07") == pytest.approx(0.18)


def test_canada_section_338_baskets(us) -> None:
    beer = "2203000000"
    assert rate(us, "CAN", beer, "2026-08-18") == 0
    assert rate(us, "CAN", beer, "2026-08-19") == pytest.approx(0.50)
    assert rate(us, "MEX", beer, "2026-08-19") == 0
    # 3926.90.99 is in the motor-vehicles basket and in the civil-aircraft carve-out
    assert rate(us, "CAN", "3926909910", "2026-08-19") == 0
    assert rate(us, "CAN", "0409000000", "2026-08-19") == pytest.approx(0.50)  # honey


def test_measures_in_force_and_change_dates_of_the_real_schedule(us) -> None:
    table = measures_in_force(us, "2025-04-12")
    ids = set(table["id"])
    assert {"reciprocal-chn-125", "ieepa-fentanyl-chn-20", "apr11-semiconductors"} <= ids
    assert "reciprocal-chn-84" not in ids
    assert table.loc[table.id == "apr11-semiconductors", "kind"].item() == "exemption"
    days = change_dates(us, "2025-01-01", "2026-08-31")
    assert days[0] == dt.date(2025, 1, 1)
    for d in (
        "2025-04-05",
        "2025-04-09",
        "2025-04-10",
        "2025-08-07",
        "2026-02-20",
        "2026-02-24",
        "2026-07-24",
        "2026-08-19",
    ):
        assert dt.date.fromisoformat(d) in days
    assert 25 <= len(days) <= 45


# ------------------------------------------------------------------------- census integration


FLOWS = pd.DataFrame(
    {
        "exporter": ["MYS", "MYS", "MYS", "VNM", "MYS"],
        "product": [GLOVE, CHIP, "9801001012", TOY, STEEL],
        "value_usd": [100.0, 300.0, 50.0, 200.0, 0.0],
        "duty_usd": [3.0, 0.0, 0.0, 0.0, 0.0],
    }
)


def test_census_lines_derive_the_mfn_proxy() -> None:
    lines = census_lines(FLOWS)
    assert lines["product"].tolist() == [GLOVE, CHIP, TOY, STEEL]  # chapter 98 dropped
    assert lines["mfn_rate"].tolist() == pytest.approx([0.03, 0.0, 0.0, 0.0])
    with pytest.raises(InputError, match="missing column 'duty_usd'"):
        census_lines(FLOWS.drop(columns="duty_usd"))
    with pytest.raises(InputError, match="is not an HS10 code"):
        census_lines(FLOWS.assign(product="4015"))


def test_tariff_timeline_result(us) -> None:
    result = tariff_timeline(FLOWS, ["MYS", "VNM"], start="2025-06-01", end="2025-09-01")
    payload = result.to_dict()
    assert payload["importer"] == "USA" and payload["level"] == "exporter"
    assert payload["dates"][0] == "2025-06-01" and "2025-08-07" in payload["dates"]
    rows = pd.DataFrame(payload["rows"])
    assert {"date", "exporter", "effective_additional_rate"} <= set(rows.columns)
    mys = rows[(rows.exporter == "MYS") & (rows.date == dt.date(2025, 8, 7))].iloc[0]
    # gloves 19%, chips exempt, steel line has no value: (100 x 0.19) / 400
    assert mys["effective_additional_rate"] == pytest.approx(19 / 400)
    assert mys["baseline_rate_2024"] == pytest.approx(3 / 400)
    assert mys["exempt_share"] == pytest.approx(0.75)
    assert result.provenance["schedule"]["sha256"] == us.provenance["sha256"]
    assert any("USMCA" in a for a in result.assumptions)
    with pytest.raises(InputError, match="either dates or start/end"):
        tariff_timeline(FLOWS, dates=["2025-01-01"], start="2025-01-01")
    with pytest.raises(UnknownCountryError, match="LAO not in the trade lines"):
        tariff_timeline(FLOWS, ["MYS", "LAO"], dates=["2025-09-01"])
    by_product = tariff_timeline(FLOWS, ["MYS"], dates=["2025-09-01"], level="hs6").rows
    assert by_product.set_index("hs6").loc["401512", "effective_additional_rate"] == pytest.approx(
        0.19
    )

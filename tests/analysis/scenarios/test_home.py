"""Home's view of a scenario: the Shapley split and the level/gap split add up exactly.

Hand-worked 2-supplier market (SMART, sigma 2, eps_m -1, perfectly elastic supply):
US imports of 854231 are MYS (home) 60 and CHN 40; MYS 0 -> 10%, CHN 0 -> 30%.
Laird-Yeats per source (pe_smart): M^D_c = T (M_c / d_c) / sum(M / d), d_c = 1 + sigma p_c.

    both:          d = (1.2, 1.6): M^D_MYS = 100 * 50 / 75 = 200/3; TD = 20/3; TC = -6
                   total T = 20/3 - 6 = 2/3
    own alone:     d = (1.2, 1):   M^D_MYS = 100 * 50 / 90 = 500/9; TD = -40/9; TC = -6
                   own_alone = -94/9
    rivals alone:  d = (1, 1.6):   M^D_MYS = 100 * 60 / 85 = 1200/17; TD = 180/17; TC = 0
                   rivals_alone = 180/17
    Shapley:       own = (own_alone + T - rivals_alone) / 2 = -1558/153 = -10.1830
                   rivals = T - own = 1660/153 = 10.8497
    level:         every supplier on MYS's factor 1.1: no diversion, level = TC = -6
                   gap = T - level = 20/3
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.scenarios import load_scenario, run_on_flows
from tradelever.analysis.scenarios.home import shapley_two

FRAME = pd.DataFrame(
    {
        "importer": ["USA", "USA"],
        "exporter": ["MYS", "CHN"],
        "code": ["854231", "854231"],
        "value": [60.0, 40.0],
    }
)


def _measure(exporters: list[str], rate: float, importer: str = "USA") -> dict[str, object]:
    return {
        "importer": importer,
        "exporters": exporters,
        "products": "all",
        "new_rate": rate,
        "basis": "reciprocal",
        "source": "test",
    }


def _scenario(measures: list[dict[str, object]], sigma: float = 2.0):  # type: ignore[no-untyped-def]
    return load_scenario(
        {
            "name": "home-test",
            "elasticities": {"substitution": sigma, "import_demand": -1.0},
            "measures": measures,
        }
    )


def _run(frame: pd.DataFrame, measures, mode: str = "smart", **kw):  # type: ignore[no-untyped-def]
    return run_on_flows(
        frame,
        _scenario(measures, **kw),
        mode=mode,
        home="MYS",
        industry_level=False,
        classification="HS17",
    )


def test_two_supplier_market_by_hand() -> None:
    r = _run(FRAME, [_measure(["MYS"], 0.10), _measure(["CHN"], 0.30)])
    h = r.home
    assert h["total_effect_usd"] == pytest.approx(2 / 3)
    assert h["own_tariffs_alone_usd"] == pytest.approx(-94 / 9)
    assert h["rival_tariffs_alone_usd"] == pytest.approx(180 / 17)
    assert h["own_tariff_effect_usd"] == pytest.approx(-1558 / 153)
    assert h["rival_tariff_effect_usd"] == pytest.approx(1660 / 153)
    assert h["rate_level_effect_usd"] == pytest.approx(-6.0)
    assert h["rate_gap_effect_usd"] == pytest.approx(20 / 3)
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"], abs=1e-12
    )
    row = r.home_rows.iloc[0]
    assert row["own_tariff_effect_usd"] + row["rival_tariff_effect_usd"] == row["total_effect_usd"]
    assert "Shapley" in h["decomposition"] and "level first" in h["decomposition"]


def test_uniform_tariff_has_no_gap() -> None:
    # The case: a uniform 25% on everyone. Level = total, gap = 0; the Shapley
    # split still adds up (own loss, rivals' offsetting diversion gain).
    r = _run(FRAME, [_measure("all", 0.25)])  # type: ignore[arg-type]
    h = r.home
    assert h["total_effect_usd"] == pytest.approx(-1.0 * 60 * 0.25)  # creation only
    assert h["rate_gap_effect_usd"] == pytest.approx(0.0, abs=1e-12)
    assert h["rate_level_effect_usd"] == pytest.approx(h["total_effect_usd"])
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"], abs=1e-12
    )


def test_shapley_two_by_hand() -> None:
    own, rivals = shapley_two(np.array([2.0]), np.array([-10.0]), np.array([9.0]))
    assert own.tolist() == [0.5 * (-10 + 2 - 9)]
    assert rivals.tolist() == [2.0 - 0.5 * (-10 + 2 - 9)]


@st.composite
def markets(draw: st.DrawFn) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """SYNTHETIC: 1-3 product markets of USA, MYS and 1-3 rivals, random rates."""
    rivals = ["CHN", "THA", "VNM"][: draw(st.integers(1, 3))]
    codes = ["854231", "401519", "280530"][: draw(st.integers(1, 3))]
    rows = []
    for code in codes:
        for exporter in ["MYS", *rivals]:
            rows.append(("USA", exporter, code, draw(st.floats(1.0, 1e6))))
    frame = pd.DataFrame(rows, columns=["importer", "exporter", "code", "value"])
    rate = st.floats(0.0, 1.5)
    home_rate = draw(st.one_of(st.just(0.0), rate))
    rival_rates = [draw(st.one_of(st.just(0.0), rate)) for _ in rivals]
    measures = [_measure(["MYS"], home_rate)]
    measures += [_measure([c], t) for c, t in zip(rivals, rival_rates, strict=True)]
    return frame, measures


@pytest.mark.parametrize("mode", ["smart", "ces"])
@settings(max_examples=25, deadline=None)
@given(data=markets(), sigma=st.floats(1.1, 15.0))
def test_decompositions_add_up(mode: str, data, sigma: float) -> None:  # type: ignore[no-untyped-def]
    frame, measures = data
    r = _run(frame, measures, mode=mode, sigma=sigma)
    rows = r.home_rows
    tol = 1e-9 * frame["value"].sum()
    total = rows["total_effect_usd"].to_numpy()
    own = rows["own_tariff_effect_usd"].to_numpy()
    rivals = rows["rival_tariff_effect_usd"].to_numpy()
    assert own + rivals == pytest.approx(total, abs=tol)
    gap = rows["rate_gap_effect_usd"].to_numpy()
    assert rows["rate_level_effect_usd"].to_numpy() + gap == pytest.approx(total, abs=tol)
    # Dummy factors: a factor that changes nothing contributes nothing.
    home_rate = measures[0]["new_rate"]
    if home_rate == 0.0:
        assert own == pytest.approx(np.zeros(len(own)), abs=tol)
    if all(m["new_rate"] == 0.0 for m in measures[1:]):
        assert rivals == pytest.approx(np.zeros(len(rivals)), abs=tol)
    # Home's new exports are never negative; nor is any row's.
    assert np.all(rows["baseline_exports_usd"] + rows["total_effect_usd"] >= -tol)

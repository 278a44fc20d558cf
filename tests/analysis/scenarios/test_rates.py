"""Tariff schedule assembly: the stacking rules of the 2025 US orders, worked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tradelever.analysis.scenarios import parse_scenario
from tradelever.analysis.scenarios.rates import RowIndex, code_elasticities, schedule
from tradelever.analysis.scenarios.selectors import Notes
from tradelever.errors import InputError

# rows: (importer, exporter, code)
ROWS = [
    ("USA", "MYS", "401519"),  # gloves: reciprocal applies
    ("USA", "MYS", "854231"),  # chips: April 11 exemption
    ("USA", "MYS", "720851"),  # steel: s232 replaces reciprocal
    ("USA", "CHN", "401519"),  # China: reciprocal + fentanyl stack
    ("USA", "DEU", "401519"),  # EU: 15% all-in over a 3% MFN rate
]


def _rows() -> RowIndex:
    cols = list(zip(*ROWS, strict=True))
    out = []
    for col in cols:
        uniques, idx = np.unique(np.asarray(col, dtype=object).astype(str), return_inverse=True)
        out.append((idx, uniques.astype(object)))
    return RowIndex(out[0][0], out[0][1], out[1][0], out[1][1], out[2][0], out[2][1], False)


def _m(exporters, rate, basis="reciprocal", **kw):
    return {
        "importer": "USA",
        "exporters": exporters,
        "products": kw.pop("products", "all"),
        "new_rate": rate,
        "basis": basis,
        "source": "test",
        **kw,
    }


SCENARIO = {
    "name": "stack",
    "date": "2025-08-07",
    "baseline": [{"importer": "USA", "products": ["4015"], "rate": 0.03, "source": "MFN"}],
    "measures": [
        _m("all", 0.10, exempt=["apr11-semiconductors"]),
        _m(["MYS"], 0.19, exempt=["apr11-semiconductors"]),
        _m(["EU27"], 0.15, all_in=True),
        _m(["CHN"], 0.20, basis="fentanyl"),
        _m("all", 0.50, basis="section232", products=["s232-steel"]),
        _m(["MYS"], 0.99, effective="2026-01-01"),  # after the schedule date: skipped
    ],
}


def test_stacking_rules_by_hand() -> None:
    notes = Notes()
    s = schedule(parse_scenario(SCENARIO), _rows(), notes)
    # baseline: MFN 3% on gloves only
    assert s.t0.tolist() == pytest.approx([0.03, 0.0, 0.0, 0.03, 0.03])
    assert s.t1.tolist() == pytest.approx(
        [
            0.03 + 0.19,  # gloves from Malaysia: MFN + 19% (later measure replaces the 10%)
            0.0,  # chips: exempt from the reciprocal duty
            0.50,  # steel: s232 50% replaces the reciprocal 19%
            0.03 + 0.10 + 0.20,  # China: MFN + 10% + 20% fentanyl
            0.15,  # EU: all-in 15% = MFN 3% + 12%
        ]
    )
    assert s.duties["section232"][2] == 0.5 and s.duties["reciprocal"][2] == 0.0
    assert any("after the schedule date" in n for n in notes.items)


def test_change_adds_and_negative_rates_are_refused() -> None:
    sc = dict(SCENARIO, measures=[_m(["MYS"], None, change=0.05)])
    del sc["measures"][0]["new_rate"]
    s = schedule(parse_scenario(sc), _rows(), Notes())
    assert s.t1.tolist() == pytest.approx([0.08, 0.05, 0.05, 0.03, 0.03])
    sc["measures"][0]["change"] = -0.5
    with pytest.raises(InputError, match=r"^scenario stack: measures\[0\]\.change: .* negative"):
        schedule(parse_scenario(sc), _rows(), Notes())


def test_relative_to_uses_the_other_schedule() -> None:
    sc = parse_scenario(
        {"name": "rel", "relative_to": "us-2025-04-10", "measures": [_m(["CHN"], 0.10)]}
    )
    s = schedule(sc, _rows(), Notes())
    # us-2025-04-10: China 125% + 20% fentanyl on gloves; now 10% only
    assert s.t0[3] == pytest.approx(1.45)
    assert s.t1[3] == pytest.approx(0.10)


def test_elasticity_precedence() -> None:
    sc = parse_scenario(
        {
            "name": "el",
            "elasticities": {
                "import_demand": -0.8,
                "products": {"4015": {"substitution": 7.0}, "401519": {"import_demand": -2.0}},
            },
            "measures": [_m("all", 0.1)],
        }
    )
    codes = np.array(["401519", "854231", "720851"], dtype=object)
    el = code_elasticities(sc, codes, "HS17", Notes())
    assert el.sigma[0] == 7.0  # prefix override
    assert el.import_demand.tolist() == [-2.0, -0.8, -0.8]  # longest prefix, then scenario
    assert np.isinf(el.export_supply).all()
    assert "Caliendo and Parro" in el.sigma_source[1]


def test_effective_dates_parse() -> None:
    sc = parse_scenario(SCENARIO)
    assert sc.date == dt.date(2025, 8, 7)
    assert sc.measures[-1].effective == dt.date(2026, 1, 1)

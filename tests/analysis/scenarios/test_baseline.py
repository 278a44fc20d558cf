"""Every scenario result names its baseline; comparisons are on one base."""

from __future__ import annotations

import pandas as pd
import pytest

from tradelever.analysis.scenarios import (
    common_baseline,
    compare_home,
    load_scenario,
    resolve_baseline,
    run_on_flows,
)
from tradelever.errors import InputError, UnknownCodeError

# SYNTHETIC market: US imports of 401519 from MYS 60, THA 30, VNM 10.
FRAME = pd.DataFrame(
    {
        "importer": ["USA"] * 3,
        "exporter": ["MYS", "THA", "VNM"],
        "code": ["401519"] * 3,
        "value": [60.0, 30.0, 10.0],
    }
)


def _sc(name: str, rates: dict[str, float], **extra: object):  # type: ignore[no-untyped-def]
    return load_scenario(
        {
            "name": name,
            "elasticities": {"substitution": 3.0, "import_demand": -1.0},
            "measures": [
                {
                    "importer": "USA",
                    "exporters": [c],
                    "products": "all",
                    "new_rate": t,
                    "basis": "reciprocal",
                    "source": "test",
                }
                for c, t in rates.items()
            ],
            **extra,
        }
    )


def _run(sc, baseline=None, home="MYS"):  # type: ignore[no-untyped-def]
    return run_on_flows(
        FRAME,
        sc,
        mode="smart",
        home=home,
        baseline=baseline,
        industry_level=False,
        classification="HS17",
        params={"scenario": sc.name, "year": 2023},
    )


def test_default_baseline_is_no_additional_tariffs_and_is_stated() -> None:
    r = _run(_sc("deal", {"MYS": 0.19, "THA": 0.19, "VNM": 0.20}))
    assert r.params["baseline"]["kind"] == "no_additional_tariffs"
    assert r.params["baseline"]["label"] == "no additional tariffs"
    stated = [a for a in r.assumptions if a.startswith("baseline:")]
    assert len(stated) == 1 and "no additional tariffs" in stated[0] and "2023" in stated[0]


def test_relative_to_and_override_name_the_schedule() -> None:
    rel = _sc("deal-vs-april", {"MYS": 0.19}, relative_to="us-2025-04-02")
    r = _run(rel)
    b = r.params["baseline"]
    assert b["kind"] == "schedule" and b["scenario"] == "us-2025-04-02"
    assert b["date"] == "2025-04-09"
    assert b["label"] == "schedule us-2025-04-02 (in force on 2025-04-09)"
    # April 2 schedule: MYS 24%, THA 36%, VNM 46% -> the new schedule taxes only MYS (19%)
    rows = r.rows.set_index("exporter")
    assert rows.loc["MYS", "old_rate"] == pytest.approx(0.24)
    assert rows.loc["THA", "old_rate"] == pytest.approx(0.36)
    assert rows.loc["THA", "new_rate"] == 0.0
    assert any("schedule us-2025-04-02" in a for a in r.assumptions)
    # the same scenario measured against no additional tariffs
    r0 = _run(rel, baseline="none")
    assert r0.params["baseline"]["kind"] == "no_additional_tariffs"
    assert r0.rows.set_index("exporter").loc["MYS", "old_rate"] == 0.0


def test_unknown_baseline_names_the_field() -> None:
    with pytest.raises(UnknownCodeError, match=r"^baseline: nope: unknown scenario"):
        resolve_baseline(_sc("x", {"MYS": 0.1}), "nope")
    sc = _sc("x", {"MYS": 0.1}, relative_to="nope")
    with pytest.raises(UnknownCodeError, match=r"^relative_to: nope"):
        resolve_baseline(sc)


def test_compare_on_one_base_and_refuse_two() -> None:
    first = _sc("competitors-first", {"MYS": 0.25, "THA": 0.19, "VNM": 0.20})
    deal = _sc("deal", {"MYS": 0.19, "THA": 0.19, "VNM": 0.20})
    ra, rb = _run(first), _run(deal)
    out = compare_home(ra, rb, FRAME, "MYS")
    assert out.params["baseline"]["kind"] == "no_additional_tariffs"
    assert out.summary["baseline"] == "no additional tariffs"
    assert out.summary["difference_usd"] > 0  # settling too is better than waiting
    assert "both measured against no additional tariffs" in out.assumptions[0]
    # B measured against another schedule: refused, naming both baselines
    rel = _sc("deal-rel", {"MYS": 0.19}, relative_to="us-2025-04-02")
    with pytest.raises(InputError, match="against no additional tariffs and deal-rel against"):
        compare_home(ra, _run(rel), FRAME, "MYS")


def test_common_baseline() -> None:
    a = _sc("a", {"MYS": 0.1}, relative_to="us-2025-04-02")
    b = _sc("b", {"MYS": 0.2}, relative_to="us-2025-04-02")
    c = _sc("c", {"MYS": 0.2})
    assert common_baseline(a, b) == "us-2025-04-02"
    assert common_baseline(a, c) == "none"
    ra = _run(a, baseline=common_baseline(a, c))
    rc = _run(c, baseline=common_baseline(a, c))
    assert compare_home(ra, rc, FRAME, "MYS").summary["baseline"] == "no additional tariffs"

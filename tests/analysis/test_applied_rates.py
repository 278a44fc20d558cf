"""Applied rates: calculated duty over customs value, by hand and on census-us-2024."""

from __future__ import annotations

import math
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from tradelever.analysis.applied_rates import applied_rate, applied_rates
from tradelever.analysis.leverage import product_code_expr
from tradelever.errors import InputError
from tradelever.store import Store


def _synthetic_flows() -> pd.DataFrame:
    """Synthetic US import lines (not real figures)."""
    rows = [
        ("MYS", "4015120000", 100.0, 3.0),
        ("MYS", "4015190510", 50.0, 0.0),
        ("CHN", "4015120000", 200.0, 14.0),
        ("CHN", "8542310001", 10.0, 0.0),
        ("VNM", "8542310001", 0.0, 0.0),
    ]
    frame = pd.DataFrame(rows, columns=["exporter", "product", "value_usd", "duty_usd"])
    return frame.assign(year=2024, importer="USA")


def test_applied_rate_by_hand() -> None:
    out = applied_rate([3.0, 0.0, 5.0], [100.0, 50.0, 0.0])
    assert out[0] == pytest.approx(0.03) and out[1] == 0.0 and math.isnan(out[2])


def test_applied_rates_per_code_and_exporter() -> None:
    coded = product_code_expr(ibis.memtable(_synthetic_flows()), "hs6")
    by = applied_rates(coded, year=2024).set_index(["code", "exporter"])
    assert by.loc[("401512", "MYS"), "applied_rate"] == pytest.approx(0.03)
    assert by.loc[("401519", "MYS"), "applied_rate"] == 0.0
    assert math.isnan(by.loc[("854231", "VNM"), "applied_rate"])
    total = applied_rates(coded, year=2024, by_exporter=False).set_index("code")
    # 401512: (3 + 14) / (100 + 200)
    assert total.loc["401512", "applied_rate"] == pytest.approx(17 / 300)
    only = applied_rates(coded, year=2024, exporters=["MYS"], by_exporter=False)
    assert set(only["code"]) == {"401512", "401519"}


def test_applied_rates_need_duties() -> None:
    flows = ibis.memtable(_synthetic_flows().drop(columns="duty_usd"))
    with pytest.raises(InputError, match="records no duties"):
        applied_rates(product_code_expr(flows, "hs6"), year=2024)


def test_malaysia_2024_applied_rate_from_census(icio_data_dir: Path) -> None:
    """README of census-us-imports-2024: Malaysia's calculated duty 0.67% of value."""
    store = Store(icio_data_dir)  # open_store prepared every embedded data set
    coded = product_code_expr(store.table("census-us-2024", "flows"), "hs2")
    by = applied_rates(coded, year=2024, exporters=["MYS"])
    rate = by["duty_usd"].sum() / by["value_usd"].sum()
    assert round(100 * rate, 2) == 0.67
    assert np.all((by["applied_rate"] >= 0) | by["applied_rate"].isna())

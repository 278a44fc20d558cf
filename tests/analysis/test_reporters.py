"""The single-reporter rule: which indicators are null, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradelever.analysis import reporters as rp
from tradelever.errors import InputError


def test_world_trade_keeps_every_indicator() -> None:
    assert rp.single_reporter_nulls(None) == {}


def test_one_reporter_nulls_the_world_indicators_with_reasons() -> None:
    nulls = rp.single_reporter_nulls(("USA",), dataset="census-us-2024")
    assert set(nulls) == {
        "home_world_export_share",
        "home_export_weight",
        "home_rca",
        "rival_rca",
        "world_export_hhi",
        "world_export_hhi_flag",
        "rest_of_world_supply_ratio",
        "partner_imports_to_exports",
        "eu_import_share_flag",
    }
    reason = nulls["home_world_export_share"]
    assert "census-us-2024 holds only the imports of USA" in reason and "BACI" in reason
    assert "partner's own exports" in nulls["partner_imports_to_exports"]


def test_only_partner_imports_detects_one_destination() -> None:
    assert rp.only_partner_imports([10.0, 5.0], [10.0, 5.0])
    assert not rp.only_partner_imports([10.0, 6.0], [10.0, 5.0])
    assert not rp.only_partner_imports([], [])


def test_apply_nulls_sets_numbers_to_nan_and_flags_to_none() -> None:
    rows = pd.DataFrame(
        {
            "code": ["a", "b"],
            "home_rca": [1.5, 0.2],
            "eu_import_share_flag": [True, False],
            "partner_import_hhi": [0.3, 0.5],
        }
    )
    out = rp.apply_nulls(rows, rp.single_reporter_nulls(("USA",)))
    assert out["home_rca"].isna().all()
    assert list(out["eu_import_share_flag"]) == [None, None]
    assert np.allclose(out["partner_import_hhi"], [0.3, 0.5])  # partner-side stays
    assert rows["home_rca"].notna().all()  # input untouched


def test_partner_must_be_a_reporter() -> None:
    rp.check_partner_reported(("USA",), "USA", dataset="census-us-2024")
    rp.check_partner_reported(None, "MYS", dataset="baci")
    with pytest.raises(InputError, match=r"^partner: census-us-2024 holds only the imports of USA"):
        rp.check_partner_reported(("USA",), "MYS", dataset="census-us-2024")

"""A brief from a stub session with hand-made results (synthetic, no data store).

Shows the layering: the brief needs only objects with the analysis methods; and checks the
plain-table fallback for results whose columns the narrative builders do not know.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tradelever.analysis.leverage import LeverageResult
from tradelever.analysis.result import TableResult
from tradelever.brief import FxRate, build_brief

PROV = {
    "name": "stub",
    "source": "synthetic stub data (not real trade figures)",
    "version": "test",
    "classification": "HS17",
    "licence": "test data",
    "year": 2023,
}


def _leverage(home, partner, rival=None, **kw):  # type: ignore[no-untyped-def]
    rows = pd.DataFrame(
        {
            "code": ["854231", "401519", "100630"],
            "description": ["Processors", "Gloves", "Rice"],
            "home_share_of_partner_imports": [0.5, 1.0, 0.0],
            "partner_imports_usd": [100.0, 80.0, 10.0],
            "home_exports_to_partner_usd": [50.0, 80.0, 0.0],
            "home_world_export_share": [0.4, 0.9, 0.0],
            "rival_share_of_partner_imports": [0.3, 0.0, 0.5],
            "partner_import_hhi": [0.38, 1.0, 0.5],
            "home_export_weight": [0.4, 0.6, 0.0],
            "partner_cost_of_losing_home_usd": [40.0, np.inf, 0.0],
            "sigma": [4.0, 3.0, 2.0],
        }
    )
    return LeverageResult(home, partner, rival, "stub", 2023, "hs6", rows, PROV, ["synthetic"])


class Stub:
    leverage = staticmethod(_leverage)

    def exposure(self, home, partner, **kw):  # type: ignore[no-untyped-def]
        rows = pd.DataFrame({"code": ["854231", "401519"], "value_usd": [50.0, 80.0]})
        return TableResult("exposure", {"home": home}, rows, PROV, ["stub note"], None,
                           {"total_usd": 130.0, "label": "text is not a figure"})  # fmt: skip


def test_stub_brief_sole_supplier_first_and_plain_table_fallback() -> None:
    brief = build_brief(Stub(), "MYS", "USA", rival="CHN")
    assert brief.check_figures() == []
    from tradelever.brief.model import Bullets

    bullets = [b.text for b in brief.section("leverage").of_type(Bullets)[0].items]
    # ASK-LEVERAGE ranks the sole supplier (unbounded cost) first; rice has no cost: no ask.
    assert bullets[0].startswith("Malaysia supplies 100.0% of the United States' imports of gloves")
    assert "sole supplier" in bullets[0]
    assert len(bullets) == 2
    exposure = brief.section("exposure")
    assert exposure.available
    (table,) = exposure.tables
    assert table.headers[0] == "Code" and table.headers[1].startswith("Value")
    assert [f.value for f in table.figures()] == [50.0, 80.0]
    assert "Total (US$): US$130." in [p.text for p in exposure.paragraphs()]
    assert "Stub note." in exposure.notes
    assert not brief.section("formula").available
    md = brief.to_markdown()
    assert "intermediate goods only" not in md and "stub; 2023; HS17: 401519" in md


@given(
    usd=st.floats(min_value=1.0, max_value=1e13, allow_nan=False),
    rate=st.floats(min_value=0.01, max_value=20_000.0, allow_nan=False),
)
def test_home_currency_text_is_the_dollar_value_times_the_rate(usd: float, rate: float) -> None:
    fx = FxRate.parse("MYR", rate, "2025-04-02")
    text = fx.fmt(usd)
    assert text.startswith("RM")
    number, _, suffix = text[2:].partition(" ")
    scale = {"tn": 1e12, "bn": 1e9, "m": 1e6, "k": 1e3, "": 1.0}[suffix]
    shown = float(number.replace(",", "")) * scale
    # Two decimals at the chosen scale (whole units below a thousand).
    assert math.isclose(shown, usd * rate, abs_tol=0.005 * scale + 0.5)

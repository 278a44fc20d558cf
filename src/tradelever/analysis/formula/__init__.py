"""The US "reciprocal" tariff formula of 2 April 2025, its Annex I and the purchases what-if.

Split along its seams:

- :mod:`~tradelever.analysis.formula.rate`: the formula itself, rate = max(10%,
  (m - x) / (2 m)), its roundings, and the queries that read m and x from a data set;
- :mod:`~tradelever.analysis.formula.annex`: Annex I of EO 14257, the computation the US
  used (68 of the 71 revised rates reproduced from the Census 2024 balance) and
  ``formula-annex``;
- :mod:`~tradelever.analysis.formula.purchases`: the extra purchases that bring the rate
  to a target (never below the 10% floor);
- :mod:`~tradelever.analysis.formula.analysis`: the ``formula`` analysis (options,
  orchestration, assumptions).

The bilateral balance over time is :mod:`tradelever.analysis.balance`. Every public name
of the four modules is importable from here (``from tradelever.analysis import formula as
fm; fm.formula_rate(m, x)``).
"""

from tradelever.analysis.balance import (
    ICIO_GOODS_INDUSTRIES,
    annual_balance,
    bilateral_balance,
    bilateral_goods_trade,
    goods_codes,
    partner_trade_by_country,
)
from tradelever.analysis.formula.analysis import (
    FORMULA,
    FORMULA_COLUMNS,
    formula,
    formula_from_figures,
    formula_rows,
)
from tradelever.analysis.formula.annex import (
    ANNEX_COLUMNS,
    ANNEX_MATCH_COLUMNS,
    ANNEX_VERSIONS,
    FORMULA_ANNEX,
    AnnexEntry,
    AnnexRate,
    annex_entries,
    annex_i_rate,
    annex_match_table,
    annex_reproduction,
    announced_rate,
    formula_annex,
)
from tradelever.analysis.formula.purchases import (
    TARGET_RATE,
    additional_exports_needed,
    check_target,
)
from tradelever.analysis.formula.rate import (
    ANNEX_PARTNER,
    FLOOR_RATE,
    MIN_PLAUSIBLE_USD,
    check_amount,
    deficit_over_imports,
    formula_rate,
    nearest_percent,
    whole_percent,
)

__all__ = [
    "ANNEX_COLUMNS",
    "ANNEX_MATCH_COLUMNS",
    "ANNEX_PARTNER",
    "ANNEX_VERSIONS",
    "FLOOR_RATE",
    "FORMULA",
    "FORMULA_ANNEX",
    "FORMULA_COLUMNS",
    "ICIO_GOODS_INDUSTRIES",
    "MIN_PLAUSIBLE_USD",
    "TARGET_RATE",
    "AnnexEntry",
    "AnnexRate",
    "additional_exports_needed",
    "annex_entries",
    "annex_i_rate",
    "annex_match_table",
    "annex_reproduction",
    "announced_rate",
    "annual_balance",
    "bilateral_balance",
    "bilateral_goods_trade",
    "check_amount",
    "check_target",
    "deficit_over_imports",
    "formula",
    "formula_annex",
    "formula_from_figures",
    "formula_rate",
    "formula_rows",
    "goods_codes",
    "nearest_percent",
    "partner_trade_by_country",
    "whole_percent",
]

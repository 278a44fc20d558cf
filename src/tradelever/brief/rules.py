"""Rules that turn the numbers into recommended asks and offers.

The rules are stated here once and printed in the brief's method section (:data:`RULES`), so
a reader can check every recommendation against the figures it cites. They rank; they do not
invent thresholds the data cannot support. Each rule names the analysis it reads; when that
analysis is missing from the brief the rule yields nothing and the brief says so.

ASK-LEVERAGE (leverage)
    Ask for relief (exemption or a lower rate) on the codes where the counterpart would pay most
    to replace the home country's supply: the top ``n`` codes by
    ``partner_cost_of_losing_home_usd`` (the rise in the counterpart's CES import bill), with
    "unbounded" (home is the sole supplier) ranked first and codes with no cost left out.
OFFER-SUBSTITUTE (substitutes)
    Offer to supply more of the codes where the counterpart depends on the rival and the home
    country is a credible alternative supplier: the first ``n`` rows of the substitution
    ranking, in its own order.
OFFER-PURCHASES (concessions, formula)
    Offer purchases from the counterpart in the products the home country buys from third
    countries and the counterpart exports competitively: the first ``n`` rows of the concession
    ranking; when the reciprocal formula reports the purchases needed to reach a target rate,
    the offer is set against that amount.
PROTECT-EXPOSURE (exposure)
    Protect the home exports most exposed to the counterpart: the first ``n`` rows of the
    exposure ranking.
ASK-SEQUENCING (compare_scenarios)
    When the brief has both a "deal" and a "competitors first" outcome, ask to settle on terms
    no worse than the competitors' and no later: the cost of waiting is the difference in home
    exports between the two schedules (``compare_scenarios``: deal minus competitors first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["COMPETITORS_FIRST", "DEAL", "RULES", "Rules", "leverage_asks"]


@dataclass(frozen=True)
class Rules:
    """How many recommendations each rule gives (the only parameter of the rules)."""

    n_asks: int = 3
    n_offers: int = 3
    n_protect: int = 3


RULES: dict[str, str] = {
    "ASK-LEVERAGE": (
        "Ask for relief on the products where the counterpart would pay most to replace the "
        "home country's supply (the rise in its CES import bill), sole-supplier products "
        "first, skipping products that pay no additional duty on the brief's date (exempt, or "
        "outside every measure): relief there gains nothing."
    ),
    "ASK-SEQUENCING": (
        "With a 'deal' and a 'competitors first' outcome on the same baseline, ask for a rate "
        "no worse than the competitors', settled no later: the cost of waiting is the "
        "difference in home exports between the two schedules."
    ),
    "OFFER-PURCHASES": (
        "Offer the purchases that bring the reciprocal formula to the 10% floor (the rise in "
        "the counterpart's exports to the home country, from its goods balance) and, where the "
        "data hold the home country's imports by origin, the products they can come from."
    ),
    "OFFER-SUBSTITUTE": (
        "Offer to replace the rival's supply in the first products of the rival-substitution "
        "ranking, up to what the home country can redirect from its other buyers."
    ),
    "PROTECT-EXPOSURE": (
        "Protect the home exports most exposed to the counterpart: the first products of the "
        "exposure ranking."
    ),
    "PRECEDENTS": (
        "Cite the peers' deals that state a tariff-elimination pledge and a rate, as quoted "
        "in the White House texts."
    ),
}

#: Outcome labels the ASK-SEQUENCING rule compares (``--scenario "deal=NAME"``).
DEAL, COMPETITORS_FIRST = "deal", "competitors first"


def leverage_asks(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """Rows selected by ASK-LEVERAGE, in order (sole supplier first, then by cost).

    Parameters
    ----------
    rows
        Leverage rows with ``code`` and ``partner_cost_of_losing_home_usd``.
    n
        Number of asks.
    """
    cost = rows["partner_cost_of_losing_home_usd"].astype(float)
    keep = rows[(cost > 0) | np.isposinf(cost)].copy()
    keep["_rank"] = keep["partner_cost_of_losing_home_usd"].astype(float)
    keep = keep.sort_values(["_rank", "code"], ascending=[False, True], kind="mergesort")
    return keep.drop(columns="_rank").head(n).reset_index(drop=True)

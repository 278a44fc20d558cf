"""Per-code aggregates at the request's level, groups included, each product counted once.

Every negotiation analysis but leverage starts from
:func:`tradelever.analysis.bilateral.code_aggregates`. At a product level (``hs6``,
``hs4``, ...) or ``industry`` that is one query over the coded flows. At ``group`` level
the groups overlap (semiconductors are also electrical and electronic products), so the
query runs at the data set's own product level and :func:`~tradelever.analysis.groups.
group_aggregates` sums the products into groups, keeping the totals over all products and
over the union of the groups, each product once (the recipe of
:mod:`tradelever.analysis.groups`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tradelever import schema as f
from tradelever.analysis.bilateral import code_aggregates
from tradelever.analysis.groups import GroupAggregates, group_aggregates
from tradelever.analysis.request import Request

__all__ = ["LevelAggregates", "level_aggregates"]


@dataclass(frozen=True)
class LevelAggregates:
    """The aggregates of a request at its level.

    Attributes
    ----------
    rows
        One row per code of the level (per group at group level).
    products
        At group level, the same columns per product of the data set (for totals and
        running totals over groups, each product once); None otherwise.
    groups
        At group level, :class:`~tradelever.analysis.groups.GroupAggregates`; None otherwise.
    """

    rows: pd.DataFrame
    products: pd.DataFrame | None = None
    groups: GroupAggregates | None = None

    @property
    def totals(self) -> dict[str, float] | None:
        """Totals over every product, each once (group level), else None (sum the rows)."""
        return self.groups.totals if self.groups is not None else None


def level_aggregates(request: Request, *, rival: str | None = None) -> LevelAggregates:
    """:func:`code_aggregates` for the request, at group level through product rows.

    Parameters
    ----------
    request
        A resolved request with ``home`` and ``partner``.
    rival
        Adds the rival's columns.
    """
    home, partner = str(request.home), str(request.partner)
    if request.level != "group" or request.selector is None:
        return LevelAggregates(_code_sums(request, home=home, partner=partner, rival=rival))
    flows = request.flows
    products = code_aggregates(
        flows.mutate(code=flows[f.PRODUCT]),
        year=request.year,
        home=home,
        partner=partner,
        rival=rival,
    )
    groups = group_aggregates(products, request.selector)
    return LevelAggregates(groups.rows, products, groups)


def _code_sums(request: Request, *, home: str, partner: str, rival: str | None) -> pd.DataFrame:
    """The per-code sums, read from the market tables where the level has them, else queried.

    On the spark engine they are always queried (on Spark): the market tables are read by
    DuckDB in this process.
    """
    from tradelever.analysis import markets

    if request.view.engine == "duckdb" and request.level in markets.levels(
        dict(request.view.manifest.raw)
    ):
        return markets.code_sums(
            markets.cached_market_indicators(request.view, request.level),
            year=request.year,
            home=home,
            partner=partner,
            rival=rival,
        )
    return code_aggregates(
        request.coded, year=request.year, home=home, partner=partner, rival=rival
    )

"""Coverage of a partial-partner data set: which share of the partner's imports it holds.

``census-us-2024`` holds US imports from the largest suppliers only (98.7% of the total).
Its ``coverage`` table gives, per HS chapter c, the world imports Mw(c) (every partner)
and the covered partners' imports Mc(c), both from the Census chapter totals. The
coverage of a product code k is that of its chapter, and the coverage of a set of codes
(a product group) the covered share of the chapters its members span::

    coverage(k) = Mc(chapter(k)) / Mw(chapter(k))
    coverage(G) = sum over c in chapters(G) of Mc(c) / sum over c in chapters(G) of Mw(c)

A share of 0.997 (chapter 85) means the partner's imports of any code in the chapter, as
computed from the data set, miss at most the 0.3% of the chapter bought from uncovered
suppliers; the miss for one product can be larger or smaller than its chapter's.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.errors import InputError

__all__ = ["code_coverage"]

_REQUIRED = ("chapter", "world_imports_usd", "covered_imports_usd")


def code_coverage(
    codes: Iterable[str], coverage: pd.DataFrame, selector: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Covered share of the partner's imports for each product code or group.

    Parameters
    ----------
    codes
        HS codes of 2 to 10 digits, or group names when ``selector`` is given.
    coverage
        The data set's ``coverage`` table: ``chapter``, ``world_imports_usd``,
        ``covered_imports_usd`` (US dollars).
    selector
        For group codes: the (``product``, ``code``) pairs of
        :func:`tradelever.analysis.groups.selector_table`; a group spans the chapters of
        its member products.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``chapters`` (comma-separated) and ``coverage_share`` in [0, 1] (NaN
        when no chapter of the code is in the coverage table).

    Raises
    ------
    InputError
        If ``coverage`` lacks a column, or a code is neither an HS code nor a group of
        ``selector``.
    """
    missing = [c for c in _REQUIRED if c not in coverage.columns]
    if missing:
        raise InputError(f"coverage: columns {missing} missing (expected {list(_REQUIRED)})")
    table = coverage.set_index(coverage["chapter"].astype(str))
    world = table["world_imports_usd"].astype(float)
    covered = table["covered_imports_usd"].astype(float)
    members: dict[str, set[str]] = {}
    if selector is not None:
        for product, group in zip(selector[f.PRODUCT], selector["code"], strict=True):
            members.setdefault(str(group), set()).add(str(product)[:2])
    codes = [str(c) for c in codes]
    hs = pd.Series(codes, dtype=object)
    is_hs = hs.str.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{8}|\d{10}").fillna(False).astype(bool)
    is_group = hs.isin(list(members))
    bad = hs[~is_hs & ~is_group]
    if len(bad):
        raise InputError(f"{bad.iloc[0]}: not an HS code (2 to 10 digits) nor a group of selector")
    # An HS code's coverage is its chapter's (vectorised: thousands of codes per result).
    chapter = hs.str[:2]
    share = covered.reindex(chapter).to_numpy() / world.reindex(chapter).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(world.reindex(chapter).to_numpy() > 0, share, np.nan)
    chapters = chapter.tolist()
    for i in np.flatnonzero(is_group.to_numpy()):
        spanned = sorted(members[codes[i]])
        known = [c for c in spanned if c in world.index]
        total = float(world.loc[known].sum()) if known else 0.0
        share[i] = float(covered.loc[known].sum()) / total if total > 0 else np.nan
        chapters[i] = ",".join(spanned)
    return pd.DataFrame({"code": codes, "chapters": chapters, "coverage_share": share})

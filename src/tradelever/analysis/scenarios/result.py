"""A scenario result: rows per (importer, exporter, code), markets, exporters, home view.

:class:`ScenarioResult` is a :class:`~tradelever.analysis.result.TableResult` whose JSON is
``{params..., provenance, assumptions, summary, rows, markets, exporters, home_summary?,
uncertainty?}``. The builders here turn a model outcome into its three tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from tradelever.analysis.result import TableResult, frame_records, json_value
from tradelever.analysis.scenarios.pe_smart import PEOutcome, first_row
from tradelever.analysis.scenarios.prepare import Prepared
from tradelever.errors import InputError

__all__ = [
    "ROW_FIELDS",
    "ScenarioResult",
    "concat_columns",
    "exporter_frame",
    "exporter_sums",
    "exporter_table",
    "market_columns",
    "market_table",
    "row_columns",
    "row_table",
    "sorted_frame",
]

ROW_FIELDS = (
    "importer",
    "exporter",
    "code",
    "description",
    "baseline_imports_usd",
    "old_rate",
    "new_rate",
    "trade_creation_usd",
    "trade_diversion_usd",
    "total_effect_usd",
    "change_pct",
    "total_effect_low_usd",
    "total_effect_high_usd",
    "export_price_change",
    "sigma",
    "flags",
)


@dataclass(frozen=True)
class ScenarioResult(TableResult):
    """Rows per (importer, exporter, code) plus markets, exporters and the home view.

    ``rows`` are in market order (importer, product; suppliers as in the data);
    :meth:`head` returns the largest effects first. ``markets`` and ``exporters`` are
    sorted by total effect, most negative first.

    JSON: ``{params..., provenance, assumptions, summary, rows, markets, exporters,
    home_summary?, uncertainty?}``.
    """

    markets: pd.DataFrame = field(default_factory=pd.DataFrame)
    exporters: pd.DataFrame = field(default_factory=pd.DataFrame)
    home: dict[str, Any] | None = None
    home_rows: pd.DataFrame | None = None
    uncertainty: dict[str, Any] | None = None

    def head(self, n: int | None) -> ScenarioResult:
        """The ``n`` rows with the largest absolute total effect, largest first (None/0: all)."""
        if n is None or n == 0:
            return self
        if n < 0:
            raise InputError(f"--top: must be 0 or more, got {n}")
        top = self.rows["total_effect_usd"].abs().nlargest(n).index
        return replace(self, rows=self.rows.loc[top].reset_index(drop=True))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready object (see class docstring)."""
        out = super().to_dict()
        out["markets"] = frame_records(self.markets)
        out["exporters"] = frame_records(self.exporters)
        if self.home is not None:
            home = dict(self.home)
            if self.home_rows is not None:
                home["rows"] = frame_records(self.home_rows)
            out["home_summary"] = json_value(home)
        if self.uncertainty is not None:
            out["uncertainty"] = json_value(self.uncertainty)
        return out


_DTYPES: dict[tuple[int, int], tuple[Any, Any, Any]] = {}
"""Categories built per run, not per chunk (see :func:`_dtype`): (key objects, value)."""


def _memo(key: tuple[Any, Any], build: Any) -> Any:
    """``build()`` once per pair of objects ``key`` (held here, so their ids stay theirs).

    Every chunk of a run shares the run's unique codes (and description map, which is not
    changed during a run): their categories are built once, not once per chunk. A chunk's
    own categories would be kept by each of its result columns (thousands of strings per
    chunk, in every chunk's markets) until the chunks are joined. The entries of the last
    two runs are kept.
    """
    ids = (id(key[0]), id(key[1]))
    hit = _DTYPES.get(ids)
    if hit is not None and hit[0] is key[0] and hit[1] is key[1]:
        return hit[2]
    value = build()
    while len(_DTYPES) >= 8:
        _DTYPES.pop(next(iter(_DTYPES)), None)
    _DTYPES[ids] = (key[0], key[1], value)
    return value


def _dtype(uniques: np.ndarray) -> pd.CategoricalDtype:
    return _memo((uniques, None), lambda: pd.CategoricalDtype(pd.Index(uniques).astype(str)))


def _cat(idx: np.ndarray, uniques: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(idx, dtype=_dtype(uniques))


def _descriptions(
    p: Prepared, descriptions: dict[str, str]
) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """Description categories and the category of each unique code."""

    def build() -> tuple[pd.CategoricalDtype, np.ndarray]:
        desc_u = np.asarray([descriptions.get(c, "") for c in p.rows.code_u], dtype=object)
        cats, of_code = np.unique(desc_u.astype(str), return_inverse=True)
        return pd.CategoricalDtype(pd.Index(cats)), of_code

    return _memo((p.rows.code_u, descriptions), build)


def row_columns(
    p: Prepared,
    out: PEOutcome,
    descriptions: dict[str, str],
    *,
    low: np.ndarray,
    high: np.ndarray,
    flags: pd.Categorical,
    index: np.ndarray | None = None,
) -> dict[str, Any]:
    """The columns of :func:`row_table`, on the kept rows of ``index`` (default all).

    Country and code columns are categoricals over the run's unique codes, so the columns
    of the chunks of one run concatenate without materialising strings.
    """
    rows = p.rows
    sel: slice | np.ndarray = slice(None) if index is None else index
    imp_i, exp_i, code_i = (p.kept(a)[sel] for a in (rows.imp_idx, rows.exp_idx, rows.code_idx))
    base = p.kept(p.value)[sel]
    total = out.total[sel]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base > 0, total / base, np.nan)
    cats, of_code = _descriptions(p, descriptions)
    return {
        "importer": _cat(imp_i, rows.imp_u),
        "exporter": _cat(exp_i, rows.exp_u),
        "code": _cat(code_i, rows.code_u),
        "description": pd.Categorical.from_codes(of_code[code_i], dtype=cats),
        "baseline_imports_usd": base,
        "old_rate": p.kept(p.t0)[sel],
        "new_rate": p.kept(p.t1)[sel],
        "trade_creation_usd": out.creation[sel],
        "trade_diversion_usd": out.diversion[sel],
        "total_effect_usd": total,
        "change_pct": pct,
        "total_effect_low_usd": low[sel],
        "total_effect_high_usd": high[sel],
        "export_price_change": out.export_price_change[sel],
        "sigma": p.kept(p.sigma)[sel],
        "flags": flags[sel] if index is not None else flags,
    }


def row_table(
    p: Prepared,
    out: PEOutcome,
    descriptions: dict[str, str],
    *,
    low: np.ndarray,
    high: np.ndarray,
    flags: pd.Categorical,
) -> pd.DataFrame:
    """One row per (importer, exporter, code) in a changed market (:data:`ROW_FIELDS`)."""
    columns = row_columns(p, out, descriptions, low=low, high=high, flags=flags)
    return pd.DataFrame(columns, copy=False)


def market_columns(p: Prepared, out: PEOutcome, descriptions: dict[str, str]) -> dict[str, Any]:
    """The columns of :func:`market_table`, in market order (not sorted)."""
    rows = p.rows
    imp_i, code_i = p.kept(rows.imp_idx), p.kept(rows.code_idx)
    first = first_row(p.market, p.n_markets)
    cats, of_code = _descriptions(p, descriptions)
    return {
        "importer": _cat(imp_i[first], rows.imp_u),
        "code": _cat(code_i[first], rows.code_u),
        "description": pd.Categorical.from_codes(of_code[code_i[first]], dtype=cats),
        "baseline_imports_usd": out.market_baseline,
        "total_effect_usd": out.market_total,
        "tariff_revenue_change_usd": out.revenue_change,
        "welfare_usd": out.welfare,
        "consumer_surplus_usd": out.consumer_surplus,
        "price_index_change": out.price_index_change,
        "sigma": p.kept(p.sigma)[first],
        "import_demand": p.kept(p.eps_m)[first],
        "export_supply": p.kept(p.eps_x)[first],
    }


def market_table(p: Prepared, out: PEOutcome, descriptions: dict[str, str]) -> pd.DataFrame:
    """One row per changed (importer, product) market, most negative total effect first."""
    return sorted_frame(market_columns(p, out, descriptions), "total_effect_usd")


def concat_columns(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Concatenate the column dicts of several chunks, column by column.

    Each part's columns are released as they are joined, so the peak is the whole table
    plus one column, not twice the table. Categoricals over the same categories (the run's
    unique codes) stay categoricals.
    """
    if len(parts) == 1:
        return parts[0]
    names = list(parts[0])
    out: dict[str, Any] = {}
    for name in names:
        pieces = [part.pop(name) for part in parts]
        if isinstance(pieces[0], pd.Categorical):
            dtype = pieces[0].dtype
            if all(piece.dtype is dtype for piece in pieces):  # one run's categories: codes
                codes = np.concatenate([piece.codes for piece in pieces])
                out[name] = pd.Categorical.from_codes(codes, dtype=dtype)
            else:
                out[name] = union_categoricals(pieces)
        else:
            out[name] = np.concatenate(pieces)
        del pieces
    return out


def sorted_frame(columns: dict[str, Any], by: str) -> pd.DataFrame:
    """A frame of ``columns`` sorted by ``by`` (stable, ascending), one column at a time."""
    order = np.argsort(np.asarray(columns[by]), kind="stable")
    out = {}
    for name in list(columns):
        values = columns.pop(name)
        out[name] = values.take(order) if isinstance(values, pd.Categorical) else values[order]
        del values
    return pd.DataFrame(out, copy=False)


def exporter_sums(p: Prepared, out: PEOutcome) -> dict[str, np.ndarray]:
    """Sums per exporter of ``p.rows.exp_u`` (the run's exporters) for :func:`exporter_frame`.

    Sums of chunks of one run (same exporters) add up to the sums of the whole run.
    """
    rows = p.rows
    exp_i = p.kept(rows.exp_idx)
    n_exp = len(rows.exp_u)

    def by_exporter(values: np.ndarray) -> np.ndarray:
        return np.bincount(exp_i, weights=values, minlength=n_exp).astype(float)

    return {
        "rows": np.bincount(exp_i, minlength=n_exp).astype(float),
        "baseline_imports_usd": by_exporter(p.kept(p.value)),
        "trade_creation_usd": by_exporter(out.creation),
        "trade_diversion_usd": by_exporter(out.diversion),
        "total_effect_usd": by_exporter(out.total),
        "exports_to_importers_usd": np.bincount(
            rows.exp_idx, weights=p.value, minlength=n_exp
        ).astype(float),
    }


def exporter_frame(exporters: np.ndarray, sums: dict[str, np.ndarray]) -> pd.DataFrame:
    """The exporter table from :func:`exporter_sums` (added up over chunks)."""
    present = sums["rows"] > 0
    table = pd.DataFrame({"exporter": exporters, **{k: v for k, v in sums.items() if k != "rows"}})[
        present
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change_pct"] = table["total_effect_usd"] / table["exports_to_importers_usd"]
    return table.sort_values("total_effect_usd", kind="stable").reset_index(drop=True)


def exporter_table(p: Prepared, out: PEOutcome) -> pd.DataFrame:
    """Sums per exporter over its rows in changed markets, most negative total first.

    ``exports_to_importers_usd`` is all its exports to the importers loaded (the scope of
    ``change_pct``).
    """
    return exporter_frame(p.rows.exp_u, exporter_sums(p, out))

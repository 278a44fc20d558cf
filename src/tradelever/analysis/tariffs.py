"""The rate each trade line pays under a tariff schedule on any date.

Pure functions over a :class:`~tradelever.sources.us_tariffs.Schedule` and a table of
*lines* (one row per exporter and HS10 product: ``exporter``, ``product``, ``value_usd``,
``mfn_rate``). Notation: line k of exporter e has 2024 value v_k and MFN rate m_k (proxied
by 2024 calculated duty / value).

Stacking, per line and date d:

1. A measure *covers* k if it is in force on d, e is among its exporters and k's product
   matches one of its HTS prefixes and none of its exclusions. An exemption in force on d
   removes k from every measure of the stacks it applies to.
2. Within a stack, the covering measure with the highest priority (then the latest
   effective date) applies: reciprocal rates replace each other; deal rates replace the
   Section 232 auto rate.
3. A stack that yields to another (the reciprocal duty, the Section 122 surcharge and the
   Section 301 duties yield to Section 232) charges nothing on lines the other covers.
4. The duty of measure j on k is r_j (additional), max(0, c_j - m_k) (an all-in ceiling
   c_j that includes MFN) or the exporter's rate in a country list; times (1 - u) for goods
   of Canada and Mexico when the measure exempts USMCA goods, u being the qualifying share.
5. The additional rate of k is the sum over stacks: a_k(d) = sum_s r_{s,k}(d).

Per exporter e (``effective_rates``)::

    effective_additional_rate(e, d) = sum_k v_k a_k(d) / sum_k v_k
    baseline_rate_2024(e)           = sum_k v_k m_k / sum_k v_k   (calculated duty / value)
    contribution(j, e, d)           = sum_{k charged by j} v_k r_{j,k}(d) / sum_k v_k

so the contributions of the measures in force add up to the effective rate. Only measures
of the schedule count (from February 2025 on); MFN and duties in force in 2024 are the
baseline, never part of the additional rate.

``exempt_share(e, d)``: the share of e's value on lines that an in-force *general* measure
(one covering all products of e, such as the reciprocal duty, the Section 122 surcharge or
a Section 301 duty) would reach but that are excused from it by a product exemption (Annex
II, the April 11 memorandum, the Section 122 and 301 exemption lists, Brazil's lists) or by
USMCA qualification (counted at u); a line counts once, at its largest excused fraction.
Lines excused because Section 232 applies instead are reported as ``s232_share``, the share
of value covered by a Section 232 measure on d.

Prefix matching is done once per list over the distinct product codes (a join on the code
prefixes of each length), then broadcast to lines by integer index: no per-line loops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradelever.analysis.result import TableResult
from tradelever.errors import InputError, UnknownCountryError
from tradelever.sources.us_tariffs import (
    USMCA_COUNTRIES,
    ExemptionRule,
    Measure,
    ProductScope,
    Schedule,
    load_schedule,
)

__all__ = [
    "LINE_COLUMNS",
    "LineIndex",
    "census_lines",
    "change_dates",
    "effective_rates",
    "index_lines",
    "line_rates",
    "measures_in_force",
    "product_rates",
    "schedule_assumptions",
    "tariff_timeline",
]

LINE_COLUMNS = ("exporter", "product", "value_usd", "mfn_rate")
Level = Literal["exporter", "hs6", "measure"]
LEVELS: tuple[str, ...] = ("exporter", "hs6", "measure")
DateLike = dt.date | str


# -------------------------------------------------------------------------------- inputs


def _as_date(value: DateLike, parameter: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{parameter}: {value!r} is not a date (write YYYY-MM-DD)") from None


def _check_lines(lines: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(lines, pd.DataFrame):
        raise InputError("lines: expected a table (pandas DataFrame) of trade lines")
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise InputError(f"lines: missing column {missing[0]!r} (need {', '.join(LINE_COLUMNS)})")
    product = lines["product"].astype(str)
    bad = ~product.str.fullmatch(r"\d{2,10}")
    if bad.any():
        raise InputError(
            f"lines: product {product[bad].iloc[0]!r} is not an HS code of digits "
            "(HS10 as a 10-character string)"
        )
    for column in ("value_usd", "mfn_rate"):
        values = pd.to_numeric(lines[column], errors="coerce").to_numpy(dtype=float)
        wrong = ~np.isfinite(values) | (values < 0)
        if wrong.any():
            raise InputError(
                f"lines: {column} must be a finite number >= 0 (row {int(np.argmax(wrong))}: "
                f"{lines[column].iloc[int(np.argmax(wrong))]!r})"
            )
    return lines


# ------------------------------------------------------------------------------- the index


@dataclass(frozen=True, eq=False)
class LineIndex:
    """Trade lines with every measure's and exemption's coverage computed once.

    Build it with :func:`index_lines`; the functions of this module accept it wherever
    they accept a lines table, so a long-lived caller pays for prefix matching once.

    Attributes
    ----------
    schedule
        The schedule the coverage belongs to.
    lines
        The lines table (``exporter``, ``product``, ``value_usd``, ``mfn_rate``), row order
        kept.
    exporters
        Distinct exporter codes; ``exp_idx`` maps each line to one.
    value, mfn
        Line value (US dollars) and MFN rate (fraction).
    usmca_factor
        1 - u for lines of Canada and Mexico, 1 elsewhere (u = USMCA-qualifying share).
    measure_cover, exemption_cover
        Boolean coverage per measure / exemption id (exporters and products, measure
        exclusions applied; dates not applied).
    exporter_scope
        Boolean per measure id: the line's exporter is among the measure's exporters.
    """

    schedule: Schedule
    lines: pd.DataFrame
    exporters: np.ndarray
    exp_idx: np.ndarray
    value: np.ndarray
    mfn: np.ndarray
    usmca_share: float
    usmca_factor: np.ndarray
    usmca_line: np.ndarray
    measure_cover: dict[str, np.ndarray] = field(repr=False)
    exemption_cover: dict[str, np.ndarray] = field(repr=False)
    exporter_scope: dict[str, np.ndarray] = field(repr=False)
    table_rate: dict[str, np.ndarray] = field(repr=False)


class _PrefixMatcher:
    """Matches distinct product codes against every prefix set of a schedule at once.

    All prefix sets are inverted into one table prefix -> sets containing it; each distinct
    code is then looked up once per prefix length (2, 4, 6, 8, 10 digits), a join on the
    code prefixes, whatever the number of lists.
    """

    def __init__(self, codes: np.ndarray, scopes: Sequence[frozenset[str]]) -> None:
        self.slot = {scope: i for i, scope in enumerate(dict.fromkeys(scopes))}
        owners: dict[str, list[int]] = {}
        for scope, i in self.slot.items():
            for prefix in scope:
                owners.setdefault(prefix, []).append(i)
        lengths = sorted({len(p) for p in owners})
        rows: list[int] = []
        cols: list[int] = []
        for r, code in enumerate(codes.tolist()):
            for length in lengths:
                hit = owners.get(code[:length])
                if hit:
                    rows.extend([r] * len(hit))
                    cols.extend(hit)
        self.matrix = np.zeros((len(codes), len(self.slot)), dtype=bool)
        self.matrix[rows, cols] = True
        self.n = len(codes)

    def match(self, prefixes: frozenset[str] | None) -> np.ndarray:
        """Boolean over the distinct codes: the code starts with one of ``prefixes``."""
        if prefixes is None:
            return np.ones(self.n, dtype=bool)
        return self.matrix[:, self.slot[prefixes]]


def index_lines(
    schedule: Schedule | None, lines: pd.DataFrame, *, usmca_share: float = 1.0
) -> LineIndex:
    """Precompute which lines each measure and exemption of ``schedule`` covers.

    Parameters
    ----------
    schedule
        The schedule (default: the packaged US schedule 2025-26).
    lines
        Columns ``exporter`` (ISO3 or an aggregate code such as ``EUU``), ``product`` (HS10
        string), ``value_usd`` (US dollars, >= 0) and ``mfn_rate`` (fraction, >= 0); an
        optional ``usmca_share`` column overrides the scalar per line.
    usmca_share
        Share of each Canadian and Mexican line's value that qualifies for USMCA, in [0, 1]
        (1: all of it, the default: the data do not record USMCA claims).
    """
    schedule = schedule or load_schedule()
    _check_lines(lines)
    if not 0.0 <= float(usmca_share) <= 1.0:
        raise InputError(f"usmca_share: {usmca_share} must be between 0 and 1")
    exp_idx, exporters = pd.factorize(lines["exporter"].astype(str))
    prod_idx, products = pd.factorize(lines["product"].astype(str))
    exporters = np.asarray(exporters, dtype=object)
    scopes = [
        prefixes
        for item in (*schedule.measures, *schedule.exemptions)
        for scope in (item.products, getattr(item, "exclude", None))
        if scope is not None and (prefixes := schedule.product_prefixes(scope)) is not None
    ]
    matcher = _PrefixMatcher(np.asarray(products, dtype=object), scopes)
    value = lines["value_usd"].to_numpy(dtype=float)
    mfn = lines["mfn_rate"].to_numpy(dtype=float)
    usmca_line = np.isin(exporters, list(USMCA_COUNTRIES))[exp_idx]
    share = (
        lines["usmca_share"].to_numpy(dtype=float)
        if "usmca_share" in lines.columns
        else np.full(len(lines), float(usmca_share))
    )
    if ((share < 0) | (share > 1) | ~np.isfinite(share)).any():
        raise InputError("lines: usmca_share must be between 0 and 1")
    usmca_factor = np.where(usmca_line, 1.0 - share, 1.0)

    def exporter_mask(scope: Any) -> np.ndarray:
        everyone, codes = schedule.exporter_set(scope)
        hit = pd.Index(exporters).isin(list(codes))
        return ~hit if everyone else hit

    def product_mask(scope: ProductScope, exclude: ProductScope | None) -> np.ndarray:
        mask = matcher.match(schedule.product_prefixes(scope))
        if exclude is not None:
            mask = mask & ~matcher.match(schedule.product_prefixes(exclude))
        return mask

    measure_cover: dict[str, np.ndarray] = {}
    exporter_scope: dict[str, np.ndarray] = {}
    table_rate: dict[str, np.ndarray] = {}
    for m in schedule.measures:
        exp_mask = exporter_mask(m.exporters)
        exporter_scope[m.id] = exp_mask[exp_idx]
        measure_cover[m.id] = product_mask(m.products, m.exclude)[prod_idx] & exporter_scope[m.id]
        if m.rate.kind == "table" and m.rate.table not in table_rate:
            rates = schedule.table_rates(m.rate.table)
            table_rate[m.rate.table] = np.array([rates.get(c, 0.0) for c in exporters])
    exemption_cover = {
        e.id: product_mask(e.products, None)[prod_idx] & exporter_mask(e.exporters)[exp_idx]
        for e in schedule.exemptions
    }
    return LineIndex(
        schedule=schedule,
        lines=lines,
        exporters=exporters,
        exp_idx=exp_idx.astype(np.int64),
        value=value,
        mfn=mfn,
        usmca_share=float(usmca_share),
        usmca_factor=usmca_factor,
        usmca_line=usmca_line,
        measure_cover=measure_cover,
        exemption_cover=exemption_cover,
        exporter_scope=exporter_scope,
        table_rate=table_rate,
    )


def _index(
    schedule: Schedule | None, lines: pd.DataFrame | LineIndex, usmca_share: float
) -> LineIndex:
    if isinstance(lines, LineIndex):
        if schedule is not None and schedule is not lines.schedule:
            raise InputError("lines: this LineIndex was built for another schedule")
        if usmca_share != lines.usmca_share:
            raise InputError(
                f"usmca_share: the LineIndex was built with {lines.usmca_share}; rebuild it"
            )
        return lines
    return index_lines(schedule, lines, usmca_share=usmca_share)


# ----------------------------------------------------------------------- one date, all lines


@dataclass(frozen=True)
class _State:
    """Rates of every line on one date."""

    date: dt.date
    measures: tuple[Measure, ...]  # in force, in schedule order
    stack_winner: dict[str, np.ndarray]  # index into measures, -1 none (after yields)
    stack_rate: dict[str, np.ndarray]
    total: np.ndarray
    s232: np.ndarray
    exempt: np.ndarray


def _stack_rate(
    index: LineIndex, members: Sequence[Measure], order: Mapping[str, int], winner: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Rate of each line under the winning measure of one stack, gathered by winner index.

    Returns the rates and the lines whose rate was scaled for USMCA (``None`` if none).
    """
    size = len(order) + 1  # slot 0: no measure
    const = np.zeros(size)
    cap = np.full(size, np.nan)
    usmca = np.zeros(size, dtype=bool)
    tables: list[tuple[int, str]] = []
    for m in members:
        k = order[m.id] + 1
        if m.rate.kind == "additional":
            const[k] = float(m.rate.value or 0.0)
        elif m.rate.kind == "all_in":
            cap[k] = float(m.rate.value or 0.0)
        else:
            tables.append((k, str(m.rate.table)))
        usmca[k] = m.usmca == "exempt"
    slot = winner + 1
    rate = const[slot]
    if not np.isnan(cap).all():
        ceiling = cap[slot]
        has = ~np.isnan(ceiling)
        rate[has] = np.maximum(0.0, ceiling[has] - index.mfn[has])
    for k, table in tables:
        sel = slot == k
        rate[sel] = index.table_rate[table][index.exp_idx[sel]]
    scaled = None
    if usmca.any() and index.usmca_line.any():
        scaled = usmca[slot] & index.usmca_line
        rate[scaled] *= index.usmca_factor[scaled]
    return rate, scaled


def _state(index: LineIndex, date: dt.date) -> _State:
    schedule = index.schedule
    n = len(index.value)
    in_force = tuple(m for m in schedule.measures if m.in_force(date))
    exemptions = [e for e in schedule.exemptions if e.in_force(date)]
    order = {m.id: i for i, m in enumerate(in_force)}
    none = np.broadcast_to(np.int32(-1), (n,))  # read-only: stacks with nothing in force
    zero = np.broadcast_to(0.0, (n,))
    winners: dict[str, np.ndarray] = {}
    general: dict[str, np.ndarray | None] = {}
    active: dict[str, list[Measure]] = {}
    for stack in schedule.stacks:
        members = sorted(
            (m for m in in_force if m.stack == stack),
            key=lambda m: (m.priority, m.effective_from, order[m.id]),
        )
        active[stack] = members
        if not members:
            winners[stack], general[stack] = none, None
            continue
        winner = np.full(n, -1, dtype=np.int32)
        scope: np.ndarray | None = None
        for m in members:
            winner[index.measure_cover[m.id]] = order[m.id]
            if m.products.all:
                reach = index.exporter_scope[m.id]
                scope = reach.copy() if scope is None else scope | reach
        for e in exemptions:
            if stack in e.applies_to:
                winner[index.exemption_cover[e.id]] = -1
        winners[stack], general[stack] = winner, scope
    s232 = winners["s232"] >= 0 if "s232" in winners else np.zeros(n, dtype=bool)
    stack_rate: dict[str, np.ndarray] = {}
    exempt = np.zeros(n, dtype=float)
    total = np.zeros(n, dtype=float)
    for name, stack in schedule.stacks.items():
        winner = winners[name]
        if not active[name]:
            stack_rate[name] = zero
            continue
        for other in stack.yields_to:
            winner[winners[other] >= 0] = -1
        rate, usmca_excused = _stack_rate(index, active[name], order, winner)
        stack_rate[name] = rate
        total += rate
        scope = general[name]
        if scope is not None:
            excused = scope & ~s232
            np.maximum(exempt, excused & (winner < 0), out=exempt)
            if usmca_excused is not None:
                np.maximum(
                    exempt,
                    np.where(excused & usmca_excused, 1.0 - index.usmca_factor, 0.0),
                    out=exempt,
                )
    return _State(date, in_force, winners, stack_rate, total, s232, exempt)


def _column(stack: str) -> str:
    return stack.replace("-", "_").replace(".", "_")


def line_rates(
    schedule: Schedule | None,
    lines: pd.DataFrame | LineIndex,
    date: DateLike,
    *,
    usmca_share: float = 1.0,
) -> pd.DataFrame:
    """The additional ad valorem rate of every line on ``date`` and the measure behind it.

    Returns
    -------
    pandas.DataFrame
        The lines' columns, then ``additional_rate`` (fraction; sum of the stack rates),
        ``s232`` (covered by a Section 232 measure), ``exempt_share`` (excused fraction of
        the line, see the module docstring) and, per stack, ``measure_<stack>`` (the id of
        the measure charging the line, empty if none) and ``rate_<stack>``.
    """
    index = _index(schedule, lines, usmca_share)
    state = _state(index, _as_date(date, "date"))
    ids = np.array([m.id for m in state.measures] + [""], dtype=object)
    out = index.lines.reset_index(drop=True).copy()
    out["additional_rate"] = state.total
    out["s232"] = state.s232
    out["exempt_share"] = state.exempt
    for name in index.schedule.stacks:
        out[f"measure_{_column(name)}"] = ids[state.stack_winner[name]]
        out[f"rate_{_column(name)}"] = state.stack_rate[name]
    return out


# --------------------------------------------------------------------- many dates, aggregated


def _sum_by(group: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(group, weights=weights, minlength=size)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def effective_rates(
    schedule: Schedule | None,
    lines: pd.DataFrame | LineIndex,
    dates: Iterable[DateLike] | DateLike,
    *,
    exporters: Sequence[str] | None = None,
    level: Level = "exporter",
    usmca_share: float = 1.0,
) -> pd.DataFrame:
    """Value-weighted additional rates per date and exporter (or product, or measure).

    Parameters
    ----------
    schedule
        The schedule (default: the packaged US schedule 2025-26).
    lines
        Lines table or :class:`LineIndex` (see :func:`index_lines`).
    dates
        One date or several (``datetime.date`` or ``YYYY-MM-DD``).
    exporters
        Exporter codes to report (default: all in the lines); unknown ones are an error.
    level
        ``exporter``: one row per date and exporter with ``value_usd``,
        ``effective_additional_rate``, ``baseline_rate_2024``, ``exempt_share``,
        ``s232_share``, ``measures`` (ids of the measures charging something) and one
        ``contribution_<stack>`` column per stack. ``hs6``: the same per date, exporter and
        HS6 product (value-weighted over its HS10 lines). ``measure``: one row per date,
        exporter and measure charging it, with ``contribution`` (its part of the effective
        rate) and ``charged_share`` (share of value it charges), its authority, stack,
        instrument and URL.
    usmca_share
        Share of Canadian and Mexican value qualifying for USMCA (see :func:`index_lines`).
    """
    if level not in LEVELS:
        raise InputError(f"level: {level!r} is not one of {', '.join(LEVELS)}")
    index = _index(schedule, lines, usmca_share)
    date_list = (
        [_as_date(dates, "dates")]
        if isinstance(dates, (dt.date, str))
        else [_as_date(d, "dates") for d in dates]
    )
    if not date_list:
        raise InputError("dates: give at least one date")
    keep = _exporter_filter(index, exporters)
    if level == "exporter":
        return _by_exporter(index, (_state(index, d) for d in date_list), keep)
    frames = [_aggregate(index, _state(index, d), keep, level) for d in date_list]
    return pd.concat(frames, ignore_index=True)


def _exporter_filter(index: LineIndex, exporters: Sequence[str] | None) -> np.ndarray:
    if exporters is None:
        return np.ones(len(index.exporters), dtype=bool)
    wanted = [str(e).strip().upper() for e in exporters]
    known = set(index.exporters.tolist())
    unknown = [e for e in wanted if e not in known]
    if unknown:
        raise UnknownCountryError(
            f"exporters: {', '.join(unknown)} not in the trade lines; available: "
            f"{', '.join(sorted(known))}"
        )
    return np.isin(index.exporters, wanted)


def _aggregate(index: LineIndex, state: _State, keep: np.ndarray, level: str) -> pd.DataFrame:
    n_exp = len(index.exporters)
    v = index.value
    if level == "hs6":
        line_keep = keep[index.exp_idx]
        sub = index.lines.loc[line_keep]
        hs6 = sub["product"].astype(str).str.slice(0, 6).to_numpy()
        keys = pd.MultiIndex.from_arrays([index.exp_idx[line_keep], hs6])
        group, uniq = pd.factorize(keys)
        size = len(uniq)
        vv = v[line_keep]
        den = _sum_by(group, vv, size)
        frame = pd.DataFrame(
            {
                "date": state.date,
                "exporter": index.exporters[uniq.get_level_values(0).to_numpy()],
                "hs6": uniq.get_level_values(1).to_numpy(),
                "value_usd": den,
                "effective_additional_rate": _ratio(
                    _sum_by(group, vv * state.total[line_keep], size), den
                ),
                "baseline_rate_2024": _ratio(_sum_by(group, vv * index.mfn[line_keep], size), den),
                "exempt_share": _ratio(_sum_by(group, vv * state.exempt[line_keep], size), den),
                "s232_share": _ratio(_sum_by(group, vv * state.s232[line_keep], size), den),
            }
        )
        return frame.sort_values(["exporter", "hs6"], kind="stable").reset_index(drop=True)

    den = _sum_by(index.exp_idx, v, n_exp)
    charged, contrib = _by_measure(index, state)
    if level == "measure":
        rows = []
        for k, e in zip(*np.nonzero((charged > 0) & keep[None, :]), strict=True):
            m = state.measures[k]
            rows.append(
                {
                    "date": state.date,
                    "exporter": index.exporters[e],
                    "measure_id": m.id,
                    "authority": m.authority,
                    "stack": m.stack,
                    "rate": m.rate.describe(),
                    "contribution": contrib[k, e] / den[e] if den[e] > 0 else np.nan,
                    "charged_share": charged[k, e] / den[e] if den[e] > 0 else np.nan,
                    "instrument": m.instrument.number or m.instrument.title,
                    "url": m.instrument.url,
                }
            )
        columns = [
            "date",
            "exporter",
            "measure_id",
            "authority",
            "stack",
            "rate",
            "contribution",
            "charged_share",
            "instrument",
            "url",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.sort_values(
            ["exporter", "contribution"], ascending=[True, False], kind="stable"
        ).reset_index(drop=True)

    raise InputError(f"level: {level!r} is not one of {', '.join(LEVELS)}")


def _by_exporter(index: LineIndex, states: Iterable[_State], keep: np.ndarray) -> pd.DataFrame:
    """One row per date and kept exporter (states consumed one at a time)."""
    schedule = index.schedule
    n_exp = len(index.exporters)
    v = index.value
    den = _sum_by(index.exp_idx, v, n_exp)
    baseline = _ratio(_sum_by(index.exp_idx, v * index.mfn, n_exp), den)
    order = np.argsort(index.exporters[keep], kind="stable")
    kept = np.flatnonzero(keep)[order]
    columns: dict[str, list[np.ndarray]] = {}

    def put(name: str, values: Any) -> None:
        columns.setdefault(name, []).append(np.asarray(values)[kept])

    for state in states:
        _, contrib = _by_measure(index, state)
        put("date", np.full(n_exp, state.date, dtype=object))
        put("exporter", index.exporters)
        put("value_usd", den)
        put("effective_additional_rate", _ratio(contrib.sum(axis=0), den))
        put("baseline_rate_2024", baseline)
        put("exempt_share", _ratio(_sum_by(index.exp_idx, v * state.exempt, n_exp), den))
        put("s232_share", _ratio(_sum_by(index.exp_idx, v * state.s232, n_exp), den))
        ids = [m.id for m in state.measures]
        charging = contrib > 0
        put(
            "measures",
            np.array(
                ["; ".join(ids[k] for k in np.flatnonzero(charging[:, e])) for e in range(n_exp)],
                dtype=object,
            ),
        )
        stack_of = np.array([m.stack for m in state.measures], dtype=object)
        for name in schedule.stacks:
            put(f"contribution_{_column(name)}", _ratio(contrib[stack_of == name].sum(axis=0), den))
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


def _by_measure(index: LineIndex, state: _State) -> tuple[np.ndarray, np.ndarray]:
    """Value charged and duty (value x rate) per measure in force and exporter (K x E)."""
    n_exp, n_m = len(index.exporters), len(state.measures)
    charged = np.zeros((n_m, n_exp))
    contrib = np.zeros((n_m, n_exp))
    for name, winner in state.stack_winner.items():
        if winner.base is not None and winner.strides == (0,):  # nothing in force
            continue
        pos = winner >= 0
        if not pos.any():
            continue
        key = winner[pos].astype(np.int64) * n_exp + index.exp_idx[pos]
        v = index.value[pos]
        charged += np.bincount(key, weights=v, minlength=n_m * n_exp).reshape(n_m, n_exp)
        duty = v * state.stack_rate[name][pos]
        contrib += np.bincount(key, weights=duty, minlength=n_m * n_exp).reshape(n_m, n_exp)
    return charged, contrib


def product_rates(
    schedule: Schedule | None,
    lines: pd.DataFrame | LineIndex,
    date: DateLike,
    exporter: str,
    *,
    usmca_share: float = 1.0,
) -> pd.DataFrame:
    """The additional rate each HS6 product of ``exporter`` pays on ``date``.

    Value-weighted over the product's HS10 lines (2024 values); columns as
    :func:`effective_rates` at ``level="hs6"``.
    """
    return effective_rates(
        schedule, lines, [date], exporters=[exporter], level="hs6", usmca_share=usmca_share
    )


# -------------------------------------------------------------------- the schedule itself


def measures_in_force(schedule: Schedule | None, date: DateLike) -> pd.DataFrame:
    """The measures and exemptions in force on ``date``, one row each.

    Columns ``kind`` (``measure`` or ``exemption``), ``id``, ``authority``, ``stack`` (for
    exemptions: the stacks they apply to), ``rate``, ``exporters``, ``products``,
    ``exclude``, ``priority``, ``usmca``, ``effective_from``, ``effective_to``,
    ``instrument``, ``url``.
    """
    schedule = schedule or load_schedule()
    day = _as_date(date, "date")
    rows: list[dict[str, Any]] = []
    for m in schedule.measures:
        if m.in_force(day):
            rows.append(_row("measure", m, day))
    for e in schedule.exemptions:
        if e.in_force(day):
            rows.append(_row("exemption", e, day))
    columns = [
        "kind",
        "id",
        "authority",
        "stack",
        "rate",
        "exporters",
        "products",
        "exclude",
        "priority",
        "usmca",
        "effective_from",
        "effective_to",
        "instrument",
        "url",
    ]
    return pd.DataFrame(rows, columns=columns)


def _row(kind: str, item: Measure | ExemptionRule, day: dt.date) -> dict[str, Any]:
    base = {
        "kind": kind,
        "id": item.id,
        "exporters": item.exporters.describe(),
        "products": item.products.describe(),
        "effective_from": item.effective_from,
        "effective_to": item.effective_to,
        "instrument": item.instrument.number or item.instrument.title,
        "url": item.instrument.url,
    }
    if isinstance(item, Measure):
        return {
            **base,
            "authority": item.authority,
            "stack": item.stack,
            "rate": item.rate.describe(),
            "exclude": item.exclude.describe() if item.exclude else "",
            "priority": item.priority,
            "usmca": item.usmca,
        }
    return {
        **base,
        "authority": "",
        "stack": ", ".join(item.applies_to),
        "rate": "exempt",
        "exclude": "",
        "priority": None,
        "usmca": "",
    }


def change_dates(schedule: Schedule | None, start: DateLike, end: DateLike) -> list[dt.date]:
    """The dates from ``start`` to ``end`` on which the schedule changes.

    ``start``, then every later date up to ``end`` on which a measure or exemption starts or
    ends (the day after its last day), in order.
    Between two consecutive dates returned, the set of measures in force is constant, so
    one row per returned date describes the whole period.
    """
    schedule = schedule or load_schedule()
    first, last = _as_date(start, "start"), _as_date(end, "end")
    if last < first:
        raise InputError(f"end: {last} is before start {first}")
    points: set[dt.date] = {first}
    for item in (*schedule.measures, *schedule.exemptions):
        candidates = [item.effective_from]
        if item.effective_to is not None:
            candidates.append(item.effective_to + dt.timedelta(days=1))
        points.update(d for d in candidates if first < d <= last)
    return sorted(points)


# ------------------------------------------------------------------ census flows integration


def census_lines(flows: pd.DataFrame) -> pd.DataFrame:
    """Trade lines from a Census flows table (one row per partner and HS10 product).

    Parameters
    ----------
    flows
        Columns ``exporter`` (ISO3 or aggregate code), ``product`` (HS10 string),
        ``value_usd`` (imports for consumption, US dollars) and ``duty_usd`` (calculated
        duty, US dollars), as in the ``census-us-2024`` data set.

    Returns
    -------
    pandas.DataFrame
        ``exporter``, ``product``, ``value_usd``, ``mfn_rate`` = duty / value (0 where the
        value is 0). Chapters 98 and 99 (special provisions, not products) are dropped.
    """
    if not isinstance(flows, pd.DataFrame):
        raise InputError("flows: expected a table (pandas DataFrame)")
    needed = ("exporter", "product", "value_usd", "duty_usd")
    missing = [c for c in needed if c not in flows.columns]
    if missing:
        raise InputError(f"flows: missing column {missing[0]!r} (need {', '.join(needed)})")
    product = flows["product"].astype(str)
    bad = ~product.str.fullmatch(r"\d{10}")
    if bad.any():
        raise InputError(f"flows: product {product[bad].iloc[0]!r} is not an HS10 code")
    value = pd.to_numeric(flows["value_usd"], errors="coerce").to_numpy(dtype=float)
    duty = pd.to_numeric(flows["duty_usd"], errors="coerce").to_numpy(dtype=float)
    for name, arr in (("value_usd", value), ("duty_usd", duty)):
        wrong = ~np.isfinite(arr) | (arr < 0)
        if wrong.any():
            raise InputError(
                f"flows: {name} must be a finite number >= 0 (row {int(np.argmax(wrong))})"
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        mfn = np.where(value > 0, duty / np.where(value > 0, value, 1.0), 0.0)
    out = pd.DataFrame(
        {
            "exporter": flows["exporter"].astype(str).to_numpy(),
            "product": product.to_numpy(),
            "value_usd": value,
            "mfn_rate": mfn,
        }
    )
    return out.loc[~out["product"].str[:2].isin(["98", "99"])].reset_index(drop=True)


def schedule_assumptions(schedule: Schedule, usmca_share: float) -> list[str]:
    """The assumption sentences every result of the schedule carries."""
    left = "; ".join(item.action.split(",")[0] for item in schedule.left_out[:6])
    return [
        "effective_additional_rate: 2024 import values times the additional ad valorem duty of "
        "the measures in force on each date (IEEPA, Section 232 as restated in 2025, Sections "
        "122, 301 and 338, from February 2025 on), over 2024 import values; MFN duties and "
        "duties already in force in 2024 are excluded and given as baseline_rate_2024 "
        "(2024 calculated duty / customs value).",
        "Weights are 2024 values: no trade response to the tariffs is modelled.",
        schedule.mfn_proxy,
        f"Goods of Canada and Mexico: {usmca_share:.0%} of each line's value is taken to "
        "qualify for USMCA (exempt from the Section 122 surcharge, the Section 301 "
        "forced-labour duty and Section 232 duties on auto parts); the data do not record "
        "USMCA claims.",
        "Section 232 derivatives are charged on their whole value (before 6 April 2026 the "
        "duty fell on the metal content, not in the data); USMCA-qualifying Canadian and "
        "Mexican vehicles are charged on their whole value too (they paid on non-US content "
        "only), and USMCA auto parts that are also steel or aluminum derivatives are treated "
        "as exempt rather than charged the metals duty.",
        "exempt_share: share of value excused by a product exemption or USMCA from a duty "
        "that covers all of the exporter's products; s232_share: share of value under "
        "Section 232 (which the reciprocal duty, the Section 122 surcharge and the Section 301 "
        "duties then do not reach).",
        f"Schedule recorded from {schedule.valid_from} to {schedule.valid_to}; later dates "
        "show the measures still in force then.",
        f"Not modelled (no product list or data): {left}; see the schedule's left_out.",
    ]


def tariff_timeline(
    flows: pd.DataFrame,
    exporters: Sequence[str] | None = None,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    dates: Iterable[DateLike] | None = None,
    level: Level = "exporter",
    schedule: Schedule | None = None,
    usmca_share: float = 1.0,
    trade_provenance: Mapping[str, Any] | None = None,
) -> TableResult:
    """Effective additional tariff rates over time, from a Census flows table.

    The one call behind ``tradelever tariffs USA --exporters A,B --from D --to D``: give
    either ``dates`` or ``start`` and ``end`` (then one row per date on which anything
    changes, see :func:`change_dates`).

    Parameters
    ----------
    flows
        Census flows (``exporter``, ``product``, ``value_usd``, ``duty_usd``; see
        :func:`census_lines`).
    exporters
        Exporter codes to report (default: all in ``flows``).
    level
        ``exporter``, ``hs6`` or ``measure`` (see :func:`effective_rates`).
    trade_provenance
        The flows' data set record (source, release, year, licence, checksum), carried into
        the result's provenance.

    Returns
    -------
    TableResult
        ``kind="tariffs"``; rows as :func:`effective_rates`; provenance of the schedule and
        the trade data; assumptions in sentences.
    """
    schedule = schedule or load_schedule()
    if dates is not None and (start is not None or end is not None):
        raise InputError("dates: give either dates or start/end, not both")
    if dates is None:
        if start is None or end is None:
            raise InputError("start/end: give both (or a list of dates)")
        date_list = change_dates(schedule, start, end)
    else:
        date_list = sorted({_as_date(d, "dates") for d in dates})
    lines = census_lines(flows)
    if exporters is not None:
        # only the lines reported need indexing; unknown codes are named by effective_rates
        known = set(lines["exporter"].unique())
        if all(str(e).strip().upper() in known for e in exporters):
            wanted = [str(e).strip().upper() for e in exporters]
            lines = lines.loc[lines["exporter"].isin(wanted)].reset_index(drop=True)
    index = index_lines(schedule, lines, usmca_share=usmca_share)
    rows = effective_rates(
        schedule, index, date_list, exporters=exporters, level=level, usmca_share=usmca_share
    )
    params = {
        "importer": schedule.importer,
        "exporters": list(exporters) if exporters is not None else None,
        "level": level,
        "dates": [d.isoformat() for d in date_list],
        "usmca_share": usmca_share,
    }
    provenance = {"schedule": dict(schedule.provenance)}
    if trade_provenance is not None:
        provenance["trade"] = dict(trade_provenance)
    summary = {"dates": len(date_list), "measures_in_schedule": len(schedule.measures)}
    return TableResult(
        kind="tariffs",
        params=params,
        rows=rows,
        provenance=provenance,
        assumptions=schedule_assumptions(schedule, usmca_share),
        summary=summary,
    )

"""Run a tariff scenario on a flows frame: prepare, solve, add bands, flags and home view.

:func:`run_on_flows` is the whole run on one year of flows (from
:func:`~tradelever.analysis.scenarios.flows.load_flows`), :func:`run_on_chunks` the same run
on the flows read a chunk of importers at a time
(:func:`~tradelever.analysis.scenarios.flows.plan_chunks`). For each chunk:

1. :func:`~tradelever.analysis.scenarios.prepare.prepare` lays the scenario on the rows
   (schedule against the baseline, elasticities, market ids; markets where no rate
   changes are dropped);
2. :func:`~tradelever.analysis.scenarios.prepare.solve` runs SMART or CES over every
   changed market at once;
3. :mod:`~tradelever.analysis.scenarios.sensitivity` adds the sigma band (and Monte Carlo
   draws with ``draws``), :mod:`~tradelever.analysis.scenarios.plausibility` the flags,
   :mod:`~tradelever.analysis.scenarios.home` home's decompositions;
4. :mod:`~tradelever.analysis.scenarios.result` builds the tables.

Markets (importer x product) are independent and a chunk holds whole importers, so the
chunks combine exactly: summaries, exporter sums and home's sums add up; the markets table
and home's rows are concatenated; a band of a total is the lowest and highest over the
runs of that total, each run summed over the chunks first; Monte Carlo percentiles are
taken on per-draw totals summed over the chunks. Memory is one chunk's working set plus
the result. Above ``max_rows`` rows, ``rows`` keeps the ``max_rows`` largest absolute total
effects (the result says so; the summary, markets and exporters cover every row).

Every result names its baseline (``params["baseline"]`` and the first scenario
assumption). A scenario whose measures change no rate on the data returns zero effects
and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tradelever.analysis.result import json_value
from tradelever.analysis.scenarios import flows as chunking
from tradelever.analysis.scenarios.baseline import BaselineSpec
from tradelever.analysis.scenarios.compare import compare_home
from tradelever.analysis.scenarios.flows import (
    FlowChunks,
    importer_parts,
    load_flows,
    plan_chunks,
    scenario_importers,
)
from tradelever.analysis.scenarios.home import HomePart, combine_home, home_part
from tradelever.analysis.scenarios.memory import (
    release_freed_memory,
    with_arrow_memory_from_the_c_library,
)
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.plausibility import (
    FLAGS,
    flag_counts,
    plausibility_notes,
    row_flags,
)
from tradelever.analysis.scenarios.prepare import MODES, Prepared, check_mode, prepare, solve
from tradelever.analysis.scenarios.rates import Elasticity, ScheduleLines
from tradelever.analysis.scenarios.result import (
    ROW_FIELDS,
    ScenarioResult,
    concat_columns,
    exporter_frame,
    exporter_sums,
    market_columns,
    row_columns,
)
from tradelever.analysis.scenarios.selectors import Notes
from tradelever.analysis.scenarios.sensitivity import DrawSums, check_draws, sigma_band
from tradelever.errors import InputError, StoreError

__all__ = [
    "MAX_ROWS",
    "MODES",
    "ROW_FIELDS",
    "FlowChunks",
    "ScenarioResult",
    "check_max_rows",
    "compare_home",
    "load_flows",
    "plan_chunks",
    "run_on_chunks",
    "run_on_flows",
    "scenario_importers",
]

Progress = Callable[[int, int], None]

MAX_ROWS = 250_000
"""Most rows a result's ``rows`` holds by default (about 25 MB): above it, the largest
absolute total effects. Every row of a BACI-size year would take about 1 GB."""

_MODEL_NOTES = {
    "smart": "model: WITS-SMART partial equilibrium: trade creation with the import demand "
    "elasticity; Laird-Yeats trade diversion (each source's relative price change against "
    "the others, at unchanged total imports, within existing trade); creation capped so that "
    "no supplier's imports fall below zero; welfare = change in the dead-weight-loss triangle",
    "ces": "model: CES (Armington) partial equilibrium in exact hat algebra, one market per "
    "importer and product; creation = each supplier's initial share of the change in the "
    "market's imports, diversion = the change in its share; welfare = consumer surplus + "
    "tariff revenue",
}


def _dates(obj: Any) -> Any:
    """Dates as ISO strings (recursively), for JSON."""
    if isinstance(obj, dict):
        return {k: _dates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_dates(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def check_max_rows(max_rows: Any) -> int | None:
    """Validate ``max_rows`` (None: every row; else a whole number, 1 or more).

    Raises
    ------
    InputError
        With ``parameter="max_rows"``.
    """
    if max_rows is None:
        return None
    if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 1:
        raise InputError(
            f"must be None (every row) or a whole number of 1 or more, got {max_rows!r}",
            parameter="max_rows",
        )
    return int(max_rows)


def _kept_keys(current: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """The rank keys of kept rows (code, exporter, importer, minus the absolute effect)."""
    return (
        current["code"].codes,
        current["exporter"].codes,
        current["importer"].codes,
        -np.abs(current["total_effect_usd"]),
    )


def _ranked_all(
    current: dict[str, Any] | None, keys: list[np.ndarray], limit: int | None
) -> np.ndarray:
    """The first ``limit`` positions of (kept rows, candidates) by one lexsort of their keys."""
    if current is not None:
        keys = [np.concatenate([a, b]) for a, b in zip(_kept_keys(current), keys, strict=True)]
    return np.lexsort(keys)[:limit]


class _RowKeeper:
    """The rows of a run: every row up to ``limit``, else the ``limit`` largest effects.

    The largest are those with the largest absolute total effect; ties go to the first
    (importer, exporter, code) in the run's code order, so the rows kept do not depend on
    how the run was cut into chunks. Only a chunk's candidates (rows at least as large as
    the smallest kept so far) are turned into table columns.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.parts: list[dict[str, Any]] = []
        self.count = 0
        self.total = 0
        self.truncated = False
        self.ranked = False  # the kept rows are in rank order (after a first merge)

    def add(self, p: Any, out: Any, descriptions: dict[str, str], **kw: Any) -> None:
        n = len(out.total)
        self.total += n
        if self.limit is None or (not self.truncated and self.count + n <= self.limit):
            self.parts.append(row_columns(p, out, descriptions, **kw))
            self.count += n
            return
        self.truncated = True
        current = concat_columns(self.parts) if self.parts else None
        self.parts = []
        size = np.abs(out.total)
        floor = -np.inf
        if current is not None and len(current["total_effect_usd"]) >= self.limit:
            floor = float(np.min(np.abs(current["total_effect_usd"])))
        if n > self.limit:
            floor = max(floor, float(np.partition(size, n - self.limit)[n - self.limit]))
        index = np.flatnonzero(size >= floor)
        # Rank the candidates on their sort keys alone, then build the columns of the
        # survivors only: the merge holds the kept rows, the survivors and one column at a
        # time, not every candidate's columns plus the merged table.
        rows = p.rows
        keys = [
            p.kept(rows.code_idx)[index],
            p.kept(rows.exp_idx)[index],
            p.kept(rows.imp_idx)[index],
            -size[index],
        ]
        del size
        n_cur = 0 if current is None else len(current["total_effect_usd"])
        if self.ranked and current is not None:
            order = self._merged(current, keys)
        else:
            order = _ranked_all(current, keys, self.limit)
        del keys
        self.ranked = True
        if current is not None and np.array_equal(order, np.arange(n_cur)):
            self.parts = [current]  # no candidate ranks among the kept rows
            return
        new = order >= n_cur
        survivors = np.sort(order[new] - n_cur)  # positions in ``index``
        # position of each kept row in (current rows, then the survivors' rows)
        order[new] = n_cur + np.searchsorted(survivors, order[new] - n_cur)
        candidates = row_columns(p, out, descriptions, index=index[survivors], **kw)
        del index, survivors, new
        merged: dict[str, Any] = {}
        for name in list(candidates):
            piece = candidates.pop(name)
            if current is not None:
                piece = concat_columns([{name: current.pop(name)}, {name: piece}])[name]
            merged[name] = piece.take(order) if isinstance(piece, pd.Categorical) else piece[order]
            del piece
        self.parts = [merged]
        self.count = len(order)

    def _merged(self, current: dict[str, Any], keys: list[np.ndarray]) -> np.ndarray:
        """The first ``limit`` positions of (kept rows, candidates) in rank order.

        The same order as ranking all of them together (``np.lexsort`` of the four keys),
        without sorting the kept rows again: they are in rank order already (largest
        absolute effect first, ties to the first importer, exporter and code). Only the
        candidates are sorted; each is placed among the kept rows by its absolute effect
        and, where kept rows have the same effect, by (importer, exporter, code) as one
        integer (the run's code positions).
        """
        assert self.limit is not None
        code, exp, imp, neg = keys
        cand = np.lexsort(keys)  # candidates in rank order
        neg = neg[cand]
        kept = -np.abs(current["total_effect_usd"])  # ascending: rank order
        at = np.searchsorted(kept, neg, side="left")
        tied = at != np.searchsorted(kept, neg, side="right")
        if tied.any():
            # within a run of equal effects the kept rows ascend by (importer, exporter,
            # code); the candidate goes after those that come first
            n_imp, n_exp, n_code = (
                int(max(current[name].codes.max(initial=-1), mine.max(initial=-1))) + 1
                for name, mine in (("importer", imp), ("exporter", exp), ("code", code))
            )

            def key(i: np.ndarray, e: np.ndarray, c: np.ndarray) -> np.ndarray:
                return (i.astype(np.int64) * n_exp + e) * n_code + c

            # the start of each kept row's run of equal effects
            starts = np.flatnonzero(np.r_[True, kept[1:] != kept[:-1]])
            first = np.repeat(starts, np.diff(np.r_[starts, len(kept)]))
            span = key(current["importer"].codes, current["exporter"].codes, current["code"].codes)
            scale = n_imp * n_exp * n_code  # above every key, the candidates' too
            if np.iinfo(np.int64).max // max(len(kept), 1) > scale:
                mine = key(imp[cand][tied], exp[cand][tied], code[cand][tied])
                at[tied] = np.searchsorted(first * scale + span, at[tied] * scale + mine)
            else:  # pragma: no cover - a universe too large for one integer key
                return _ranked_all(current, keys, self.limit)
        n_cur, m = len(kept), len(cand)
        # candidate j goes after the kept rows before it and the candidates before it
        where = at + np.arange(m)
        order = np.empty(n_cur + m, dtype=np.intp)
        is_cand = np.zeros(n_cur + m, dtype=bool)
        is_cand[where] = True
        order[where] = n_cur + cand
        order[~is_cand] = np.arange(n_cur)
        return order[: self.limit]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(concat_columns(self.parts), copy=False)


def run_on_flows(
    frame: Any,
    scenario: Scenario,
    *,
    mode: str = "ces",
    home: str | None = None,
    draws: int = 0,
    industry_level: bool,
    classification: str,
    baseline: BaselineSpec = None,
    sensitivity: bool = True,
    descriptions: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    assumptions: list[str] | None = None,
    progress: Progress | None = None,
    lines: ScheduleLines | None = None,
    max_rows: int | None = MAX_ROWS,
    chunk_rows: int | None = None,
) -> ScenarioResult:
    """Solve a scenario on a flows frame (importer, exporter, code, value).

    Parameters
    ----------
    frame
        International flows of one year, US$, one row per (importer, exporter, code).
    scenario
        A resolved scenario (``extends`` merged).
    mode
        ``ces`` (default) or ``smart``.
    home
        ISO3 code for the home view (own-tariff and rival-tariff effects), or None.
    draws
        Monte Carlo draws over the elasticities (0: none; at most 10,000).
    industry_level, classification
        Whether codes are ICIO industries, and the classification (for default sigmas).
    baseline
        What the effects are measured against: None (the scenario's ``relative_to``, else
        no additional tariffs), ``"none"`` (no additional tariffs), or a scenario whose
        schedule is the reference (:mod:`tradelever.analysis.scenarios.baseline`).
    sensitivity
        Add the sigma band (two more model runs); on by default.
    descriptions
        Code -> description.
    params, provenance, assumptions
        Passed through to the result (the data set's provenance and assumptions);
        ``params`` gains ``baseline``.
    progress
        Called as ``progress(done, total)`` during the draws.
    lines
        The US schedule on a date at the data's product level, for scenarios with ``on:
        DATE`` (:data:`~tradelever.analysis.scenarios.rates.ScheduleLines`); None when the
        data set has no US tariff lines.
    max_rows
        Most rows in ``rows`` (default :data:`MAX_ROWS`): above it, the rows with the
        largest absolute total effect, largest first; None returns every row.
    chunk_rows
        Solve the importers in chunks of about this many rows (None: all at once); the
        results are the same.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    InputError
        Bad mode, draws or max_rows, unknown selectors or baseline, negative rates.
    """
    return run_on_chunks(
        FlowChunks.of_frame(frame, chunk_rows),
        scenario,
        mode=mode,
        home=home,
        draws=draws,
        industry_level=industry_level,
        classification=classification,
        baseline=baseline,
        sensitivity=sensitivity,
        descriptions=descriptions,
        params=params,
        provenance=provenance,
        assumptions=assumptions,
        progress=progress,
        lines=lines,
        max_rows=max_rows,
    )


_SUMS = (
    "baseline_imports_usd",
    "baseline_imports_in_changed_markets_usd",
    "total_effect_usd",
    "trade_creation_usd",
    "trade_diversion_usd",
    "tariff_revenue_change_usd",
    "welfare_usd",
    "consumer_surplus_usd",
)


_MARKET = (
    "importer",
    "code",
    "description",
    "baseline_imports_usd",
    "total_effect_usd",
    "tariff_revenue_change_usd",
    "welfare_usd",
    "consumer_surplus_usd",
    "price_index_change",
    "sigma",
    "import_demand",
    "export_supply",
)
_PER_CODE = ("sigma", "import_demand", "export_supply")
_NO_SMART = ("consumer_surplus_usd", "price_index_change")


class _Markets:
    """The markets table of a run, written chunk by chunk to temporary files.

    Each column of each chunk is appended to a file of its own (raw values; categories by
    their codes), so the run holds no market of a finished chunk in memory: a BACI year
    has 1.2 million markets, about 60 MiB of columns that would otherwise grow beside
    every later chunk's working set. At the end each column is read back and sorted in
    place into the table through one scratch buffer reused for every column, so the end
    of a run holds the table and at most the order and the scratch buffer.
    """

    def __init__(self) -> None:
        self.n = 0
        self.files: dict[str, Any] = {}
        self.kinds: dict[str, np.dtype] = {}
        self.dtypes: dict[str, pd.CategoricalDtype] = {}

    def add(self, columns: dict[str, Any]) -> None:
        """Append one chunk's :func:`market_columns` (in market order).

        Raises
        ------
        StoreError
            When the temporary file cannot be written (disk full), naming its folder.
        """
        import tempfile

        m = len(columns["total_effect_usd"])
        try:
            for name, values in columns.items():
                if isinstance(values, pd.Categorical):
                    self.dtypes[name] = values.dtype
                    values = values.codes
                handle = self.files.get(name)
                if handle is None:
                    # kept open across chunks; closed (and so deleted) by close()
                    handle = tempfile.TemporaryFile(prefix="tradelever-")  # noqa: SIM115
                    self.files[name] = handle
                    self.kinds[name] = values.dtype
                handle.write(np.ascontiguousarray(values, dtype=self.kinds[name]).data)
        except OSError as exc:
            self.close()
            raise StoreError(
                f"cannot write a scenario's markets table to a temporary file in "
                f"{tempfile.gettempdir()}: {exc.strerror or exc}"
            ) from None
        self.n += m

    def _read(self, name: str) -> np.ndarray | None:
        handle = self.files.pop(name, None)
        if handle is None:
            return None
        with handle:
            handle.seek(0)
            column = np.empty(self.n, dtype=self.kinds[name])
            got = handle.readinto(column.data.cast("B"))
            if got != column.nbytes:  # pragma: no cover - another process truncated it
                raise StoreError(
                    f"a scenario's temporary markets file (column {name!r}) was cut short: "
                    f"{got} of {column.nbytes} bytes"
                )
        return column

    def close(self) -> None:
        """Delete the temporary files (after :meth:`frame`, or when the run fails)."""
        for handle in self.files.values():
            handle.close()
        self.files.clear()

    def frame(self, el: Elasticity | None) -> pd.DataFrame:
        """The table (:data:`_MARKET` columns), most negative total effect first.

        Each column is read back and sorted in place through one scratch buffer (its
        largest column) reused for every column; the columns filled in here (per code,
        NaN) are built after the sort order is released.
        """
        n = self.n
        try:
            total = self._read("total_effect_usd")
            order = np.argsort(total, kind="stable") if total is not None else None
            width = max((k.itemsize for k in self.kinds.values()), default=1)
            scratch = np.empty(n * width, dtype=np.uint8)
            stored: dict[str, np.ndarray] = {}
            sorted_: np.ndarray | None = None
            for name in _MARKET:
                column = total if name == "total_effect_usd" else self._read(name)
                if column is None or order is None:
                    continue
                sorted_ = scratch[: n * column.dtype.itemsize].view(column.dtype)
                np.take(column, order, out=sorted_)
                column[:] = sorted_  # sorted in place: the buffer becomes the column
                stored[name] = column
            del order, scratch, sorted_, total
        finally:
            self.close()
        out: dict[str, Any] = {}
        codes = stored.get("code")
        for name in _MARKET:
            column = stored.pop(name, None)
            if column is not None:
                dtype = self.dtypes.get(name)
                out[name] = (
                    column if dtype is None else pd.Categorical.from_codes(column, dtype=dtype)
                )
            elif name in _PER_CODE and el is not None and codes is not None:
                out[name] = getattr(el, name)[codes]  # constant per code
            else:  # consumer surplus and price index in SMART
                out[name] = np.full(n, np.nan)
        return pd.DataFrame(out, copy=False)


class _Run:
    """What the chunks of one run add up to (see the module docstring)."""

    def __init__(
        self,
        chunks: FlowChunks,
        *,
        mode: str,
        home: str | None,
        draws: int,
        sensitivity: bool,
        max_rows: int | None,
        scenario: Scenario,
        descriptions: dict[str, str],
    ) -> None:
        self.mode, self.home, self.sensitivity = mode, home, sensitivity
        self.descriptions = descriptions
        self.n_markets = 0
        self.sums = dict.fromkeys(_SUMS, 0.0)
        self.run_totals: list[float] = []
        self.flags = dict.fromkeys(FLAGS, 0)
        self.sigma_max: float | None = None
        self.rows = _RowKeeper(max_rows)
        self.markets = _Markets()
        self.elasticity: Elasticity | None = None
        self.exporters: dict[str, np.ndarray] | None = None
        self.home_parts: list[HomePart] = []
        self.draws = DrawSums(scenario, draws, home, chunks.exporters) if draws > 0 else None

    def market_frame(self) -> pd.DataFrame:
        """The markets table of every chunk, most negative total effect first."""
        return self.markets.frame(self.elasticity)

    def add(self, p: Prepared, progress: Callable[[int], None] | None) -> None:
        """Solve one chunk and add it up; only sums and result rows are kept."""
        mode = self.mode
        out = solve(p, mode)
        base = p.kept(p.value)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(base > 0, out.total / base, np.nan)
        flags = row_flags(p.kept(p.sigma), change, out.bounded)
        del change
        band_runs = sigma_band(p, mode) if self.sensitivity and p.n_markets else {}
        runs = [out.total, *band_runs.values()]
        self.rows.add(
            p,
            out,
            self.descriptions,
            low=np.minimum.reduce(runs),
            high=np.maximum.reduce(runs),
            flags=flags,
        )
        self.n_markets += int(p.n_markets)
        for key, value in (
            ("baseline_imports_usd", p.value.sum()),
            ("baseline_imports_in_changed_markets_usd", base.sum()),
            ("total_effect_usd", out.total.sum()),
            ("trade_creation_usd", out.creation.sum()),
            ("trade_diversion_usd", out.diversion.sum()),
            ("tariff_revenue_change_usd", out.revenue_change.sum()),
            ("welfare_usd", out.welfare.sum()),
            ("consumer_surplus_usd", out.consumer_surplus.sum()),
        ):
            self.sums[key] += float(value)
        if band_runs:
            totals = [float(r.sum()) for r in runs]
            if not self.run_totals:
                self.run_totals = [0.0] * len(totals)
            self.run_totals = [a + b for a, b in zip(self.run_totals, totals, strict=True)]
        for name, count in flag_counts(flags).items():
            self.flags[name] += count
        if p.n_markets:
            top = float(p.kept(p.sigma).max())
            self.sigma_max = top if self.sigma_max is None else max(self.sigma_max, top)
        columns = market_columns(p, out, self.descriptions)
        for name in _PER_CODE if p.elasticity is not None else ():
            del columns[name]  # constant per code: filled in from the codes at the end
        if mode == "smart":
            for name in _NO_SMART:
                del columns[name]  # NaN in SMART: filled in at the end
        self.markets.add(columns)
        del columns
        self.elasticity = p.elasticity
        sums = exporter_sums(p, out)
        if self.exporters is None:
            self.exporters = sums
        else:
            for key, value in sums.items():
                self.exporters[key] += value
        if self.home is not None:
            self.home_parts.append(
                home_part(
                    p,
                    mode,
                    out,
                    self.home,
                    self.descriptions,
                    bands=band_runs or None,
                    flags=flags,
                )
            )
        del out, band_runs, runs, flags
        if self.draws is not None and p.n_markets:
            self.draws.add(p, mode, progress)
        elif progress is not None:
            progress(self.draws.n if self.draws is not None else 0)


@with_arrow_memory_from_the_c_library
def run_on_chunks(
    chunks: FlowChunks,
    scenario: Scenario,
    *,
    mode: str = "ces",
    home: str | None = None,
    draws: int = 0,
    industry_level: bool,
    classification: str,
    baseline: BaselineSpec = None,
    sensitivity: bool = True,
    descriptions: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    assumptions: list[str] | None = None,
    progress: Progress | None = None,
    lines: ScheduleLines | None = None,
    max_rows: int | None = MAX_ROWS,
) -> ScenarioResult:
    """:func:`run_on_flows` on flows read a chunk of whole importers at a time.

    ``chunks`` from :func:`~tradelever.analysis.scenarios.flows.plan_chunks` (one query
    per chunk) or :meth:`~tradelever.analysis.scenarios.flows.FlowChunks.of_frame`. Each
    chunk is laid on the run's unique importers, exporters and codes, so selectors,
    elasticities and notes resolve as on the whole run; the results are the same as one
    pass over every row (to floating-point rounding of the sums).
    """
    check_mode(mode)
    draws = check_draws(draws)
    max_rows = check_max_rows(max_rows)
    notes = Notes()
    descriptions = descriptions or {}
    run = _Run(
        chunks,
        mode=mode,
        home=home,
        draws=draws,
        sensitivity=sensitivity,
        max_rows=max_rows,
        scenario=scenario,
        descriptions=descriptions,
    )
    n_chunks = max(len(chunks), 1)
    el = None
    p_baseline = None
    for c, frame in enumerate(chunks):
        release_freed_memory()  # the engine's buffers of the read, idle while the model runs
        # solved in parts of whole importers: the model's working memory is one part's
        for part in importer_parts(frame, chunking.SOLVE_ROWS):
            notes.next_chunk()
            p = prepare(
                part,
                scenario,
                industry_level=industry_level,
                classification=classification,
                notes=notes,
                baseline=baseline,
                lines=lines,
                universe=chunks.universe,
                elasticities=el,
            )
            del part
            el, p_baseline = p.elasticity, p.baseline
            hook = None
            if progress is not None and draws > 0:

                def hook(i: int, c: int = c) -> None:
                    progress((c * draws + i) // n_chunks, draws)

            run.add(p, hook)
            del p
            release_freed_memory()
        del frame
    if p_baseline is None:  # pragma: no cover - FlowChunks always has a chunk here
        raise InputError(f"scenario {scenario.name}: no flows to run on")

    summary: dict[str, Any] = {
        "markets_changed": run.n_markets,
        "rows": run.rows.total,
    }
    if run.rows.truncated:
        summary["rows_returned"] = run.rows.count
    for key in _SUMS:
        if key != "consumer_surplus_usd" or mode == "ces":
            summary[key] = run.sums[key]
    if run.run_totals:
        summary["total_effect_low_usd"] = min(run.run_totals)
        summary["total_effect_high_usd"] = max(run.run_totals)
        summary["sensitivity"] = "sigma - 1 halved and doubled (lowest and highest of 3 runs)"
    summary["rows_flagged"] = run.flags

    home_info, home_rows = None, None
    if home is not None:
        home_info, home_rows = combine_home(home, run.home_parts)
        release_freed_memory()  # the text columns' conversion buffers, before the tables
        if not len(home_rows):
            notes.add(
                f"home {home} supplies none of the markets whose rates change: its effects are 0"
            )
    unc = None
    if run.draws is not None and run.n_markets:
        unc = run.draws.outcome()
        spec = scenario.elasticities.uncertainty
        notes.add(
            f"ranges from {draws} Monte Carlo draws over the elasticities (one log-normal "
            "factor per elasticity and draw, common to all products; 90% ranges of the "
            f"factors: substitution (sigma - 1) {list(spec.substitution)}, import demand "
            f"{list(spec.import_demand)}, export supply {list(spec.export_supply)}; seed "
            f"{spec.seed})"
        )
    if run.n_markets == 0:
        notes.add(
            f"no rate changes: on this data set the measures of scenario {scenario.name} "
            f"change no tariff against the baseline ({p_baseline.label}), so every effect is "
            "0 (on industry data, measures given in HS codes or HS-only product sets do not "
            "apply; see the notes above)"
        )
    if run.run_totals:
        notes.add(
            "sensitivity band: total_effect_low_usd and total_effect_high_usd are the lowest "
            "and highest total effect over runs with the substitution elasticity at its value "
            "and with sigma - 1 halved and doubled"
        )
    for sentence in plausibility_notes(run.flags, run.sigma_max):
        notes.add(sentence)
    if run.rows.truncated:
        notes.add(
            f"rows: the {run.rows.count:,} rows with the largest absolute total effect of "
            f"{run.rows.total:,} rows in changed markets (max_rows={max_rows}; "
            "max_rows=None returns every row); the summary, markets and exporters cover "
            "every row"
        )
    year = (params or {}).get("year")
    all_assumptions = [
        *(assumptions or []),
        p_baseline.assumption(year if isinstance(year, int) else None),
        _MODEL_NOTES[mode],
        f"tariff schedule: scenario {scenario.name}"
        + (f" as of {scenario.date}" if scenario.date else ""),
        *scenario.assumptions,
        *notes.sentences(),
        "partial equilibrium: no income, exchange-rate or input-output effects; markets "
        "where no rate changes are not reported",
    ]
    prov = dict(provenance or {})
    prov["scenario"] = {
        "name": scenario.name,
        "date": scenario.date,
        "sources": scenario.sources,
        "measures": [
            {"basis": m.basis, "source": m.source, "effective": m.effective}
            for m in scenario.measures
        ],
    }
    out_params = dict(params or {})
    out_params["baseline"] = p_baseline.to_dict()
    rows = run.rows.frame()
    markets = run.market_frame()
    assert run.exporters is not None
    return ScenarioResult(
        kind="scenario",
        params=out_params,
        rows=rows,
        provenance=json_value(_dates(prov)),
        assumptions=list(dict.fromkeys(all_assumptions)),
        columns=tuple(c for c in ROW_FIELDS if c in rows.columns),
        summary=summary,
        markets=markets,
        exporters=exporter_frame(chunks.exporters, run.exporters),
        home=home_info,
        home_rows=home_rows,
        uncertainty=unc,
    )

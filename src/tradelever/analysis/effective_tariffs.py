"""The ``tariffs`` analysis: the US schedule in force on each date, on the 2024 Census lines.

For each date d and exporter e (formulas of :mod:`tradelever.analysis.tariffs`)::

    effective_additional_rate(e, d) = sum_k v_k a_k(d) / sum_k v_k
    baseline_rate_2024(e)           = sum_k duty_k / sum_k v_k
    contribution(j, e, d)           = sum_{k charged by j} v_k r_{j,k}(d) / sum_k v_k

over the HS10 lines k of e in ``census-us-2024`` (v_k: 2024 imports for consumption, US
dollars; a_k(d): the additional ad valorem duty of the measures in force on d, stacked as the
schedule says). ``measure_contributions`` gives the contribution of each measure charging
something; they add up to the effective rate.

With ``start``/``end`` the dates are those on which the schedule changes
(:func:`~tradelever.analysis.tariffs.change_dates`), kept only where something changes for
the exporters asked about (a rate, an exemption share or the measures charging them): one
row per exporter and date on which anything changes for them, the first date always shown.

This module also gives the series for a chart of the rate over time
(:func:`tariff_series`) and the schedule's rate per exporter and product on a date at a data
set's own product level (:func:`schedule_rates`), which the scenario presets use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from tradelever.analysis.request import DATASET, Request, Views, resolve
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import REQUIRED, Analysis, Option
from tradelever.reference.countries import (
    EU_ALIASES,
    group_members,
    group_names,
    resolve_countries,
    resolve_country,
)

# The schedule (pydantic models) loads when an answer is computed, not when the command line
# starts and reads the options below.
if TYPE_CHECKING:
    from tradelever.analysis.tariffs import LineIndex
    from tradelever.sources.us_tariffs import Schedule

__all__ = [
    "TARIFFS",
    "TARIFF_DATASET",
    "parse_dates",
    "schedule_rates",
    "tariff_lines",
    "tariff_request",
    "tariff_series",
    "tariffs",
]

#: The trade weights of the schedule: US imports by partner and HS10 line in 2024, with duty.
TARIFF_DATASET: Final = "census-us-2024"
TariffLevel = Literal["exporter", "hs6", "measure"]
TARIFF_LEVELS: Final[tuple[str, ...]] = ("exporter", "hs6", "measure")

TARIFFS: Final = Analysis(
    name="tariffs",
    command="tariffs",
    summary="Effective additional US tariff rates by date and exporter, measure by measure",
    options=(
        Option(
            "importer",
            str,
            REQUIRED,
            "Importing country whose schedule is applied: USA (the only schedule recorded).",
            argument=True,
            min_length=1,
            max_length=64,
            examples=("USA",),
        ),
        Option(
            "exporters",
            str,
            REQUIRED,
            "Exporters: ISO3 codes or groups, comma-separated (MYS,VNM,THA or ASEAN; EU, "
            "EU27 or EUU for the EU-27 aggregate).",
            short="-e",
            min_length=1,
            max_length=2000,
            examples=("MYS,VNM,THA",),
        ),
        Option(
            "dates",
            str | None,
            None,
            "Dates, comma-separated YYYY-MM-DD (instead of --from/--to).",
            min_length=1,
            max_length=2000,
            examples=("2025-04-05,2025-08-07",),
        ),
        Option(
            "start",
            str | None,
            None,
            "First date (YYYY-MM-DD): one row per date on which anything changes, up to "
            "--to (default: the whole schedule).",
            flag="--from",
            min_length=10,
            max_length=10,
            examples=("2025-01-01",),
        ),
        Option(
            "end",
            str | None,
            None,
            "Last date (YYYY-MM-DD).",
            flag="--to",
            min_length=10,
            max_length=10,
            examples=("2026-08-31",),
        ),
        Option(
            "level",
            TariffLevel,
            "exporter",
            "exporter: one row per date and exporter; hs6: the rate each HS6 product pays; "
            "measure: one row per measure charging duty, with its instrument.",
        ),
        DATASET.but(
            default=TARIFF_DATASET,
            help="Trade weights: a data set of US tariff lines (HS10) with 2024 duty "
            f"(default {TARIFF_DATASET}).",
            examples=(TARIFF_DATASET,),
        ),
        Option(
            "usmca_share",
            float,
            1.0,
            "Share of Canadian and Mexican value that qualifies for USMCA (0 to 1).",
            ge=0.0,
            le=1.0,
        ),
    ),
    levels=("hs10",),
)


# -- inputs ---------------------------------------------------------------------------------
def _date(text: Any, parameter: str) -> dt.date:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(
            f"{str(text).strip()!r} is not a date (write YYYY-MM-DD)", parameter=parameter
        ) from None


def parse_dates(
    dates: str | Sequence[Any] | None,
    start: Any,
    end: Any,
    schedule: Schedule,
) -> tuple[list[dt.date], bool, str | None]:
    """The dates asked for: ``(dates, from_to, note)``.

    ``dates`` (comma-separated or a list) or ``start``/``end`` (both, ``end`` not before
    ``start``); neither gives the whole schedule, ``valid_from`` to ``valid_to``, and a note
    saying so. ``from_to`` says whether the dates are the schedule's change dates.

    Raises
    ------
    InputError
        A date that is not YYYY-MM-DD, both forms given, one end missing, or ``end`` before
        ``start``; naming the parameter.
    """
    from tradelever.analysis.tariffs import change_dates

    if dates is not None and (start is not None or end is not None):
        raise InputError("give either dates or --from/--to, not both", parameter="dates")
    if dates is not None:
        items = [d for d in dates.split(",")] if isinstance(dates, str) else list(dates)
        items = [d for d in items if str(d).strip()]
        if not items:
            raise InputError("give at least one date (YYYY-MM-DD)", parameter="dates")
        return sorted({_date(d, "dates") for d in items}), False, None
    note = None
    if start is None and end is None:
        first, last = schedule.valid_from, schedule.valid_to
        note = f"dates: the whole schedule, {first} to {last} (no dates, --from or --to given)"
    elif start is None:
        raise InputError("give --from too (the first date)", parameter="start")
    elif end is None:
        raise InputError("give --to too (the last date)", parameter="end")
    else:
        first, last = _date(start, "start"), _date(end, "end")
        if last < first:
            raise InputError(f"{last} is before the first date {first}", parameter="end")
    return change_dates(schedule, first, last), True, note


def tariff_request(views: Views, dataset: str = TARIFF_DATASET) -> Request:
    """Resolve the request of the ``tariffs`` analysis: a data set of HS10 lines with duty.

    Raises
    ------
    InputError
        The data set has no HS10 lines or no recorded duty (``parameter="dataset"``).
    """
    view = views.view(dataset)
    manifest = view.manifest
    columns = set(view.table("flows").columns)
    if "hs10" not in manifest.levels or "duty_usd" not in columns:
        raise InputError(
            f"the tariff schedule is applied line by line to US imports with their 2024 duty; "
            f"data set {dataset} has no HS10 lines with duty (use {TARIFF_DATASET})",
            parameter="dataset",
        )
    return resolve(views, TARIFFS, dataset=dataset, level="hs10")


def _lines_frame(request: Request, importer: str, exporters: Sequence[str] | None) -> pd.DataFrame:
    from tradelever.analysis.tariffs import census_lines

    flows = request.flows
    t = flows.filter((flows["year"] == request.year) & (flows["importer"] == importer))
    if exporters is not None:
        t = t.filter(t["exporter"].isin(list(exporters)))
    t = t.group_by(["exporter", "product"]).aggregate(
        value_usd=t["value_usd"].sum(), duty_usd=t["duty_usd"].sum()
    )
    return census_lines(t.to_pandas())


def tariff_lines(
    request: Request,
    importer: str = "USA",
    exporters: Sequence[str] | None = None,
    *,
    usmca_share: float = 1.0,
) -> LineIndex:
    """The data set's lines indexed against the schedule (prefix matching done once).

    The index of every exporter is kept by the data-set view from the second call on (a
    server answers each later question without re-matching); a first call indexes only the
    ``exporters`` asked about.
    """
    from tradelever.analysis.tariffs import index_lines
    from tradelever.sources.us_tariffs import load_schedule

    schedule = load_schedule()
    key = ("tariff-lines", request.year, importer, float(usmca_share))
    full = request.view.memo(
        key,
        lambda: index_lines(
            schedule, _lines_frame(request, importer, None), usmca_share=usmca_share
        ),
        lazy=True,
    )
    if full is not None:
        return full
    return index_lines(
        schedule, _lines_frame(request, importer, exporters), usmca_share=usmca_share
    )


def _exporters(spec: str | Sequence[str], available: Sequence[str]) -> tuple[list[str], list[str]]:
    """Resolved exporter codes and notes on group members the data set does not cover."""
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    codes = resolve_countries(items, available, parameter="exporters")
    notes = []
    groups = {g.upper() for g in group_names()}
    for item in items:
        key = str(item).strip().upper()
        if key in groups and key not in EU_ALIASES:
            missing = [m for m in group_members(key) if m not in available]
            if missing:
                notes.append(
                    f"exporters: {key} members not among the data set's partners (not shown): "
                    f"{', '.join(missing)}"
                )
    return codes, notes


# -- the analysis ---------------------------------------------------------------------------
# Data-set sentences about indicators this analysis does not compute (HHI, world shares,
# product names) are left out of its assumptions.
_OTHER_INDICATORS = ("hhi", "indicators that need", "hs6 names", "partner imports of a product")


def _trade_notes(sentences: Sequence[str]) -> list[str]:
    return [s for s in sentences if not any(k in s.lower() for k in _OTHER_INDICATORS)]


def _contributions(measure_rows: pd.DataFrame) -> dict[tuple[Any, str], dict[str, float]]:
    out: dict[tuple[Any, str], dict[str, float]] = {}
    for date, exporter, mid, contrib in zip(
        measure_rows["date"],
        measure_rows["exporter"],
        measure_rows["measure_id"],
        measure_rows["contribution"],
        strict=True,
    ):
        out.setdefault((date, exporter), {})[str(mid)] = float(contrib)
    return out


def _changing_dates(rows: pd.DataFrame) -> list[dt.date]:
    """Dates on which a rate, share or measure of the reported exporters changes."""
    keys = ["effective_additional_rate", "exempt_share", "s232_share", "measures"]
    kept: list[dt.date] = []
    previous: Any = None
    for date, group in rows.groupby("date", sort=True):
        state = tuple(
            tuple(np.round(group[k].to_numpy(dtype=float), 12))
            if k != "measures"
            else tuple(group[k].astype(str))
            for k in keys
        )
        if previous is None or state != previous:
            kept.append(date)
        previous = state
    return kept


def _measure_legend(
    schedule: Schedule, measure_ids: Sequence[str], exporters: Sequence[str]
) -> list[dict[str, Any]]:
    """Each measure shown: authority, instrument, dates, rate (per exporter for a list)."""
    out = []
    for mid in dict.fromkeys(measure_ids):
        m = schedule.measure(mid)
        if m.rate.kind == "table":
            table = schedule.table_rates(str(m.rate.table))
            rate = (
                ", ".join(f"{e} {100 * table[e]:g}%" for e in exporters if e in table)
                or m.rate.describe()
            )
        else:
            rate = m.rate.describe()
        out.append(
            {
                "measure_id": m.id,
                "authority": m.authority,
                "instrument": m.instrument.number or m.instrument.title,
                "title": m.instrument.title,
                "url": m.instrument.url,
                "effective_from": m.effective_from.isoformat(),
                "effective_to": m.effective_to.isoformat() if m.effective_to else None,
                "rate": rate,
            }
        )
    return out


def tariffs(
    request: Request,
    importer: str,
    exporters: str | Sequence[str],
    *,
    dates: str | Sequence[Any] | None = None,
    start: Any = None,
    end: Any = None,
    level: TariffLevel = "exporter",
    usmca_share: float = 1.0,
) -> TableResult:
    """Effective additional tariff rates of ``exporters`` on each date (module docstring).

    Parameters
    ----------
    request
        From :func:`tariff_request` (a data set of US HS10 lines with 2024 duty).
    importer
        ``USA``: the only schedule recorded.
    exporters
        ISO3 codes or groups (comma-separated text or a list); ``EU``/``EU27``/``EUU`` give
        the data set's EU-27 aggregate.
    dates, start, end
        See :func:`parse_dates`.
    level
        ``exporter`` (rows: ``date``, ``exporter``, ``value_usd``, ``effective_additional_rate``,
        ``rate_change`` (from the previous date shown), ``baseline_rate_2024``,
        ``exempt_share``, ``s232_share``, ``measures``, ``measure_contributions`` and one
        ``contribution_<stack>`` per stack), ``hs6`` or ``measure``
        (:func:`~tradelever.analysis.tariffs.effective_rates`).
    usmca_share
        Share of Canadian and Mexican value qualifying for USMCA, in [0, 1].

    Returns
    -------
    TableResult
        ``kind="tariffs"``; provenance of the schedule (its instruments) and of the trade
        weights; ``summary["measures"]``: each measure shown with its instrument and rate.
    """
    from tradelever.analysis.tariffs import effective_rates, schedule_assumptions
    from tradelever.sources.us_tariffs import load_schedule

    TARIFFS.check(level=level, usmca_share=usmca_share)
    schedule = load_schedule()
    imp = resolve_country(importer, parameter="importer")
    if imp != schedule.importer:
        raise InputError(
            f"{imp}: only the {schedule.importer} tariff schedule is recorded "
            f"(give {schedule.importer})",
            parameter="importer",
        )
    available = sorted(request.view.countries())
    codes, notes = _exporters(exporters, [c for c in available if c != imp])
    date_list, from_to, date_note = parse_dates(dates, start, end, schedule)
    index = tariff_lines(request, imp, codes, usmca_share=usmca_share)
    known = set(index.exporters.tolist())
    absent = [c for c in codes if c not in known]
    if absent:
        raise InputError(
            f"{', '.join(absent)}: no {request.year} imports of {imp} in data set "
            f"{request.dataset}",
            parameter="exporters",
        )
    by_exporter = effective_rates(schedule, index, date_list, exporters=codes)
    last = _date(end, "end") if end is not None else schedule.valid_to
    n_change, span = len(date_list), (date_list[0], last)
    if from_to:
        date_list = _changing_dates(by_exporter)
        by_exporter = by_exporter[by_exporter["date"].isin(date_list)].reset_index(drop=True)
    by_measure = effective_rates(schedule, index, date_list, exporters=codes, level="measure")
    if level == "exporter":
        rows = by_exporter.sort_values(["exporter", "date"], kind="stable")
        rows["rate_change"] = rows.groupby("exporter")["effective_additional_rate"].diff()
        rows = rows.sort_values(["date", "exporter"], kind="stable").reset_index(drop=True)
        contrib = _contributions(by_measure)
        rows["measure_contributions"] = [
            contrib.get((d, e), {}) for d, e in zip(rows["date"], rows["exporter"], strict=True)
        ]
        first = ["date", "exporter", "value_usd", "effective_additional_rate", "rate_change"]
        rows = rows[[*first, *[c for c in rows.columns if c not in first]]]
    elif level == "measure":
        rows = by_measure
    else:
        rows = effective_rates(schedule, index, date_list, exporters=codes, level="hs6")
    rows = rows.assign(date=[d.isoformat() for d in rows["date"]])
    legend = _measure_legend(schedule, list(by_measure["measure_id"]), codes)
    assumptions = [
        *schedule_assumptions(schedule, usmca_share),
        *_trade_notes(request.assumptions),
        *notes,
    ]
    if date_note:
        assumptions.append(date_note)
    if from_to:
        assumptions.append(
            f"dates: from {span[0]} to {span[1]}, {n_change} dates (the first and each on "
            "which a measure or exemption of the schedule starts or ends); the "
            f"{len(date_list)} shown are the first and those on which a "
            "rate, an exemption or a measure of these exporters changes (the rates hold until "
            "the next date shown)"
        )
    params = {
        "importer": imp,
        "exporters": codes,
        "level": level,
        "dates": [d.isoformat() for d in date_list],
        "dataset": request.dataset,
        "year": request.year,
        "usmca_share": float(usmca_share),
    }
    provenance = {
        "schedule": {
            **dict(schedule.provenance),
            "instruments": [
                {"measure_id": x["measure_id"], "instrument": x["instrument"], "url": x["url"]}
                for x in legend
            ],
        },
        "trade": request.provenance,
    }
    summary = {
        "dates": len(date_list),
        "schedule_change_dates": n_change,
        "measures": legend,
    }
    return TableResult(
        kind="tariffs",
        params=params,
        rows=rows,
        provenance=provenance,
        assumptions=list(dict.fromkeys(assumptions)),
        summary=summary,
    )


def tariff_series(result: TableResult, *, end: dt.date | str | None = None) -> pd.DataFrame:
    """The rate over time of each exporter, as a step series for a chart.

    Parameters
    ----------
    result
        A ``tariffs`` result at level ``exporter``.
    end
        The date the last step runs to (default: the last date of the result's schedule,
        the later of its dates and ``params["dates"][-1]``).

    Returns
    -------
    pandas.DataFrame
        ``exporter``, ``start``, ``end`` (``datetime.date``; the rate holds from ``start``
        to the day before ``end``; the last step ends on ``end``), ``rate`` (fraction).
    """
    if result.kind != "tariffs" or "effective_additional_rate" not in result.rows.columns:
        raise InputError("a tariffs result at level exporter is needed", parameter="result")
    rows = result.rows
    dates = [dt.date.fromisoformat(str(d)) for d in rows["date"]]
    last = _date(end, "end") if end is not None else max(dates, default=None)
    parts = []
    for exporter, group in rows.assign(_d=dates).groupby("exporter", sort=False):
        group = group.sort_values("_d")
        starts = list(group["_d"])
        ends = [*starts[1:], max(last, starts[-1]) if last else starts[-1]]
        parts.append(
            pd.DataFrame(
                {
                    "exporter": exporter,
                    "start": starts,
                    "end": ends,
                    "rate": group["effective_additional_rate"].to_numpy(dtype=float),
                }
            )
        )
    columns = ["exporter", "start", "end", "rate"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


# -- the schedule on a data set's rows (scenario presets) ---------------------------------
def schedule_rates(
    request: Request,
    date: dt.date | str,
    *,
    importer: str = "USA",
    level: str | None = None,
    usmca_share: float = 1.0,
) -> pd.DataFrame:
    """The schedule's additional rate per exporter and product on ``date``, per stack.

    At the data set's product level (``level``, default the request's): the rate of an
    exporter x product is the 2024-value-weighted mean of its HS10 lines' additional rates,
    ``sum_k v_k a_k(d) / sum_k v_k``, in total and per stack of the schedule (a product whose
    lines all have zero value gets the plain mean of its lines' rates).

    Returns
    -------
    pandas.DataFrame
        ``exporter``, ``code`` (HS code at ``level``), ``value_usd``, ``rate`` (fraction) and
        ``rate_<stack>`` for each stack (``rate_reciprocal``, ``rate_s232``, ...), which add
        up to ``rate``.
    """
    from tradelever.analysis.tariffs import line_rates
    from tradelever.sources.us_tariffs import load_schedule

    level = level or request.level
    digits = {"hs10": 10, "hs8": 8, "hs6": 6, "hs4": 4, "hs2": 2}.get(level)
    if digits is None:
        raise InputError(
            f"the schedule is applied to HS codes; level {level} has none", parameter="level"
        )
    schedule = load_schedule()
    index = tariff_lines(request, importer, None, usmca_share=usmca_share)
    lines = line_rates(schedule, index, _date(date, "date"), usmca_share=usmca_share)
    value = lines["value_usd"].to_numpy(dtype=float)
    stacks = [c for c in lines.columns if c.startswith("rate_")]
    data: dict[str, Any] = {
        "exporter": lines["exporter"].astype(str).to_numpy(),
        "code": lines["product"].astype(str).str.slice(0, digits).to_numpy(),
        "value_usd": value,
        "n": np.ones(len(lines)),
    }
    for column in ["additional_rate", *stacks]:
        rate = lines[column].to_numpy(dtype=float)
        data[f"duty_{column}"] = value * rate
        data[f"sum_{column}"] = rate
    g = pd.DataFrame(data).groupby(["exporter", "code"], sort=True).sum()
    out = pd.DataFrame(
        {
            "exporter": g.index.get_level_values(0).to_numpy(),
            "code": g.index.get_level_values(1).to_numpy(),
            "value_usd": g["value_usd"].to_numpy(),
        }
    )
    positive = g["value_usd"].to_numpy() > 0
    den = np.where(positive, g["value_usd"].to_numpy(), 1.0)
    for column in ["additional_rate", *stacks]:
        weighted = g[f"duty_{column}"].to_numpy() / den
        plain = g[f"sum_{column}"].to_numpy() / g["n"].to_numpy()
        name = "rate" if column == "additional_rate" else column
        out[name] = np.where(positive, weighted, plain)
    return out

"""The deal comparison a negotiator needs, on one base and one model.

Three cases, each run with the same model on the same flows and measured against the same
baseline (no additional tariffs: the flows of the data year at that year's rates, 2024 on
``census-us-2024``):

``schedule in force on DATE``
    the US schedule of DATE (scenario ``on: DATE``).
``deal at R``
    the same schedule, with home's general duty (the reciprocal duty, the Section 122
    surcharge or the Section 301 duty, whichever charges it on DATE) set to R on the lines it
    charges; exemptions and Section 232 duties unchanged.
``peers settle first, home does not``
    the same schedule, with each peer's general duty set to R and home's unchanged.

For each case the home country's total effect, its exact splits (Shapley own / rivals:
own + rivals = total; sequential level / gap: level + gap = total; see
:mod:`tradelever.analysis.scenarios.home`), the sigma band (low / high) and the
plausibility flags of its rows; ``difference_from_schedule_usd`` is each case's total minus
the schedule's, the figure to quote as "what the deal is worth" or "what settling last
costs".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tradelever.analysis.request import Request, resolve
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Mode

__all__ = ["GENERAL_BASES", "deal_comparison", "deal_measures"]

#: The bases of a general duty (one that covers all of an exporter's products) that a deal
#: rate replaces.
GENERAL_BASES = ("reciprocal", "section122", "section301")
_DEFAULT_DATASET_USA = "census-us-2024"


def deal_measures(
    exporters: Sequence[str], rate: float, *, importer: str = "USA", why: str
) -> list[dict[str, Any]]:
    """Measures setting the general duty of ``exporters`` to ``rate`` where it charges.

    One measure per basis of :data:`GENERAL_BASES`, each ``only_where_charged`` (a deal
    replaces the duty on the lines the schedule charges; exempt lines stay exempt).
    """
    return [
        {
            "importer": importer,
            "exporters": list(exporters),
            "products": "all",
            "new_rate": float(rate),
            "basis": basis,
            "only_where_charged": True,
            "source": why,
        }
        for basis in GENERAL_BASES
    ]


def _request(source: Any, home: str, dataset: str | None, partner: str) -> Request:
    if isinstance(source, Request):
        if source.home is None or source.home != home:
            return source.for_home(home)
        return source
    from tradelever.analysis.scenarios.simulate import RUN_SCENARIO

    chosen = dataset or (_DEFAULT_DATASET_USA if partner == "USA" else None)
    if chosen is None:
        raise InputError("give the data set to run the comparison on", parameter="dataset")
    return resolve(source, RUN_SCENARIO, dataset=chosen, home=home)


def _rate(rows: pd.DataFrame, exporters: Sequence[str], total: float) -> float:
    """Value-weighted new rate of ``exporters`` over their exports to the importers."""
    if total <= 0:
        return float("nan")
    mask = rows["exporter"].astype(str).isin(list(exporters))
    sub = rows.loc[mask]
    return float((sub["baseline_imports_usd"] * sub["new_rate"]).sum() / total)


def _flags(frame: pd.DataFrame | None) -> dict[str, int]:
    from tradelever.analysis.scenarios.plausibility import FLAGS

    out = dict.fromkeys(FLAGS, 0)
    if frame is None or "flags" not in frame.columns:
        return out
    for text in frame["flags"].astype(str):
        for name in filter(None, text.split(";")):
            out[name] = out.get(name, 0) + 1
    return out


def deal_comparison(
    source: Any,
    home: str,
    partner: str = "USA",
    deal_rate: float = 0.15,
    peers: str | Sequence[str] = "ASEAN",
    date: dt.date | str | None = None,
    mode: Mode = "ces",
    *,
    dataset: str | None = None,
) -> TableResult:
    """The schedule of ``date``, a deal at ``deal_rate`` and peers settling first (docstring).

    Parameters
    ----------
    source
        A :class:`~tradelever.session.Session` (the data set is ``dataset``, default
        ``census-us-2024`` for a US partner) or a resolved :class:`Request`.
    home
        ISO3 code of the home country.
    partner
        The importer whose schedule applies: ``USA`` (the only schedule recorded).
    deal_rate
        The rate of the deal, a fraction (0.15 = 15%), in [0, 5].
    peers
        A group (``ASEAN``) or ISO3 codes; home is left out of it.
    date
        The schedule's date (default: today).
    mode
        ``ces`` or ``smart``.

    Returns
    -------
    TableResult
        ``kind="deal-comparison"``; one row per case (``case``, ``scenario``, ``baseline``,
        ``home_rate``, ``peers_rate``, ``home_exports_usd``, ``total_effect_usd``,
        ``total_effect_low_usd``, ``total_effect_high_usd``, ``own_tariff_effect_usd``,
        ``rival_tariff_effect_usd``, ``rate_level_effect_usd``, ``rate_gap_effect_usd``,
        ``difference_from_schedule_usd``, ``flags``); one model, one baseline, one read of
        the flows.
    """
    from tradelever.analysis.scenarios.simulate import _flows, run_scenario
    from tradelever.reference.countries import resolve_countries, resolve_country

    partner = resolve_country(partner, parameter="partner")
    if partner != "USA":
        raise InputError(
            f"{partner}: only the US tariff schedule is recorded (give USA)", parameter="partner"
        )
    if not isinstance(deal_rate, (int, float)) or not 0.0 <= float(deal_rate) <= 5.0:
        raise InputError(
            f"must be a fraction between 0 and 5 (0.15 = 15%), got {deal_rate!r}",
            parameter="deal_rate",
        )
    if date is None:
        day = dt.date.today()
    elif isinstance(date, dt.date):
        day = date
    else:
        try:
            day = dt.date.fromisoformat(str(date).strip())
        except ValueError:
            raise InputError(
                f"{date!r} is not a date (write YYYY-MM-DD)", parameter="date"
            ) from None
    request = _request(source, home, dataset, partner)
    home = str(request.home)
    available = [c for c in request.view.countries() if c not in (home, partner)]
    peer_codes = [p for p in resolve_countries(peers, available, parameter="peers") if p != home]
    if not peer_codes:
        raise InputError("no peer other than home is covered by the data set", parameter="peers")
    pct = f"{100 * float(deal_rate):g}%"
    why = f"hypothetical deal: general duty at {pct} (deal_comparison)"
    label = f"schedule in force on {day.isoformat()}"
    cases = [
        (label, {"name": f"schedule-{day.isoformat()}", "date": day, "on": day}),
        (
            f"deal at {pct}",
            {
                "name": f"deal-{home.lower()}-{day.isoformat()}",
                "date": day,
                "on": day,
                "measures": deal_measures([home], deal_rate, importer=partner, why=why),
            },
        ),
        (
            "peers settle first, home does not",
            {
                "name": f"peers-first-{day.isoformat()}",
                "date": day,
                "on": day,
                "measures": deal_measures(peer_codes, deal_rate, importer=partner, why=why),
            },
        ),
    ]
    frame = _flows(request, [partner])
    rows: list[dict[str, Any]] = []
    results = []
    for case, spec in cases:
        # every row: the value-weighted rates of home and the peers read them all
        res = run_scenario(request, spec, mode=mode, baseline="none", frame=frame, max_rows=None)
        results.append(res)
        h = res.home or {}
        exports = float(h.get("exports_to_importers_usd", 0.0))
        peer_exports = float(
            frame.loc[frame["exporter"].astype(str).isin(peer_codes), "value"].sum()
        )
        rows.append(
            {
                "case": case,
                "scenario": spec["name"],
                "baseline": res.params["baseline"]["label"],
                "home_rate": _rate(res.rows, [home], exports),
                "peers_rate": _rate(res.rows, peer_codes, peer_exports),
                "home_exports_usd": exports,
                "total_effect_usd": float(h.get("total_effect_usd", 0.0)),
                "total_effect_low_usd": h.get("total_effect_low_usd"),
                "total_effect_high_usd": h.get("total_effect_high_usd"),
                "own_tariff_effect_usd": float(h.get("own_tariff_effect_usd", 0.0)),
                "rival_tariff_effect_usd": float(h.get("rival_tariff_effect_usd", 0.0)),
                "rate_level_effect_usd": float(h.get("rate_level_effect_usd", 0.0)),
                "rate_gap_effect_usd": float(h.get("rate_gap_effect_usd", 0.0)),
                "flags": _flags(res.home_rows),
            }
        )
    out = pd.DataFrame(rows)
    out["difference_from_schedule_usd"] = out["total_effect_usd"] - out["total_effect_usd"].iloc[0]
    raises = []
    if out["home_rate"].iloc[1] > out["home_rate"].iloc[0] + 1e-12:
        raises.append(
            f"the deal rate {pct} is above what home pays on {day} (effective additional rate "
            f"{100 * out['home_rate'].iloc[0]:.1f}% on its exports): this 'deal' raises home's "
            "duties"
        )
    if out["peers_rate"].iloc[2] > out["peers_rate"].iloc[0] + 1e-12:
        raises.append(
            f"the deal rate {pct} is above what the peers pay on {day} on average: in the "
            "third case their duties rise, which helps home"
        )
    first = results[0]
    shared = [a for a in first.assumptions if all(a in r.assumptions for r in results[1:])]
    assumptions = [
        f"one model ({mode}), one baseline (no additional tariffs: the {request.year} flows at "
        f"the {request.year} rates), one read of the flows for the three cases; "
        "difference_from_schedule_usd = the case's total effect on home minus the schedule's",
        f"deal at {pct}: home's general duty (reciprocal, Section 122 or Section 301, whichever "
        f"charges it on {day}) set to {pct} on the lines it charges; exempt lines and Section "
        "232 duties as in the schedule; peers settle first: the same for each peer "
        f"({', '.join(peer_codes)}), home unchanged",
        *raises,
        "own_tariff_effect + rival_tariff_effect = total_effect (Shapley, exact); "
        "rate_level_effect + rate_gap_effect = total_effect (sequential, level first)",
        *shared,
        *[
            f"{case}: {a}"
            for (case, _), r in zip(cases, results, strict=True)
            for a in r.assumptions
            if a not in shared
        ],
    ]
    params = {
        "home": home,
        "partner": partner,
        "peers": peer_codes,
        "deal_rate": float(deal_rate),
        "date": day.isoformat(),
        "dataset": request.dataset,
        "year": request.year,
        "mode": mode,
        "baseline": first.params["baseline"],
    }
    summary = {
        "deal_worth_usd": float(out["difference_from_schedule_usd"].iloc[1]),
        "settling_last_costs_usd": float(out["difference_from_schedule_usd"].iloc[2]),
        "decomposition": "Shapley (own, rivals); sequential, level first (level, gap)",
    }
    return TableResult(
        kind="deal-comparison",
        params=params,
        rows=out,
        provenance=first.provenance,
        assumptions=list(dict.fromkeys(assumptions)),
        summary=summary,
    )

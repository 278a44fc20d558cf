"""Build a :class:`~tradelever.brief.model.Brief` by running the analyses on a session.

Layering. The brief package sits between analysis and the public API: its section builders
(:mod:`tradelever.brief.sections`, one module per section) are pure functions of analysis
results and never touch the store. Running the analyses needs the checks and defaults a
:class:`tradelever.session.Session` applies (country codes, data set, year, level), so
:func:`build_brief` takes the session as an argument typed by :class:`AnalysisSession`:
``leverage`` required; ``substitutes``, ``exposure``, ``supply_chain``, ``formula``,
``concessions``, ``peers``, ``run_scenario``, ``compare_scenarios``, ``scenario`` and
``view`` optional. ``Session.brief`` passes itself in; nothing here imports the session
module, so a test can build a brief from a stub with hand-made results.

Data by question. With no data set given and the United States as partner, the brief argues
from product data (``census-us-2024`` at HS6, US imports by partner and HTS line, 2024), the
formula from the US goods balance (``census-us-trade``), the tariffs from the US schedule
(``tradelever.sources.us_tariffs``) and the deals from their texts
(``tradelever.analysis.deals``); the input-output network (``icio2022``) appears once, in
the supply-chain section, labelled intermediate goods only. Other partners keep ``icio2022``.

Missing analyses. An optional method that is absent, raises :class:`NotImplementedError`, or
raises a :class:`~tradelever.errors.TradeleverError` (an analysis that does not apply to the
data set) turns its section into a plain "Not available: <why>" with no figures; any other
exception (a ``TypeError`` from a wrong keyword included) is a bug and propagates. A scenario
name that does not exist is an input error raised before anything runs.

Progress. ``progress`` (a callable taking one line of text) is told each step; the command
line prints it on stderr, never in the document.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tradelever.analysis.request import HOME, LEVEL, PARTNER, RIVAL, YEAR
from tradelever.analysis.result import TableResult
from tradelever.brief.context import Context, is_intermediate_only, is_single_reporter
from tradelever.brief.figures import provenances
from tradelever.brief.model import Brief, Paragraph, Section, SourceRecord
from tradelever.brief.money import FX_MAX, FxRate
from tradelever.brief.rules import COMPETITORS_FIRST, DEAL, Rules
from tradelever.brief.sections import bottom_line as s_bottom
from tradelever.brief.sections import claims as s_claims
from tradelever.brief.sections import concessions as s_concessions
from tradelever.brief.sections import exposure as s_exposure
from tradelever.brief.sections import formula as s_formula
from tradelever.brief.sections import leverage as s_leverage
from tradelever.brief.sections import method as s_method
from tradelever.brief.sections import peers as s_peers
from tradelever.brief.sections import scan as s_scan
from tradelever.brief.sections import scenarios as s_scen
from tradelever.brief.sections import substitution as s_subst
from tradelever.brief.sections import summary as s_summary
from tradelever.brief.sections import supply_chain as s_supply
from tradelever.brief.sections import tariffs as s_tariffs
from tradelever.brief.sections.common import Points, unavailable
from tradelever.brief.text import cap, country_phrase
from tradelever.errors import InputError, TradeleverError
from tradelever.options import Analysis, Option

__all__ = [
    "BRIEF",
    "AnalysisSession",
    "Outcome",
    "brief",
    "build_brief",
    "call_optional",
    "parse_fx",
]

Progress = Callable[[str], None]

BRIEF = Analysis(
    name="brief",
    command="brief",
    summary="A sourced negotiation brief (HTML, Markdown, PDF or JSON)",
    options=(
        HOME,
        PARTNER,
        RIVAL,
        Option(
            "peers",
            str | None,
            "ASEAN",
            "Peers section: group (ASEAN, EU27, G20), ISO3 codes comma-separated, or 'none' "
            "(no section).",
            min_length=1,
            max_length=1000,
        ),
        Option(
            "dataset",
            str | None,
            None,
            "Product data set (default: census-us-2024 when the partner is the United "
            "States, else icio2022; see `tradelever datasets`).",
            short="-d",
            min_length=1,
            max_length=128,
        ),
        YEAR,
        LEVEL,
        Option(
            "scenarios",
            Sequence[str],
            (),
            "Scenario preset (or YAML file, command line only) to run, optionally "
            "LABEL=NAME; repeatable. Default: the pair's listed outcomes.",
            flag="--scenario",
            short="-s",
            query="scenario",
            max_length=20,
            cli_annotation=list[str] | None,
            http_annotation=list[str] | None,
        ),
        Option(
            "deal_rate",
            float,
            0.10,
            "Rate of the hypothetical deal in the scenario section, a fraction (default 0.10: "
            "the floor of the April 2025 formula).",
            ge=0.0,
            le=1.0,
        ),
        Option(
            "claims",
            str | None,
            None,
            "Claims file (YAML, see examples/claims/): adds a 'claims checked' annex.",
            http=False,  # a server does not read files named by its clients
            cli_annotation=Path | None,
        ),
        Option(
            "currency",
            str | None,
            None,
            "Home currency, ISO 4217 (e.g. MYR).",
            min_length=1,
            max_length=8,
        ),
        Option(
            "fx",
            float | None,
            None,
            "Home-currency units per US dollar (e.g. 4.4510), above 0 and at most 1e7.",
            gt=0.0,
            le=FX_MAX,
            hint="a rate in home-currency units per US dollar (the weakest currencies trade "
            "near 10^6); larger values would overflow the converted figures",
        ),
        Option(
            "fx_date",
            str | dt.date | None,
            None,
            "Date of the rate, YYYY-MM-DD.",
            cli_annotation=str | None,
            http_annotation=dt.date | None,
        ),
        Option(
            "fx_source",
            str | None,
            None,
            "Who published the rate (printed with it).",
            min_length=1,
            max_length=200,
        ),
        Option(
            "top",
            int,
            5,
            "Leverage points and table rows per section.",
            short="-n",
            ge=1,
            http_le=50,
        ),
    ),
)

#: The optional methods and the keyword arguments the brief passes them (positional
#: arguments are home and partner, or the scenario names).
OPTIONAL_CALLS: dict[str, tuple[str, ...]] = {
    "substitutes": ("dataset", "year", "level"),
    "exposure": ("dataset", "year", "level"),
    "supply_chain": ("dataset",),
    "formula": ("dataset", "target_rate"),
    "concessions": ("dataset", "year", "level"),
    "peers": ("peers", "dataset", "year"),
    "run_scenario": ("home", "dataset", "year"),
    "compare_scenarios": ("home", "dataset", "year"),
}

CENSUS_IMPORTS = "census-us-2024"
CENSUS_TRADE = "census-us-trade"
ICIO = "icio2022"
#: The rate the purchases offer aims at: the formula's floor.
FLOOR = 0.10
#: The tariff timeline starts here (the schedule's first measures are of February 2025).
TIMELINE_START = dt.date(2025, 1, 1)


class AnalysisSession(Protocol):
    """What the brief needs of a session: ``leverage``; the rest is optional (see above)."""

    def leverage(
        self,
        home: str,
        partner: str,
        rival: str | None = None,
        *,
        dataset: str = ...,
        year: int | None = ...,
        level: Any = ...,
    ) -> Any:
        """Leverage rows (a ``LeverageResult``)."""
        ...


@dataclass(frozen=True)
class Outcome:
    """The result of an optional analysis, or why there is none."""

    result: Any | None
    reason: str | None


def call_optional(session: Any, method: str, what: str, *args: Any, **kwargs: Any) -> Outcome:
    """Call ``session.<method>(*args, **kwargs)`` if it exists; "not there" is a reason.

    The arguments are passed as given: a method that does not take them is a bug.
    """
    fn = getattr(session, method, None)
    if fn is None or not callable(fn):
        return Outcome(
            None,
            f"this installation of tradelever has no {what} analysis, so this section has no "
            "figures.",
        )
    try:
        return Outcome(fn(*args, **kwargs), None)
    except NotImplementedError as exc:
        detail = f" ({exc})" if str(exc) else ""
        return Outcome(None, f"the {what} analysis is not implemented yet{detail}.")
    except TradeleverError as exc:
        return Outcome(None, f"the {what} analysis could not run on this input: {exc}")


def parse_fx(
    currency: str | None,
    fx: float | str | None,
    fx_date: str | dt.date | None,
    fx_source: str | None = None,
) -> FxRate | None:
    """Validate ``currency``, ``fx`` and ``fx_date`` (all three, or none)."""
    given = {"currency": currency, "fx": fx, "fx_date": fx_date}
    if all(v is None for v in given.values()):
        return None
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise InputError(
            "home-currency figures need the currency, the rate (fx, units per US dollar) and "
            "its date (fx_date) together; no rate is fetched online",
            parameter=missing,
        )
    return FxRate.parse(str(currency), fx, fx_date, fx_source)  # type: ignore[arg-type]


def brief(
    session: AnalysisSession,
    home: str,
    partner: str,
    rival: str | None = None,
    *,
    peers: str | Sequence[str] | None = "ASEAN",
    dataset: str | None = None,
    year: int | None = None,
    level: str | None = None,
    scenarios: Sequence[str] = (),
    deal_rate: float = 0.10,
    claims: str | Path | None = None,
    currency: str | None = None,
    fx: float | str | None = None,
    fx_date: str | dt.date | None = None,
    fx_source: str | None = None,
    top: int = 5,
    rules: Rules | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Brief:
    """:func:`build_brief` with the exchange rate given as plain values (``Session.brief``).

    ``currency``, ``fx`` (home-currency units per US dollar) and ``fx_date`` go together;
    the other arguments are those of :func:`build_brief`.
    """
    BRIEF.check(fx=fx)
    rate = parse_fx(currency, fx, fx_date, fx_source)
    return build_brief(
        session,
        home,
        partner,
        rival=rival,
        peers=peers,
        dataset=dataset,
        year=year,
        level=level,
        scenarios=scenarios,
        deal_rate=deal_rate,
        claims=claims,
        fx=rate,
        top=top,
        rules=rules,
        today=today,
        progress=progress,
    )


def _country_name(code: str | None) -> str | None:
    if code is None:
        return None
    if code == "EUU":
        return "European Union"
    from tradelever.reference.countries import country_name

    return country_name(code)


def _resolve(code: str, parameter: str) -> str:
    from tradelever.reference.countries import resolve_country

    try:
        return resolve_country(code, parameter=parameter)
    except TradeleverError:
        return str(code).strip().upper()


def _has_dataset(session: Any, name: str) -> bool:
    view = getattr(session, "view", None)
    if not callable(view):
        return False
    try:
        view(name)
    except TradeleverError:
        return False
    return True


def _peer_members(peers: str | Sequence[str] | None) -> tuple[str | None, list[str]]:
    if peers is None:
        return None, []
    label = peers if isinstance(peers, str) else ",".join(peers)
    from tradelever.reference.countries import group_members

    try:
        return label, list(group_members(label))
    except TradeleverError:
        return label, [_resolve(p, "peers") for p in label.split(",") if p.strip()]


def check_scenarios(session: Any, specs: Sequence[str]) -> None:
    """Raise an input error (parameter ``scenarios``) for a name that is no preset or file."""
    look = getattr(session, "scenario", None)
    if not callable(look):
        return
    for _, name in s_scen.parse_requests(specs):
        try:
            look(name)
        except TradeleverError as exc:
            raise InputError(str(exc).split("\n")[0], parameter="scenarios") from None


def build_brief(
    session: AnalysisSession,
    home: str,
    partner: str,
    *,
    rival: str | None = None,
    peers: str | Sequence[str] | None = "ASEAN",
    dataset: str | None = None,
    year: int | None = None,
    level: str | None = None,
    scenarios: Sequence[str] = (),
    deal_rate: float = 0.10,
    claims: str | Path | None = None,
    fx: FxRate | None = None,
    top: int = 5,
    rules: Rules | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Brief:
    """Run the analyses for one home-partner pair and assemble the brief.

    Parameters
    ----------
    session
        A :class:`tradelever.session.Session` (or any object with the same methods).
    home, partner, rival
        ISO3 codes (validated by the session).
    peers
        Group name (``ASEAN``) or ISO3 codes for the peers section; ``None`` to skip it.
    dataset, year, level
        As for :meth:`Session.leverage`; default ``census-us-2024`` at HS6 when the partner
        is the United States (else ``icio2022``) and the data set's latest year.
    scenarios
        Scenario preset names or YAML files to run (``Session.run_scenario``), each optionally
        labelled ``"LABEL=NAME"`` (``"deal=us-2025-08-07"``). Default: the outcomes listed for
        the pair in ``data/brief_scenarios.yaml`` (none for pairs not listed).
    deal_rate
        The rate of the hypothetical deal of the scenario section (fraction).
    claims
        A claims file: adds the "claims checked" annex.
    fx
        Home-currency rate; every US-dollar figure is also printed in that currency.
    top
        Number of leverage points and of table rows per section.
    rules
        Counts for the asks-and-offers rules (:mod:`tradelever.brief.rules`).
    today
        The brief's date: printed on it, and the date on which tariff rates and exemptions
        are read (default: today).
    progress
        Told each step (one line of text).
    """
    BRIEF.check(top=top, deal_rate=deal_rate)
    say: Progress = progress or (lambda _msg: None)
    rules = rules or Rules()
    date = today or dt.date.today()
    if scenarios:
        check_scenarios(session, scenarios)
    claims_file = None
    if claims is not None:
        from tradelever.analysis.claims import read_claims_file

        claims_file = read_claims_file(claims)  # fails fast, naming the file
    partner_code = _resolve(partner, "partner")
    why_dataset = None
    if dataset is None:
        from tradelever.store.embedded import default_dataset

        dataset, why_dataset, default_level = default_dataset("brief", partner_code)
        if not _has_dataset(session, dataset) and dataset != ICIO:
            dataset, default_level = ICIO, None
        level = level or default_level
        if not callable(getattr(session, "view", None)):
            dataset = dataset  # a stub: the session decides
    say(f"leverage: {dataset}")
    leverage = session.leverage(home, partner, rival, dataset=dataset, year=year, level=level)
    home, partner, rival = leverage.home, leverage.partner, leverage.rival
    dataset, year, level = leverage.dataset, leverage.year, leverage.level
    home_name = country_phrase(home, _country_name(home) or home)
    partner_name = country_phrase(partner, _country_name(partner) or partner)
    ctx = Context(
        home=home,
        partner=partner,
        rival=rival,
        home_name=home_name,
        partner_name=partner_name,
        rival_name=country_phrase(rival, _country_name(rival) or rival) if rival else None,
        dataset=dataset,
        year=year,
        level=level,
        classification=str(leverage.provenance.get("classification", "")),
        intermediate_only=is_intermediate_only(leverage),
        date=date,
        fx=fx,
        top=top,
        rules=rules,
        single_reporter=is_single_reporter(leverage),
    )
    common = {"dataset": dataset, "year": year}
    results: dict[str, Any] = {"leverage": leverage}
    runs: dict[str, Outcome] = {}
    product_level = level not in ("industry", "total", "group")

    # focus products (the lead): leverage at the levels of their codes
    products = s_summary.focus_products(home) if product_level else ()
    for lvl in sorted({p.level for p in products}):
        if lvl == level:
            results[f"focus_{lvl}"] = leverage
            continue
        say(f"leverage at {lvl} for the lead products")
        out = call_optional(session, "leverage", "leverage", home, partner, rival,
                            dataset=dataset, year=year, level=lvl)  # fmt: skip
        if out.result is not None:
            results[f"focus_{lvl}"] = out.result

    # tariffs on the brief's date (a US partner with the Census lines in the store)
    peer_label, members = _peer_members(peers)
    exporters = list(dict.fromkeys([home, *members, *([rival] if rival else [])]))
    tariff_reason = None
    if partner == "USA" and _has_dataset(session, CENSUS_IMPORTS):
        say("US tariff schedule: effective rates over time and exemptions")
        try:
            results.update(_tariff_results(session, home, exporters, date))
        except TradeleverError as exc:
            tariff_reason = f"the tariff schedule could not be applied: {exc}"
    else:
        tariff_reason = (
            "the partner's tariff schedule is packaged for the United States only (US tariff "
            "measures of 2025-26, applied to US Census 2024 import lines)."
        )

    if rival is not None:
        say("rival substitution")
        runs["substitutes"] = call_optional(
            session,
            "substitutes",
            "rival-substitution",
            home,
            partner,
            rival,
            level=level,
            **common,
        )
    say("exposure")
    runs["exposure"] = call_optional(
        session, "exposure", "exposure", home, partner, level=level, **common
    )
    say("supply chain (input-output network)")
    runs["supply_chain"] = call_optional(
        session, "supply_chain", "supply-chain (input-output)", home, partner,
        dataset=ICIO if _has_dataset(session, ICIO) or dataset == ICIO else dataset,
    )  # fmt: skip
    formula_dataset = dataset
    if partner == "USA" and _has_dataset(session, CENSUS_TRADE):
        formula_dataset = CENSUS_TRADE
    say(f"reciprocal formula: {formula_dataset}")
    runs["formula"] = call_optional(
        session, "formula", "reciprocal-formula", home, partner,
        dataset=formula_dataset, target_rate=FLOOR,
    )  # fmt: skip
    say("concession shortlist")
    runs["concessions"] = call_optional(
        session, "concessions", "concession-finder", home, partner, level=level, **common
    )
    if peer_label is not None:
        say(f"peers: {peer_label}")
        runs["peers"] = call_optional(
            session, "peers", "peers", home, partner, peers=peer_label, **common
        )
    results.update({k: o.result for k, o in runs.items() if o.result is not None})
    comparison = None
    if not scenarios and partner == "USA" and dataset == CENSUS_IMPORTS:
        say(
            f"deal comparison on {date.isoformat()}: schedule, deal at {deal_rate:.0%}, peers first"
        )
        comparison = _deal_comparison(session, home, members, deal_rate, date, dataset)
        if comparison.result is not None:
            results["deal_comparison"] = comparison.result
        outcomes, defaulted, scenario_reason = [], False, comparison.reason
    else:
        say("tariff scenarios")
        outcomes, defaulted, scenario_reason = _run_scenarios(
            session, scenarios, home, partner, common, say
        )
    results.update({o.key: o.result for o in outcomes if o.result is not None})
    sequencing = _compare_deal_and_first(session, outcomes, home, common)
    if sequencing is not None:
        results["sequencing"] = sequencing[0]
    if partner == "USA":
        say("US deals 2025-26: what peers gave and got, first in line, precedents")
        results.update(_deal_results(session, home, members))
    if claims_file is not None:
        say(f"checking the claims of {claims}")
        results["claims"] = _claims_result(session, claims_file, str(claims))
    scan_dataset = _scan_dataset(session)
    scan_reason = (
        "needs a product data set with every importer (CEPII BACI; `tradelever ingest baci`): "
        f"{dataset} holds one importer's trade only."
        if scan_dataset is None
        else None
    )
    if scan_dataset is not None:
        say(f"leverage scan over every partner: {scan_dataset}")
        out = _scan(session, home, scan_dataset)
        if out.result is not None:
            results["scan"] = out.result
        else:
            scan_reason = out.reason

    # notes stated by two or more analyses go to the method section once
    counts: dict[str, int] = {}
    for result in results.values():
        for a in dict.fromkeys(map(str, getattr(result, "assumptions", []) or [])):
            counts[a] = counts.get(a, 0) + 1
    ctx = replace(ctx, shared_notes=frozenset(a for a, n in counts.items() if n > 1))

    say("writing the sections")
    points = Points()
    heads_extra: list[Paragraph] = []
    body: list[Section] = []
    names = {c: _country_name(c) or c for c in exporters}

    hs6_rates = (
        results.get("tariff_products") if level == "hs6" and dataset == CENSUS_IMPORTS else None
    )
    section, pts = s_leverage.build(ctx, leverage, hs6_rates)
    body.append(section)
    points.extend(pts)

    if "tariffs" in results:
        body.append(
            s_tariffs.build(ctx, results["tariffs"], results["country_rates"], names, members)
        )
        sentence = s_tariffs.peer_rate_sentence(ctx, results["country_rates"], names, members)
        if sentence is not None:
            heads_extra.append(sentence)
    else:
        body.append(unavailable("tariffs", "Tariffs over time", tariff_reason or ""))

    out = runs["formula"]
    if out.result is None:
        body.append(unavailable("formula", s_formula.TITLE, out.reason or ""))
        points.missing.append(f"purchases that move the formula: {out.reason}")
    else:
        section, pts, heads = s_formula.build(ctx, out.result)
        body.append(section)
        points.extend(pts)
        heads_extra.extend(heads)

    if comparison is not None and comparison.result is not None:
        section, pts = s_scen.build_comparison(ctx, comparison.result)
        body.append(section)
        points.asks[1:1] = pts.asks  # the second ask
    elif scenario_reason is not None:
        body.append(unavailable("scenarios", s_scen.TITLE, scenario_reason))
    else:
        section, heads = s_scen.build(ctx, outcomes, defaulted=defaulted)
        body.append(section)
    if sequencing is not None:
        points.asks[1:1] = s_scen.sequencing_ask(ctx, *sequencing).asks  # second ask

    if peer_label is None:
        body.append(unavailable("peers", "Peers", "no peer group was requested."))
    else:
        peer_out = runs.get("peers")
        section, pts = s_peers.build(
            ctx,
            peer_out.result if peer_out else None,
            results.get("deals"),
            peer_label,
            members,
            first_in_line=results.get("first_in_line"),
            found=results.get("precedents"),
        )
        if not section.available and peer_out is not None and peer_out.reason:
            section = unavailable("peers", section.title, peer_out.reason)
        body.append(section)
        points.extend(pts)

    title = s_subst.TITLE
    if rival is None:
        reason = "no rival was given (--rival ISO3), so there is no rival supply to replace."
        body.append(unavailable("substitutes", title, reason))
    elif runs["substitutes"].result is None:
        body.append(unavailable("substitutes", title, runs["substitutes"].reason or ""))
    else:
        section, pts = s_subst.build(ctx, runs["substitutes"].result)
        body.append(section)
        points.extend(pts)

    out = runs["exposure"]
    if out.result is None:
        body.append(unavailable("exposure", s_exposure.TITLE, out.reason or ""))
    else:
        section, pts = s_exposure.build(ctx, out.result)
        body.append(section)
        points.extend(pts)

    out = runs["supply_chain"]
    if out.result is None:
        body.append(unavailable("supply_chain", "Supply-chain dependence", out.reason or ""))
    else:
        body.append(s_supply.build(ctx, out.result))

    out = runs["concessions"]
    if out.result is None:
        body.append(unavailable("concessions", s_concessions.TITLE, out.reason or ""))
    else:
        section, pts = s_concessions.build(ctx, out.result)
        body.append(section)
        points.extend(pts)

    if "scan" in results:
        body.append(s_scan.build(ctx, results["scan"]))
    else:
        body.append(unavailable("scan", s_scan.title(ctx), scan_reason or ""))

    if "claims" in results:
        body.append(s_claims.build(ctx, results["claims"]))

    assumptions = _assumptions(results)
    shared = [a for a in assumptions if a in ctx.shared_notes]
    body.append(s_method.build(ctx, shared))

    lead = s_summary.focus_sentences(ctx, results, products)
    if not lead:
        lead = s_summary.top_leverage_sentences(ctx, leverage)
    summary, heads = s_summary.build(ctx, lead, heads_extra, products, dict(leverage.provenance))
    bottom = s_bottom.build(ctx, points)
    sources = _sources(results, products)
    title = f"{cap(home_name)} and {partner_name}: leverage, tariffs and what to ask"
    subtitle = (
        f"Product data {dataset}, {year}, {ctx.classification} codes at {level} level"
        + (f"; rival {ctx.rival_name}" if rival else "")
        + (f"; {ctx.scope.strip(' ()')}" if ctx.intermediate_only else "")
        + f"; tariffs and deals as of {date.isoformat()}"
    )
    extra_assumptions = [why_dataset] if why_dataset else []
    say("done")
    return Brief(
        title=title,
        subtitle=subtitle,
        home=home,
        partner=partner,
        rival=rival,
        dataset=dataset,
        year=year,
        level=level,
        generated_on=date,
        headline=heads,
        sections=(summary, bottom, *body),
        sources=sources,
        assumptions=tuple([*extra_assumptions, *assumptions]),
        fx=fx,
        tariff_schedule=_tariff_schedule(session, outcomes),
        results=results,
    )


# -- the analyses the brief adds to the session's ----------------------------------------------


def _schedule_provenance(schedule: Any, date: dt.date) -> dict[str, Any]:
    prov = dict(schedule.provenance)
    return {
        "name": "US tariff schedule 2025-26",
        "source": (
            "US tariff measures of 2025-26 (executive orders, proclamations and notices of "
            "the Federal Register under IEEPA, Sections 232, 122, 301 and 338), each with its "
            "instrument and URL, as recorded from "
            f"{schedule.valid_from.isoformat()} to {schedule.valid_to.isoformat()}"
        ),
        "version": str(prov.get("version", "")),
        "classification": "HTSUS",
        "licence": "Public domain (US Government works)",
        "sha256": str(prov.get("sha256", "")),
        "year": date.year,
    }


def _tariff_results(
    session: Any, home: str, exporters: Sequence[str], date: dt.date
) -> dict[str, TableResult]:
    from tradelever.analysis.tariffs import tariff_timeline
    from tradelever.sources.us_tariffs import load_schedule

    schedule = load_schedule()
    view = session.view(CENSUS_IMPORTS)
    flows = view.table("flows").to_pandas()
    covered = set(flows["exporter"].astype(str).unique())
    wanted = [e for e in exporters if e in covered]
    trade_prov = dict(view.manifest.provenance(2024)) if hasattr(view, "manifest") else None
    from tradelever.analysis.tariffs import change_dates

    days = sorted({*change_dates(schedule, TIMELINE_START, date), date})
    timeline = tariff_timeline(flows, wanted, dates=days, trade_provenance=trade_prov)
    prov = _schedule_provenance(schedule, date)
    rows = timeline.rows.reset_index(drop=True)
    tariffs = TableResult(
        kind="tariffs",
        params=dict(timeline.params),
        rows=rows,
        provenance={**prov, "trade": trade_prov},
        assumptions=list(timeline.assumptions),
        summary=dict(timeline.summary or {}),
    )
    hs6 = tariff_timeline(flows, [home], dates=[date], level="hs6")
    products = TableResult(
        kind="tariff_products",
        params={"exporter": home, "date": date.isoformat()},
        rows=hs6.rows.reset_index(drop=True),
        provenance=prov,
        assumptions=[],
    )
    rates = s_tariffs.general_rates(schedule, wanted, date)
    country = TableResult(
        kind="country_rates",
        params={"date": date.isoformat(), "valid_to": schedule.valid_to.isoformat()},
        rows=rates,
        provenance=prov,
        assumptions=[],
    )
    return {"tariffs": tariffs, "tariff_products": products, "country_rates": country}


def _deal_results(session: Any, home: str, members: Sequence[str]) -> dict[str, TableResult]:
    """The deal measures of home and its peers, first in line, and tariff precedents.

    Run through the session (:meth:`Session.deals`, :meth:`Session.first_in_line`,
    :meth:`Session.precedents`: :mod:`tradelever.analysis.deals`); a session without them,
    or peers without a deal, leave the results out (the section says so).
    """
    chosen = ",".join(dict.fromkeys([home, *members]))
    out: dict[str, TableResult] = {}
    runs = {
        "deals": call_optional(session, "deals", "deals", "USA", members=chosen),
        "first_in_line": call_optional(session, "first_in_line", "first-in-line", "USA", home=home),
        "precedents": call_optional(
            session, "precedents", "precedents", "tariff_elimination", members=chosen
        ),
    }
    for key, run in runs.items():
        if run.result is not None:
            out[key] = run.result
    return out


def _claims_result(session: Any, claims_file: Any, path: str) -> TableResult:
    from tradelever.analysis.claims import check_claims, checks_frame

    checker = getattr(session, "check_claims", None)
    if callable(checker):  # the session's own recompute, when it has one
        found = checker(path)
        checks = getattr(found, "checks", None) or found
        frame = checks_frame(checks) if not isinstance(checks, TableResult) else checks.rows
    else:
        frame = checks_frame(check_claims(claims_file, _recompute(session)))
    texts = {c.id: c.text for c in claims_file.claims}
    frame = frame.assign(text=[texts.get(i, "") for i in frame["id"]]).reset_index(drop=True)
    return TableResult(
        kind="claims",
        params={"file": Path(path).name, "title": claims_file.title, "source": claims_file.source},
        rows=frame,
        provenance={"name": "claims recomputed", "source": "see each claim's data set"},
        assumptions=[],
    )


def _recompute(session: Any) -> Callable[[str, Any], Any]:
    """Recompute the trade measures of claims on the store's data sets.

    Shares and values of the partner's imports come from its product data (the first
    preferred data set in the store), the goods balance from census-us-trade; other
    measures are left not checkable.
    """
    from tradelever.analysis.claims import Recomputed

    def run(measure: str, params: Any) -> Any:
        if measure == "balance" and _has_dataset(session, CENSUS_TRADE):
            try:
                f = session.formula(params.home[0], params.partner, dataset=CENSUS_TRADE,
                                    year=params.year)  # fmt: skip
            except TradeleverError as exc:
                return Recomputed(None, "USD", missing_reason=str(exc))
            s = f.summary
            # balance = home exports to partner - partner exports to home
            return Recomputed(
                float(s["partner_imports_from_home_usd"]) - float(s["partner_exports_to_home_usd"]),
                "USD",
                year=params.year,
                dataset=CENSUS_TRADE,
                provenance=dict(f.provenance),
            )
        if (
            measure not in ("share_of_partner_imports", "partner_imports")
            or params.products is None
        ):
            return Recomputed(
                None,
                "share" if "share" in measure else "USD",
                missing_reason="no data set in the store gives this measure",
            )
        unit = "share" if measure == "share_of_partner_imports" else "USD"
        chosen = next((d for d in params.datasets if _has_dataset(session, d)), None)
        if chosen is None:
            return Recomputed(None, unit, missing_reason=f"none of {', '.join(params.datasets)} "
                              "is in the store")  # fmt: skip
        products = params.products
        home = (params.home or ["MYS"])[0]
        try:
            if products.group is not None:
                r = session.leverage(home, params.partner, dataset=chosen, level="group")
                rows = r.rows[r.rows["code"] == products.group]
            else:
                codes = list(products.hs or [])
                lvl = f"hs{len(codes[0])}"
                r = session.leverage(home, params.partner, dataset=chosen, level=lvl)
                rows = r.rows[r.rows["code"].astype(str).isin(codes)]
        except TradeleverError as exc:
            return Recomputed(None, unit, missing_reason=str(exc))
        if not len(rows):
            return Recomputed(None, unit, missing_reason="no rows for the products")
        m = float(rows["partner_imports_usd"].sum())
        v = float(rows["home_exports_to_partner_usd"].sum())
        value = (v / m if m else None) if unit == "share" else m
        return Recomputed(
            value,
            unit,
            year=r.year,
            dataset=chosen,
            provenance=dict(r.provenance),
            products=tuple(rows["code"].astype(str)),
        )

    return run


def _scan_dataset(session: Any) -> str | None:
    """A product data set with every importer (BACI) in the store, the latest first."""
    datasets = getattr(session, "datasets", None)
    if not callable(datasets):
        return None
    try:
        table = datasets()
    except TradeleverError:
        return None
    names = [str(n) for n in table.get("name", []) if str(n).startswith("baci")]
    return sorted(names)[-1] if names else None


def _scan(session: Any, home: str, dataset: str) -> Outcome:
    scan = getattr(session, "scan", None)
    if callable(scan):
        return call_optional(session, "scan", "leverage-scan", home, dataset=dataset)
    try:
        from tradelever.analysis.markets import market_indicators
        from tradelever.analysis.scan import leverage_scan

        indicators = market_indicators(session.store, dataset)
        return Outcome(
            leverage_scan(indicators, home=home, descriptions=session.descriptions(dataset, "hs6")),
            None,
        )
    except TradeleverError as exc:
        return Outcome(None, f"the leverage scan could not run: {exc}")


def _deal_comparison(
    session: Any,
    home: str,
    peers: Sequence[str],
    deal_rate: float,
    date: dt.date,
    dataset: str,
) -> Outcome:
    """The schedule on ``date``, a deal at ``deal_rate`` and peers first (one model, one base)."""
    from tradelever.analysis.scenarios.deals import deal_comparison

    covered = set(session.view(dataset).countries())
    peers = [p for p in peers if p in covered and p != home]
    try:
        return Outcome(
            deal_comparison(
                session,
                home,
                "USA",
                deal_rate=deal_rate,
                peers=list(peers) or "ASEAN",
                date=date,
                dataset=dataset,
            ),
            None,
        )
    except TradeleverError as exc:
        return Outcome(None, f"the deal comparison could not run: {exc}")


def _run_scenarios(
    session: Any,
    specs: Sequence[str],
    home: str,
    partner: str,
    common: dict[str, Any],
    say: Progress,
) -> tuple[list[s_scen.ScenarioOutcome], bool, str | None]:
    """Run the requested scenarios (or the pair's defaults); (outcomes, defaulted, reason)."""
    if not callable(getattr(session, "run_scenario", None)):
        return (
            [],
            False,
            "this installation of tradelever has no tariff-scenario analysis, so there are no "
            "deal or competitors-first outcomes.",
        )
    requests = [(label, name, "") for label, name in s_scen.parse_requests(specs)]
    defaulted = not requests
    if defaulted:
        requests = s_scen.default_outcomes(home, partner)
    if not requests:
        return (
            [],
            False,
            "no scenario was requested and this pair has no default outcomes; pass "
            "--scenario NAME or --scenario 'LABEL=NAME' (presets: `tradelever scenario list`).",
        )
    outcomes = []
    for i, (label, name, why) in enumerate(requests):
        say(f"scenario {label}: {name}")
        out = call_optional(session, "run_scenario", "tariff-scenario", name, home=home, **common)
        outcomes.append(
            s_scen.ScenarioOutcome(
                key=f"scenario_{i + 1}",
                label=label,
                scenario=name,
                why=why,
                result=out.result,
                reason=out.reason,
            )
        )
    return outcomes, defaulted, None


def _compare_deal_and_first(
    session: Any,
    outcomes: Sequence[s_scen.ScenarioOutcome],
    home: str,
    common: dict[str, Any],
) -> tuple[Any, str, str] | None:
    """Scenario comparison for ASK-SEQUENCING: (result, deal name, competitors-first name)."""
    by_label = {o.label.lower(): o for o in outcomes if o.result is not None}
    deal, first = by_label.get(DEAL), by_label.get(COMPETITORS_FIRST)
    if deal is None or first is None:
        return None
    out = call_optional(
        session,
        "compare_scenarios",
        "scenario-comparison",
        first.scenario,
        deal.scenario,
        home=home,
        **common,
    )
    if out.result is None:
        return None
    return out.result, deal.scenario, first.scenario


def _tariff_schedule(session: Any, outcomes: Sequence[s_scen.ScenarioOutcome]) -> str | None:
    """The scenario schedules used: name, schedule date and the documents they come from."""
    parts = []
    for o in outcomes:
        if o.result is None:
            continue
        params = getattr(o.result, "params", {}) or {}
        text = f"{o.label}: {params.get('scenario', o.scenario)}"
        if params.get("date"):
            text += f", schedule of {params['date']}"
        sources: list[str] = []
        if callable(getattr(session, "scenario", None)):
            try:
                sources = [str(x) for x in session.scenario(o.scenario).sources]
            except TradeleverError:
                sources = []
        if sources:
            text += f" (sources: {', '.join(sources)})"
        parts.append(text)
    return "; ".join(parts) or None


_USED_FOR = {
    "leverage": "leverage",
    "focus_hs4": "lead products",
    "focus_hs6": "lead products",
    "substitutes": "rival substitution",
    "exposure": "exposure",
    "supply_chain": "supply chain",
    "formula": "reciprocal formula",
    "concessions": "concessions",
    "peers": "peers",
    "sequencing": "scenario comparison",
    "tariffs": "tariff timeline",
    "tariff_products": "exemptions",
    "country_rates": "headline rates",
    "deals": "deals",
    "first_in_line": "first in line",
    "precedents": "precedents",
    "scan": "leverage scan",
}


#: Records the analyses name by their data-set key, as the brief cites them.
_SOURCE_NAMES: dict[str, dict[str, Any]] = {
    "us-deals": {
        "name": "US trade deals 2025-26",
        "version": "texts of April 2025 to August 2026",
        "licence": "Public domain (US Government works)",
    }
}


def _sources(results: dict[str, Any], products: Sequence[Any]) -> tuple[SourceRecord, ...]:
    """One record per public source: data sets, the tariff schedule, the deals, the HS."""
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for key, result in results.items():
        if key == "claims":
            continue
        for prov in provenances(result):
            name = str(prov.get("name", ""))
            if not name:
                continue
            ident = (name, str(prov.get("version", "")))
            rec = records.setdefault(ident, {"prov": prov, "used_by": []})
            use = _USED_FOR.get(key, "scenarios" if key.startswith("scenario_") else key)
            if use not in rec["used_by"]:
                rec["used_by"].append(use)
    out = []
    for (name, release), rec in records.items():
        prov = {**rec["prov"], **_SOURCE_NAMES.get(name, {})}
        name = str(prov.get("name", name))
        release = str(prov.get("version", release))
        year = prov.get("year")
        out.append(
            SourceRecord(
                name=name,
                source=str(prov.get("source", "")),
                release=release,
                year=int(year) if isinstance(year, (int, float)) and not math.isnan(year) else None,
                classification=str(prov.get("classification", "")),
                licence=str(prov.get("licence", "")),
                citation=str(prov.get("citation", "")),
                sha256=str(prov.get("sha256", "")),
                used_by=tuple(rec["used_by"]),
            )
        )
    if products:
        out.append(
            SourceRecord(
                name="Product scopes: the Harmonized System",
                source="; ".join(f"{p.words}: {p.nomenclature}" for p in products),
                url="https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx",
                used_by=("lead products",),
            )
        )
    return tuple(out)


def _assumptions(results: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for result in results.values():
        for a in getattr(result, "assumptions", []) or []:
            seen.setdefault(str(a), None)
    return list(seen)

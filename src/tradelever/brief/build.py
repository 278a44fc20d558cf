"""Build a :class:`~tradelever.brief.model.Brief` by running the analyses on a session.

Layering. The brief package sits between analysis and the public API: its section builders
(:mod:`tradelever.brief.sections`) are pure functions of analysis results and never touch the
store. Running the analyses needs the checks and defaults a
:class:`tradelever.session.Session` applies (country codes, data set, year, level), so
:func:`build_brief` takes the session as an argument typed by :class:`AnalysisSession`: the
methods it calls, with the keyword arguments it passes (``leverage`` required; ``substitutes``,
``exposure``, ``supply_chain``, ``formula``, ``concessions``, ``peers``, ``run_scenario``,
``compare_scenarios`` and ``scenario`` optional). ``Session.brief`` passes itself in; nothing
here imports the session module, so a test can build a brief from a stub with hand-made
results (``tests/test_api.py`` checks that Session has every method with these keywords).

Missing analyses. An optional method that is absent, raises :class:`NotImplementedError`, or
raises a :class:`~tradelever.errors.TradeleverError` (e.g. an analysis that does not apply to
the data set) turns its section into a plain "Not available: <why>" with no figures; any other
exception (a ``TypeError`` from a wrong keyword included) is a bug and propagates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from tradelever.analysis.request import DATASET, DEFAULT_DATASET, HOME, LEVEL, PARTNER, RIVAL, YEAR
from tradelever.brief import narrative as nar
from tradelever.brief import scenarios as scen
from tradelever.brief import sections as sec
from tradelever.brief.model import Brief, Paragraph, Section
from tradelever.brief.money import FxRate
from tradelever.brief.rules import COMPETITORS_FIRST, DEAL, Rules
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
        DATASET,
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
            "Home-currency units per US dollar (e.g. 4.4510).",
            gt=0.0,
            le=1e7,
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
    "formula": ("dataset", "year"),
    "concessions": ("dataset", "year", "level"),
    "peers": ("peers", "dataset", "year"),
    "run_scenario": ("home", "dataset", "year"),
    "compare_scenarios": ("home", "dataset", "year"),
}


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
            f"this installation of tradelever has no {what} analysis (Session.{method} is "
            "missing), so this section has no figures.",
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
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    scenarios: Sequence[str] = (),
    currency: str | None = None,
    fx: float | str | None = None,
    fx_date: str | dt.date | None = None,
    fx_source: str | None = None,
    top: int = 5,
    rules: Rules | None = None,
    today: dt.date | None = None,
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
        fx=rate,
        top=top,
        rules=rules,
        today=today,
    )


def _country_name(code: str | None) -> str | None:
    if code is None:
        return None
    from tradelever.reference.countries import country_name

    return country_name(code)


def build_brief(
    session: AnalysisSession,
    home: str,
    partner: str,
    *,
    rival: str | None = None,
    peers: str | Sequence[str] | None = "ASEAN",
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    scenarios: Sequence[str] = (),
    fx: FxRate | None = None,
    top: int = 5,
    rules: Rules | None = None,
    today: dt.date | None = None,
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
        As for :meth:`Session.leverage`; default the session's default data set and its
        latest year.
    scenarios
        Scenario preset names or YAML files to run (``Session.run_scenario``), each optionally
        labelled ``"LABEL=NAME"`` (``"deal=us-2025-08-07"``). Default: the outcomes listed for
        the pair in ``data/brief_scenarios.yaml`` (none for pairs not listed).
    fx
        Home-currency rate; every US-dollar figure is also printed in that currency.
    top
        Number of leverage points and of table rows per section.
    rules
        Counts for the asks-and-offers rules (:mod:`tradelever.brief.rules`).
    today
        Date printed on the brief (default: today).
    """
    BRIEF.check(top=top)
    rules = rules or Rules()
    leverage = session.leverage(home, partner, rival, dataset=dataset, year=year, level=level)
    home, partner, rival = leverage.home, leverage.partner, leverage.rival
    dataset, year, level = leverage.dataset, leverage.year, leverage.level
    ctx = sec.Context(
        home=home,
        partner=partner,
        rival=rival,
        home_name=sec.country_phrase(home, _country_name(home) or home),
        partner_name=sec.country_phrase(partner, _country_name(partner) or partner),
        rival_name=sec.country_phrase(rival, _country_name(rival) or rival) if rival else None,
        dataset=dataset,
        year=year,
        level=level,
        classification=str(leverage.provenance.get("classification", "")),
        intermediate_only=sec.is_intermediate_only(leverage),
        fx=fx,
        top=top,
        rules=rules,
    )
    common = {"dataset": dataset, "year": year}
    # 1. Run every analysis (or learn why it is not available).
    runs: dict[str, Outcome] = {}
    if rival is not None:
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
    runs["exposure"] = call_optional(
        session, "exposure", "exposure", home, partner, level=level, **common
    )
    runs["supply_chain"] = call_optional(
        session, "supply_chain", "supply-chain (input-output)", home, partner, dataset=dataset
    )
    runs["formula"] = call_optional(
        session, "formula", "reciprocal-formula", home, partner, **common
    )
    runs["concessions"] = call_optional(
        session, "concessions", "concession-finder", home, partner, level=level, **common
    )
    peer_label = None
    if peers is not None:
        peer_label = peers if isinstance(peers, str) else ",".join(peers)
        runs["peers"] = call_optional(
            session, "peers", "peers", home, partner, peers=peer_label, **common
        )
    results: dict[str, Any] = {"leverage": leverage}
    results.update({k: o.result for k, o in runs.items() if o.result is not None})
    outcomes, defaulted, scenario_reason = _run_scenarios(session, scenarios, home, partner, common)
    results.update({o.key: o.result for o in outcomes if o.result is not None})
    sequencing = _compare_deal_and_first(session, outcomes, home, common)
    if sequencing is not None:
        results["sequencing"] = sequencing[0]

    # 2. Notes stated by two or more analyses go to the method section once.
    counts: dict[str, int] = {}
    for result in results.values():
        for a in dict.fromkeys(map(str, getattr(result, "assumptions", []) or [])):
            counts[a] = counts.get(a, 0) + 1
    ctx = replace(ctx, shared_notes=frozenset(a for a, n in counts.items() if n > 1))

    # 3. Sections, in the order of a research note.
    body: list[Section] = [sec.leverage_section(ctx, leverage)]
    offers: list[Paragraph] = []
    protect: list[Paragraph] = []
    extra_heads: list[Paragraph] = []
    missing: list[str] = []

    title = "Rival-substitution offers"
    if rival is None:
        reason = "no rival was given (--rival ISO3), so there is no rival supply to replace."
        body.append(sec.unavailable_section("substitutes", title, reason))
        missing.append(f"OFFER-SUBSTITUTE: {reason}")
    elif runs["substitutes"].result is None:
        body.append(sec.unavailable_section("substitutes", title, runs["substitutes"].reason or ""))
        missing.append(f"OFFER-SUBSTITUTE: {runs['substitutes'].reason}")
    else:
        section, found = nar.substitutes_section(ctx, runs["substitutes"].result)
        body.append(section)
        offers.extend(found)

    out = runs["exposure"]
    if out.result is None:
        body.append(sec.unavailable_section("exposure", "Exposure", out.reason or ""))
        missing.append(f"PROTECT-EXPOSURE: {out.reason}")
    else:
        section, protect = nar.exposure_section(ctx, out.result)
        body.append(section)

    out = runs["supply_chain"]
    if out.result is None:
        body.append(
            sec.unavailable_section("supply_chain", "Supply-chain dependence", out.reason or "")
        )
    else:
        body.append(nar.supply_chain_section(ctx, out.result))

    out = runs["formula"]
    if out.result is None:
        body.append(
            sec.unavailable_section(
                "formula", "The reciprocal formula and the purchases that move it", out.reason or ""
            )
        )
    else:
        section, heads = nar.formula_section(ctx, out.result)
        body.append(section)
        extra_heads.extend(heads)

    out = runs["concessions"]
    if out.result is None:
        body.append(
            sec.unavailable_section("concessions", "Concession shortlist", out.reason or "")
        )
        missing.append(f"OFFER-PURCHASES: {out.reason}")
    else:
        section, found = nar.concessions_section(ctx, out.result)
        body.append(section)
        offers.extend(found)

    if scenario_reason is not None:
        body.append(sec.unavailable_section("scenarios", "Scenario outcomes", scenario_reason))
    else:
        section, heads = scen.scenario_section(ctx, outcomes, defaulted=defaulted)
        body.append(section)
        extra_heads.extend(heads)

    if peer_label is None:
        body.append(sec.unavailable_section("peers", "Peers", "no peer group was requested."))
    elif runs["peers"].result is None:
        body.append(
            sec.unavailable_section("peers", f"Peers ({peer_label})", runs["peers"].reason or "")
        )
    else:
        body.append(nar.peers_section(ctx, runs["peers"].result, peer_label))

    asks: list[Paragraph] = []
    if sequencing is not None:
        asks = scen.sequencing_ask(ctx, *sequencing)
    body.append(sec.asks_offers_section(ctx, leverage, [*asks, *offers, *protect], missing))
    assumptions = _assumptions(results)
    # Notes shared by several analyses are stated once here; the others sit in their section.
    body.append(sec.method_section(ctx, [a for a in assumptions if a in ctx.shared_notes]))
    sources = sec.sources_from_results(results)
    schedule = _tariff_schedule(session, outcomes)
    heads = sec.headline(ctx, leverage, extra_heads)
    title = f"{sec.cap(ctx.home_name)} and {ctx.partner_name}: leverage, exposure and what to ask"
    subtitle = (
        f"{dataset}, {year}; {ctx.classification} codes at {level} level"
        + (f"; rival {ctx.rival_name}" if rival else "")
        + (f"; {sec.INTERMEDIATE_ONLY}" if ctx.intermediate_only else "")
    )
    return Brief(
        title=title,
        subtitle=subtitle,
        home=home,
        partner=partner,
        rival=rival,
        dataset=dataset,
        year=year,
        level=level,
        generated_on=today or dt.date.today(),
        headline=heads,
        sections=(sec.summary_section(ctx, leverage), *body),
        sources=sources,
        assumptions=tuple(assumptions),
        fx=fx,
        tariff_schedule=schedule,
        results=results,
    )


def _run_scenarios(
    session: Any, specs: Sequence[str], home: str, partner: str, common: dict[str, Any]
) -> tuple[list[scen.ScenarioOutcome], bool, str | None]:
    """Run the requested scenarios (or the pair's defaults); (outcomes, defaulted, reason)."""
    if not callable(getattr(session, "run_scenario", None)):
        return (
            [],
            False,
            "this installation of tradelever has no tariff-scenario analysis "
            "(Session.run_scenario is missing), so there are no no-deal, deal or "
            "competitors-first outcomes.",
        )
    requests = [(label, name, "") for label, name in scen.parse_requests(specs)]
    defaulted = not requests
    if defaulted:
        requests = scen.default_outcomes(home, partner)
    if not requests:
        return (
            [],
            False,
            "no scenario was requested and this pair has no default outcomes; pass "
            "--scenario NAME or --scenario 'LABEL=NAME' (presets: `tradelever scenario list`).",
        )
    outcomes = []
    for i, (label, name, why) in enumerate(requests):
        out = call_optional(session, "run_scenario", "tariff-scenario", name, home=home, **common)
        outcomes.append(
            scen.ScenarioOutcome(
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
    outcomes: Sequence[scen.ScenarioOutcome],
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


def _tariff_schedule(session: Any, outcomes: Sequence[scen.ScenarioOutcome]) -> str | None:
    """The tariff schedules used: name, schedule date and the documents they come from."""
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


def _assumptions(results: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for result in results.values():
        for a in getattr(result, "assumptions", []) or []:
            seen.setdefault(str(a), None)
    return list(seen)

"""Tariff scenarios compared on one baseline: what each schedule does to home's exports.

Built from tariff-scenario results (``Session.run_scenario(..., home=HOME)``), each with a
label (``deal``, ``competitors first``, or the preset name). Every outcome is measured from
the same baseline (the scenario result's ``params["baseline"]``: no additional tariffs on the
data set's trade, unless the results say otherwise, in which case the section says they are
not comparable); the deal is compared with competitors settling first by
``compare_scenarios`` (the cost of waiting). The figures come from the result's home view
(``result.home``: exports in the changed markets, the total effect and its split between
the home country's own tariffs and the tariffs its competitors pay, Shapley decomposition).

Default outcomes per home-partner pair are package data (``data/brief_scenarios.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from tradelever.brief import charts
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Paragraph, Section, Table, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import Points, notes
from tradelever.brief.text import cap, possessive, product_phrase

__all__ = [
    "ScenarioOutcome",
    "baseline_label",
    "build",
    "build_comparison",
    "default_outcomes",
    "parse_requests",
    "sequencing_ask",
]

_HOME_FIELDS = ("exports_in_changed_markets_usd", "total_effect_usd")
TITLE = "Tariff scenarios on one baseline"


@dataclass(frozen=True)
class ScenarioOutcome:
    """One requested scenario: its label, preset name or file, why, and its result (or why not)."""

    key: str
    label: str
    scenario: str
    why: str = ""
    result: Any | None = None
    reason: str | None = None


def default_outcomes(home: str, partner: str) -> list[tuple[str, str, str]]:
    """(label, preset, why) defaults for a pair from ``data/brief_scenarios.yaml``."""
    text = resources.files("tradelever.data").joinpath("brief_scenarios.yaml").read_text("utf-8")
    for entry in yaml.safe_load(text) or []:
        if entry.get("home") == home and entry.get("partner") == partner:
            return [
                (str(o["label"]), str(o["scenario"]), " ".join(str(o.get("why", "")).split()))
                for o in entry.get("outcomes", [])
            ]
    return []


def parse_requests(specs: Sequence[str]) -> list[tuple[str, str]]:
    """``--scenario`` values as (label, scenario): ``"deal=us-2025-08-07"`` or a bare name."""
    out = []
    for spec in specs:
        label, sep, name = str(spec).partition("=")
        if sep and label.strip() and name.strip():
            out.append((label.strip(), name.strip()))
        else:
            out.append((str(spec).strip(), str(spec).strip()))
    return out


def _usable(result: Any) -> bool:
    home = getattr(result, "home", None)
    return isinstance(home, dict) and all(is_number(home.get(k)) for k in _HOME_FIELDS)


def baseline_label(result: Any) -> str:
    """The baseline a scenario result is measured from, in words."""
    base = (getattr(result, "params", {}) or {}).get("baseline")
    if isinstance(base, dict):
        return str(base.get("label") or base.get("kind") or "no additional tariffs")
    return str(base) if base else "no additional tariffs"


def build(
    ctx: Context, outcomes: Sequence[ScenarioOutcome], *, defaulted: bool
) -> tuple[Section, list[Paragraph]]:
    """The section (sentences, a table per outcome, the waterfall) and one headline."""
    blocks: list[Any] = []
    panels: list[tuple[str, float, list[tuple[str, float]]]] = []
    heads: list[Paragraph] = []
    usable = [o for o in outcomes if o.result is not None and _usable(o.result)]
    bases = {baseline_label(o.result) for o in usable}
    base = bases.pop() if len(bases) == 1 else None
    blocks.append(
        para(
            "What each tariff schedule does to {home} exports to {partner}, every outcome "
            "measured from the same baseline, {base}, on {dataset} {year} trade (partial "
            "equilibrium, CES substitution between suppliers): the effect of {home2} own "
            "tariffs and of the tariffs its competitors pay.",
            home=possessive(ctx.home_name),
            partner=ctx.partner_name,
            base=base or "(the outcomes have different baselines and are not compared)",
            dataset=ctx.dataset,
            year=ctx.year,
            home2=possessive(ctx.home_name),
        )
    )
    if defaulted:
        blocks.append(Note("Outcomes chosen by default for this pair; pass --scenario to choose."))
    tables: list[Table] = []
    for o in outcomes:
        if o.result is None or not _usable(o.result):
            why = o.reason or "the result has no home view (run with home)."
            blocks.append(para("Not available: {label} ({name}): {why}", label=o.label,
                               name=o.scenario, why=why))  # fmt: skip
            continue
        res = o.result
        maker = FigureMaker(o.key, res, ctx.fx)
        before = maker.summary(
            "home.exports_in_changed_markets_usd", label="exports in changed markets", unit="usd"
        )
        total = maker.summary("home.total_effect_usd", label="total effect", unit="usd")
        fields: dict[str, Any] = dict(
            label=cap(o.label),
            name=o.scenario,
            date=res.params.get("date") or "",
            home=possessive(ctx.home_name),
            before=before,
            scope=ctx.scope,
            total=total,
        )
        text = (
            "{label} ({name}, schedule of {date}): {home} exports of {before} to the markets "
            "whose tariffs change{scope} move by {total}"
        )
        steps: list[tuple[str, float]]
        home = res.home
        if is_number(home.get("own_tariff_effect_usd")) and is_number(
            home.get("rival_tariff_effect_usd")
        ):
            fields["own"] = maker.summary(
                "home.own_tariff_effect_usd", label="own tariffs", unit="usd"
            )
            fields["riv"] = maker.summary(
                "home.rival_tariff_effect_usd", label="tariffs on competitors", unit="usd"
            )
            text += ": {own} from its own tariffs, {riv} from the tariffs its competitors pay"
            steps = [
                ("own tariffs", float(fields["own"].value)),
                ("competitors' tariffs", float(fields["riv"].value)),
            ]
        else:
            steps = [("total effect", float(total.value))]
        text += "."
        if o.why:
            text += " {why}."
            fields["why"] = cap(o.why)
        blocks.append(para(text, **fields))
        panels.append((o.label, float(before.value), steps))
        table = _home_table(ctx, o, maker)
        if table is not None:
            tables.append(table)
    blocks.extend(tables)
    if panels:
        prov = usable[0].result.provenance or {}
        caption = (
            f"Source: {prov.get('name', ctx.dataset)}, {prov.get('year', ctx.year)}{ctx.scope}; "
            f"baseline: {base or 'differs by outcome'}; tariff schedules: "
            + "; ".join(f"{o.label} = {o.scenario}" for o in usable)
            + ". Bars: exports before, effect of own tariffs, of competitors' tariffs, after."
        )
        blocks.append(
            charts.waterfalls(
                panels,
                title=f"{possessive(ctx.home_name)} exports under each tariff schedule",
                caption=caption,
            )
        )
    seen: list[str] = []
    for o in usable:
        for n in notes(ctx, o.result):
            if n.text not in seen:
                seen.append(n.text)
    blocks.extend(Note(t) for t in seen)
    available = bool(panels)
    return (
        Section(
            "scenarios",
            TITLE,
            tuple(blocks),
            available=available,
            unavailable_reason=None if available else "no scenario could be run.",
        ),
        heads,
    )


_ROW_FIELDS = (
    ("baseline_exports_usd", "exports before"),
    ("new_rate", "new rate"),
    ("own_tariff_effect_usd", "own tariffs"),
    ("rival_tariff_effect_usd", "competitors' tariffs"),
    ("total_effect_usd", "total effect"),
)


def _home_table(ctx: Context, o: ScenarioOutcome, maker: FigureMaker) -> Table | None:
    rows = getattr(o.result, "home_rows", None)
    if rows is None or not len(rows) or "code" not in rows.columns:
        return None
    fields = [(f, lab) for f, lab in _ROW_FIELDS if f in rows.columns]
    picked = []
    for pos, rec in enumerate(rows.to_dict(orient="records")):
        if rec.get("importer", ctx.partner) != ctx.partner:
            continue
        picked.append((pos, rec))
        if len(picked) >= ctx.top:
            break
    if not picked:
        return None
    body = tuple(
        (
            str(rec["code"]),
            product_phrase(rec.get("description", ""), str(rec["code"])),
            *(
                maker.cell(
                    rec,
                    f,
                    label=lab,
                    position=pos,
                    table="home_rows",
                    unit="rate" if f == "new_rate" else None,
                )
                for f, lab in fields
            ),
        )
        for pos, rec in picked
    )
    caption = (
        f"{cap(o.label)} ({o.scenario}): {possessive(ctx.home_name)} largest changes in "
        f"{possessive(ctx.partner_name)} market, from {baseline_label(o.result)}. Source: "
        f"{maker.dataset}, {maker.year}, {maker.classification} codes."
    )
    return Table(("code", "description", *(lab for _, lab in fields)), body, caption)


def sequencing_ask(ctx: Context, result: Any, deal: str, first: str) -> Points:
    """ASK-SEQUENCING from a scenario comparison (A = competitors first, B = deal)."""
    points = Points()
    summary = getattr(result, "summary", None) or {}
    if not all(
        is_number(summary.get(k)) for k in ("difference_usd", "exports_a_usd", "exports_b_usd")
    ):
        return points
    maker = FigureMaker("sequencing", result, ctx.fx)
    diff = maker.summary("difference_usd", label="cost of letting competitors settle first")
    a = maker.summary("exports_a_usd", label="exports if competitors settle first")
    b = maker.summary("exports_b_usd", label="exports under the deal")
    points.asks.append(
        para(
            "a rate no worse than the competitors', settled no later: if they settle first "
            "({first}), {home} exports to {partner} are {a} against {b} under the deal "
            "({deal}), {diff} less a year{scope} (same baseline: {base}).",
            kind="ask",
            first=first,
            home=possessive(ctx.home_name),
            partner=ctx.partner_name,
            a=a,
            b=b,
            deal=deal,
            diff=diff,
            scope=ctx.scope,
            base=str(summary.get("baseline") or "no additional tariffs"),
            source=diff.source.tag(),
        )
    )
    return points


def build_comparison(ctx: Context, result: Any) -> tuple[Section, Points]:
    """The deal comparison (``deal_comparison``) and its ASK-SEQUENCING point.

    The schedule in force on the brief's date, a deal at a stated rate and the peers settling
    first while home does not, on one model and one baseline.
    """
    points = Points()
    rows = result.rows
    params = result.params or {}
    maker = FigureMaker("deal_comparison", result, ctx.fx, row_field="case")
    base = baseline_label(result)
    blocks: list[Any] = [
        para(
            "Three cases on one model ({mode} partial equilibrium, substitution between "
            "suppliers) and one "
            "baseline ({base}, {dataset} {year} trade): the US schedule in force on {date}, a "
            "deal that sets {home} general duty at {rate} where the schedule charges one, and "
            "the peers ({peers}) getting that deal while {home2} does not.",
            mode=str(params.get("mode", "ces")).upper(),
            base=base,
            dataset=params.get("dataset", ctx.dataset),
            year=params.get("year", ctx.year),
            date=params.get("date", ctx.date.isoformat()),
            home=possessive(ctx.home_name),
            rate=f"{100 * float(params.get('deal_rate', 0)):g}%",
            peers=", ".join(params.get("peers", [])),
            home2=ctx.home_name,
        )
    ]
    body = []
    for rec in rows.to_dict(orient="records"):
        cells: list[Any] = [str(rec["case"])]
        for field, unit in (
            ("home_rate", "share"),
            ("peers_rate", "share"),
            ("total_effect_usd", "usd"),
            ("own_tariff_effect_usd", "usd"),
            ("rival_tariff_effect_usd", "usd"),
            ("difference_from_schedule_usd", "usd"),
        ):
            cells.append(maker.cell(rec, field, unit=unit) if field in rec else "-")
        body.append(tuple(cells))
    blocks.append(
        Table(
            (
                "case",
                f"{ctx.home_name}: effective rate",
                "peers: effective rate",
                f"effect on {possessive(ctx.home_name)} exports",
                "of which own tariffs",
                "of which peers' tariffs",
                "difference from the schedule",
            ),
            tuple(body),
            f"Source: {params.get('dataset', ctx.dataset)}, {params.get('year', ctx.year)}; US "
            f"tariff schedule on {params.get('date', '')}; baseline: {base}. Rates: 2024 "
            "import values times the duties of each case, over 2024 imports.",
        )
    )
    deal = rows.iloc[1].to_dict() if len(rows) > 1 else None
    first = rows.iloc[2].to_dict() if len(rows) > 2 else None
    if deal is not None:
        diff = maker.cell(deal, "difference_from_schedule_usd", unit="usd")
        if diff.value is not None and abs(diff.value) < 0.5:  # less than a dollar: no change
            blocks.append(
                para(
                    "{case}: the schedule in force on {date} already charges {home} no more "
                    "than {rate} (its effective rate is {now} in both cases), so a deal at that "
                    "rate changes its exports to {partner} by {diff} a year; a lower deal rate "
                    "(--deal-rate) shows what a cut below today's rate would be worth.",
                    case=cap(str(deal["case"])),
                    date=params.get("date", ctx.date.isoformat()),
                    home=ctx.home_name,
                    rate=f"{100 * float(params.get('deal_rate', 0)):g}%",
                    now=maker.cell(deal, "home_rate", unit="share"),
                    partner=ctx.partner_name,
                    diff=diff,
                )
            )
        else:
            blocks.append(
                para(
                    "{case}: {home} exports to {partner} would change by {diff} a year against "
                    "the schedule in force.",
                    case=cap(str(deal["case"])),
                    home=possessive(ctx.home_name),
                    partner=ctx.partner_name,
                    diff=diff,
                )
            )
    if first is not None:
        diff = maker.cell(first, "difference_from_schedule_usd", unit="usd")
        blocks.append(
            para(
                "If the peers settle first and {home} does not, its exports change by {diff} a "
                "year against the schedule in force.",
                home=ctx.home_name,
                diff=diff,
            )
        )
        if diff.value is not None and diff.value < 0:
            points.asks.append(
                para(
                    "a rate no worse than the peers', settled no later: if they obtain the "
                    "deal rate first, {home} exports to {partner} change by {diff} a year "
                    "({model}, same baseline: {base}).",
                    kind="ask",
                    home=possessive(ctx.home_name),
                    partner=ctx.partner_name,
                    diff=diff,
                    model=str(params.get("mode", "ces")).upper(),
                    base=base,
                    source=diff.source.tag(),
                )
            )
    blocks.extend(notes(ctx, result))
    return Section("scenarios", TITLE, tuple(blocks)), points

"""The scenario-outcomes section: what each tariff schedule does to the home country's exports.

Built from tariff-scenario results (``Session.run_scenario(..., home=HOME)``), each with a
label (``no deal``, ``deal``, ``competitors first``, or the preset name). The figures come
from the result's home view (``result.home``: exports in the changed markets, the total
effect and its split between the home country's own tariffs and tariffs on its competitors)
and its per-product rows (``result.home_rows``). The chart is a waterfall per outcome:
exports before, the effect of own tariffs, the effect of tariffs on competitors (diversion),
exports after.

Default outcomes per home-partner pair are package data (``data/brief_scenarios.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from tradelever.brief import charts
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Paragraph, Section, Table
from tradelever.brief.money import is_number
from tradelever.brief.sections import INTERMEDIATE_ONLY, Context, possessive, product_phrase

__all__ = [
    "ScenarioOutcome",
    "default_outcomes",
    "parse_requests",
    "scenario_section",
    "sequencing_ask",
]

_HOME_FIELDS = ("exports_in_changed_markets_usd", "total_effect_usd")


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


def scenario_section(
    ctx: Context, outcomes: Sequence[ScenarioOutcome], *, defaulted: bool
) -> tuple[Section, list[Paragraph]]:
    """The section (sentences, a table per outcome, the waterfall) and one headline."""
    title = "Scenario outcomes"
    paras: list[Paragraph] = []
    tables: list[Table] = []
    panels: list[tuple[str, float, list[tuple[str, float]]]] = []
    heads: list[Paragraph] = []
    worst: tuple[float, Paragraph] | None = None
    scope = f" ({INTERMEDIATE_ONLY})" if ctx.intermediate_only else ""
    intro = (
        f"What each tariff schedule does to {possessive(ctx.home_name)} exports to the markets "
        "whose tariffs change (partial equilibrium, CES substitution between suppliers): the "
        "effect of its own tariffs and of the tariffs its competitors pay."
    )
    if defaulted:
        intro += " Outcomes chosen by default for this pair (data/brief_scenarios.yaml)."
    paras.append(Paragraph(intro))
    for o in outcomes:
        if o.result is None or not _usable(o.result):
            why = o.reason or "the result has no home view (run with home)."
            paras.append(Paragraph(f"Not available: {o.label} ({o.scenario}): {why}"))
            continue
        res = o.result
        maker = FigureMaker(o.key, res, ctx.fx)
        base = maker.summary(
            "home.exports_in_changed_markets_usd", label="exports in changed markets", unit="usd"
        )
        total = maker.summary("home.total_effect_usd", label="total effect", unit="usd")
        figs = [base, total]
        date = res.params.get("date") or ""
        text = (
            f"{o.label.capitalize()} ({o.scenario}, schedule of {date}): "
            f"{possessive(ctx.home_name)} exports of {base.text} to the markets whose tariffs "
            f"change{scope} move by {total.text}"
        )
        steps: list[tuple[str, float]] = []
        home = res.home
        if is_number(home.get("own_tariff_effect_usd")) and is_number(
            home.get("rival_tariff_effect_usd")
        ):
            own = maker.summary("home.own_tariff_effect_usd", label="own tariffs", unit="usd")
            riv = maker.summary(
                "home.rival_tariff_effect_usd", label="tariffs on competitors", unit="usd"
            )
            figs += [own, riv]
            text += (
                f": {own.text} from its own tariffs and {riv.text} from the tariffs its "
                "competitors pay"
            )
            steps = [("own tariffs", float(own.value)), ("competitors' tariffs", float(riv.value))]
        else:
            steps = [("total effect", float(total.value))]
        text += "." + (f" {o.why[:1].upper()}{o.why[1:]}." if o.why else "")
        para = Paragraph(text, tuple(figs), base.source.tag())
        paras.append(para)
        panels.append((o.label, float(base.value), steps))
        if worst is None or float(total.value) < worst[0]:
            head = Paragraph(
                f"{o.label.capitalize()} ({o.scenario}): {possessive(ctx.home_name)} exports to "
                f"the markets whose tariffs change move by {total.text}{scope}.",
                (total,),
                total.source.tag(),
            )
            worst = (float(total.value), head)
        table = _home_table(ctx, o, maker)
        if table is not None:
            tables.append(table)
    charts_out = ()
    if panels:
        maker_any = next(o for o in outcomes if o.result is not None and _usable(o.result))
        prov = maker_any.result.provenance or {}
        caption = (
            f"Source: {prov.get('name', ctx.dataset)} ({prov.get('version', '')}), "
            f"{prov.get('year', ctx.year)}{scope}; tariff schedules: "
            + "; ".join(f"{o.label} = {o.scenario}" for o in outcomes if o.result is not None)
            + ". Bars: exports before, effect of own tariffs, of competitors' tariffs, after."
        )
        charts_out = (
            charts.waterfalls(
                panels,
                title=f"{possessive(ctx.home_name)} exports under each tariff schedule",
                caption=caption,
            ),
        )
    if worst is not None:
        heads.append(worst[1])
    available = bool(panels)
    notes: list[str] = []
    for o in outcomes:
        for a in getattr(o.result, "assumptions", None) or ():
            if str(a) not in ctx.shared_notes and str(a) not in notes:
                notes.append(str(a))
    return (
        Section(
            key="scenarios",
            title=title,
            available=available,
            unavailable_reason=None if available else "no scenario could be run.",
            paragraphs=tuple(paras),
            tables=tuple(tables),
            charts=charts_out,
            notes=tuple(notes),
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
            *(maker.cell(rec, f, label=lab, position=pos, table="home_rows") for f, lab in fields),
        )
        for pos, rec in picked
    )
    caption = (
        f"{o.label.capitalize()} ({o.scenario}): {possessive(ctx.home_name)} largest changes in "
        f"{possessive(ctx.partner_name)} market. Source: {maker.dataset} ({maker.release}), "
        f"{maker.year}, {maker.classification} codes."
    )
    return Table(("code", "description", *(lab for _, lab in fields)), body, caption)


def sequencing_ask(ctx: Context, result: Any, deal: str, first: str) -> list[Paragraph]:
    """ASK-SEQUENCING from a scenario comparison (A = competitors first, B = deal)."""
    summary = getattr(result, "summary", None) or {}
    if not all(
        is_number(summary.get(k)) for k in ("difference_usd", "exports_a_usd", "exports_b_usd")
    ):
        return []
    maker = FigureMaker("sequencing", result, ctx.fx)
    diff = maker.summary("difference_usd", label="cost of letting competitors settle first")
    a = maker.summary("exports_a_usd", label="exports if competitors settle first")
    b = maker.summary("exports_b_usd", label="exports under the deal")
    scope = f" ({INTERMEDIATE_ONLY})" if ctx.intermediate_only else ""
    return [
        Paragraph(
            f"Ask (ASK-SEQUENCING): settle no later than the competitors and on terms no worse: "
            f"if they settle first ({first}), {possessive(ctx.home_name)} exports to the markets "
            f"modelled are {a.text} against {b.text} under the deal ({deal}), {diff.text} "
            f"less{scope}.",
            (a, b, diff),
            diff.source.tag(),
        )
    ]

"""What the partner charges: the headline rate and the effective tariff over time.

For the home country and its competitors, on the brief's date and since January 2025.

Two measures, both read from the US tariff schedule (``tradelever.sources.us_tariffs``, engine
:mod:`tradelever.analysis.tariffs`):

- the *headline rate* of each exporter on a date: the duties in force that cover all of its
  products (the reciprocal rate of its country list, the Section 122 surcharge, a Section 301
  rate), one per stacking class, highest priority first (:func:`general_rates`);
- the *effective additional rate*: 2024 US imports from the exporter, line by line, times the
  additional duty of every measure in force (exemptions and Section 232 included), over the
  2024 imports (``tariff_timeline``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Paragraph, Section, Table, para
from tradelever.brief.money import fmt_rate
from tradelever.brief.sections.common import caption, notes
from tradelever.brief.text import cap

__all__ = ["build", "general_rates", "peer_rate_sentence"]


_AUTHORITY = {
    "IEEPA": "IEEPA",
    "s232": "Section 232",
    "s122": "Section 122",
    "s301": "Section 301",
    "s338": "Section 338",
}


def general_rates(schedule: Any, exporters: Sequence[str], date: dt.date) -> pd.DataFrame:
    """The duties covering all products of each exporter on ``date``.

    Returns one row per exporter: ``exporter``, ``general_rate`` (the sum of the additional
    rates, a fraction; NaN when a duty is an all-in ceiling that includes MFN), ``rate_text``
    ("19%", "15% all-in"), ``measures`` (ids) and ``instruments`` (instrument numbers or
    titles, with URLs).
    """
    rows = []
    for e in exporters:
        best: dict[str, Any] = {}
        for m in schedule.measures:
            if not m.in_force(date) or not m.products.all or m.exclude is not None:
                continue
            all_but, codes = schedule.exporter_set(m.exporters)
            covers = (e not in codes) if all_but else (e in codes)
            if not covers:
                continue
            current = best.get(m.stack)
            if current is None or (m.priority, m.effective_from) > (
                current.priority,
                current.effective_from,
            ):
                best[m.stack] = m
        total, texts, ids, instruments, all_in = 0.0, [], [], [], False
        for m in best.values():
            if m.rate.kind == "table":
                rate = schedule.table_rates(m.rate.table).get(e)
                if rate is None:
                    continue
                total += rate
                texts.append(fmt_rate(rate))
            elif m.rate.kind == "all_in":
                all_in = True
                texts.append(f"{fmt_rate(m.rate.value)} all-in")
            else:
                total += float(m.rate.value or 0.0)
                texts.append(fmt_rate(m.rate.value))
            ids.append(_AUTHORITY.get(m.authority, m.authority))
            ins = m.instrument
            instruments.append(f"{ins.number or ins.title} ({ins.url})")
        rows.append(
            {
                "exporter": e,
                "general_rate": float("nan") if all_in else total,
                "rate_text": " + ".join(texts) if texts else "0%",
                "measures": ", ".join(ids),
                "instruments": "; ".join(dict.fromkeys(instruments)),
            }
        )
    return pd.DataFrame(rows)


def peer_rate_sentence(
    ctx: Context, rates: Any, names: dict[str, str], peers: Sequence[str]
) -> Paragraph | None:
    """The headline rate of home on the brief's date, and the peers grouped by theirs."""
    rows = rates.rows
    by = {str(r["exporter"]): r for r in rows.to_dict(orient="records")}
    if ctx.home not in by:
        return None
    maker = FigureMaker("country_rates", rates, None, row_field="exporter")
    home = by[ctx.home]
    parts: dict[str, Any] = {}
    if pd.isna(home["general_rate"]):
        head = "{home_rate}"
        parts["home_rate"] = home["rate_text"]
    else:
        head = "{home_rate}"
        parts["home_rate"] = maker.cell(home, "general_rate", unit="rate", label="headline rate")
    groups: dict[str, list[str]] = {}
    for p in peers:
        if p == ctx.home or p not in by:
            continue
        groups.setdefault(str(by[p]["rate_text"]), []).append(names.get(p, p))
    same = groups.pop(str(home["rate_text"]), [])
    text = (
        "On {date}, the US duties that cover all products of {home} add up to "
        + head
        + " ({measures}; schedule as recorded to {valid})"
    )
    parts.update(
        date=ctx.date.isoformat(),
        home=ctx.home_name,
        measures=home["measures"] or "none",
        valid=str((rates.params or {}).get("valid_to", "")),
    )
    if same:
        text += "; the same for {same}"
        parts["same"] = ", ".join(same)
    if groups:
        text += "; other competitors: {others}"
        parts["others"] = "; ".join(f"{', '.join(v)} {k}" for k, v in sorted(groups.items()))
    return para(text + ".", **parts)


def build(
    ctx: Context,
    timeline: Any,
    rates: Any,
    names: dict[str, str],
    peers: Sequence[str],
) -> Section:
    """The section: the headline rates on the date, the effective rate over time and its chart."""
    title = f"What {ctx.partner_name} charges: tariffs on {ctx.home_name} and its competitors"
    blocks: list[Any] = []
    sentence = peer_rate_sentence(ctx, rates, names, peers)
    if sentence is not None:
        blocks.append(sentence)
    rows = timeline.rows
    maker = FigureMaker("tariffs", timeline, ctx.fx, row_field="exporter")
    last = rows[rows["date"] == rows["date"].max()]
    home_last = last[last["exporter"] == ctx.home]
    if len(home_last):
        rec = home_last.iloc[0].to_dict()
        pos = int(home_last.index[0])
        eff = maker.cell(rec, "effective_additional_rate", unit="share", position=pos,
                         label="effective additional tariff")  # fmt: skip
        ex = maker.cell(rec, "exempt_share", unit="share", position=pos, label="exempt share")
        s232 = maker.cell(rec, "s232_share", unit="share", position=pos, label="Section 232 share")
        blocks.append(
            para(
                "Weighted by 2024 trade, {home} goods pay {eff} additional duty on {date}: {ex} of "
                "their value is exempt and {s232} falls under Section 232 instead.",
                home=possessive_name(ctx),
                eff=eff,
                date=pd.Timestamp(rec["date"]).date().isoformat(),
                ex=ex,
                s232=s232,
            )
        )
    # the table: headline and effective rate on the date, for home and peers
    table_rows = []
    by_rate = {str(r["exporter"]): r for r in rates.rows.to_dict(orient="records")}
    for _, r in last.reset_index().iterrows():
        e = str(r["exporter"])
        rec = r.to_dict()
        cells: list[Any] = [names.get(e, e)]
        head = by_rate.get(e)
        cells.append(head["rate_text"] if head is not None else "-")
        cells.append(
            maker.cell(rec, "effective_additional_rate", unit="share", position=int(r["index"]))
        )
        cells.append(maker.cell(rec, "exempt_share", unit="share", position=int(r["index"])))
        cells.append(maker.cell(rec, "s232_share", unit="share", position=int(r["index"])))
        cells.append(maker.cell(rec, "value_usd", unit="usd", position=int(r["index"])))
        table_rows.append(tuple(cells))
    date_text = pd.Timestamp(rows["date"].max()).date().isoformat()
    cap_text = caption(
        maker,
        "Headline: duties covering all products (reciprocal, Section 122, Section 301); "
        "effective: 2024 imports times every measure in force, over 2024 imports.",
    )
    blocks.append(
        Table(
            (
                "exporter",
                f"headline rate on {date_text}",
                "effective additional rate",
                "exempt share",
                "Section 232 share",
                "US imports 2024",
            ),
            tuple(table_rows),
            cap_text,
        )
    )
    blocks.append(_chart(ctx, timeline, names, cap_text))
    blocks.extend(notes(ctx, timeline))
    # one entry per instrument (cited once), its exporters grouped by rate
    grouped: dict[str, dict[str, list[str]]] = {}
    for r in rates.rows.to_dict(orient="records"):
        name = str(names.get(str(r["exporter"]), r["exporter"]))
        inst = str(r["instruments"] or "no duty on all products")
        grouped.setdefault(inst, {}).setdefault(str(r["rate_text"]), []).append(name)
    listed = [
        ", ".join(f"{', '.join(who)} {rate}" for rate, who in by_rate.items()) + f" ({inst})"
        for inst, by_rate in grouped.items()
    ]
    blocks.append(Note("Headline rates by exporter: " + "; ".join(listed) + "."))
    return Section("tariffs", title, tuple(blocks))


def _chart(ctx: Context, timeline: Any, names: dict[str, str], cap_text: str) -> Any:
    """The step chart of the tariffs engineer's module (brief/chart_tariffs.py)."""
    from tradelever.brief.chart_tariffs import tariff_chart

    return tariff_chart(
        timeline,
        home=ctx.home,
        names=names,
        end=ctx.date,
        caption=cap_text + " Each step holds until the next change of the schedule.",
    )


def possessive_name(ctx: Context) -> str:
    """The home country's possessive at a sentence start ("Malaysia's")."""
    from tradelever.brief.text import possessive

    return cap(possessive(ctx.home_name))

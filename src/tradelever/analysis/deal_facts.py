"""The quoted facts of the US deals as tables and sentences: one deal's facts, precedents.

:func:`deal_facts` lays out every fact of a deal (one row per fact and source, then the
fields the texts do not give); :func:`precedent_rows` writes, for an offer type, one sourced
sentence per deal ("Vietnam: ... for 20% (Joint statement, 26 Oct 2025, URL)"). The
orchestration and the derived measures are in :mod:`tradelever.analysis.deals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final, Literal

import pandas as pd

from tradelever.errors import InputError
from tradelever.sources.us_deals import AmountFact, Deal, Source, partner_name, rate_change

__all__ = ["OFFERS", "Offer", "deal_facts", "precedent_rows"]

Offer = Literal["tariff_elimination", "purchases", "investment"]
OFFERS: Final[tuple[str, ...]] = ("tariff_elimination", "purchases", "investment")
_BN: Final = 1e9


def _pct(value: float | None) -> float | None:
    return None if value is None else value / 100.0


# -- precedents -------------------------------------------------------------------------------
def _instrument(d: Deal, source: Source) -> tuple[str, dt.date | None]:
    """Kind and date of the text a source quotes (the deal's instrument, else the text's record)."""
    for inst in d.instruments:
        if inst.file == source.file:
            return inst.type, inst.date
    from tradelever.sources.deal_texts import packaged_library

    library = packaged_library()
    if source.file in library:
        record = library.record(source.file)
        try:
            day: dt.date | None = dt.date.fromisoformat(record.date)
        except ValueError:
            day = None
        return record.kind, day
    return "text", None


def _cite(d: Deal, source: Source) -> str:
    kind, day = _instrument(d, source)
    label = kind[:1].upper() + kind[1:]
    when = f"{day.day} {day:%b %Y}" if day else "undated"
    return f"{label}, {when}, {source.url}"


def _rate_words(d: Deal) -> str:
    change = rate_change(d)
    if change.after is None:
        return "(US rate not stated in the texts)"
    if change.after_basis == "all_in_ceiling":
        return f"for a {change.after:g}% all-in ceiling (MFN included)"
    if change.after_basis == "total":
        return f"for {change.after:g}% in total"
    return f"for {change.after:g}%"


def _amount_words(fact: AmountFact) -> str:
    assert fact.amount is not None
    bits = [f"US${fact.amount.value:,.4g} bn"]
    if fact.per_year:
        bits.append("a year")
    if fact.period:
        bits.append(fact.period)
    qualifier = {
        "approximately": "about ",
        "at_least": "at least ",
        "over": "over ",
        "up_to": "up to ",
        "estimated": "an estimated ",
    }.get(fact.amount.qualifier, "")
    return qualifier + " ".join(bits)


def precedent_rows(offer: str, deals_: Iterable[Deal]) -> pd.DataFrame:
    """One sourced sentence per deal and partner for an offer type.

    ``tariff_elimination``: the fact stating a coverage share if any, else the first;
    ``purchases`` / ``investment``: the largest headline amount (others summed in the
    sentence). Sentence: ``"<Partner>: <what> <for rate> (<Instrument type>, <date>, <URL>)"``.

    Returns
    -------
    pandas.DataFrame
        ``partner``, ``partner_name``, ``deal``, ``offer``, ``summary``, ``amount_usd``
        (amounts only), ``share`` (coverage, tariff elimination), ``rate_obtained``,
        ``rate_obtained_basis``, ``commitment``, ``sentence``, ``quote``, ``url``.
    """
    if offer not in OFFERS:
        raise InputError(f"{offer!r} is not one of {', '.join(OFFERS)}", parameter="offer")
    rows = []
    for d in deals_:
        facts: list[Any] = list(getattr(d.commitments, offer))
        if not facts:
            continue
        amount_usd = share = None
        if offer == "tariff_elimination":
            fact = next((f for f in facts if f.share is not None), facts[0])
            share = fact.share
            what = fact.summary
        else:
            heads = [f for f in facts if f.headline and f.amount is not None]
            if not heads:
                continue
            fact = max(heads, key=lambda f: f.amount.value)
            amount_usd = fact.amount.value * _BN
            what = fact.summary
            if "US$" not in what:
                what += f", {_amount_words(fact)}"
            others = [f for f in heads if f is not fact]
            if others:
                noun = "purchase" if offer == "purchases" else "investment"
                what += f" (and {len(others)} more headline {noun} pledge" + (
                    "s)" if len(others) > 1 else ")"
                )
        source = fact.sources[0]
        change = rate_change(d)
        for p in d.partners:
            rows.append(
                {
                    "partner": p,
                    "partner_name": partner_name(p),
                    "deal": d.id,
                    "offer": offer,
                    "summary": fact.summary,
                    "amount_usd": amount_usd,
                    "share": share,
                    "rate_obtained": _pct(change.after),
                    "rate_obtained_basis": change.after_basis,
                    "commitment": fact.commitment,
                    "sentence": f"{partner_name(p)}: {what} {_rate_words(d)} ({_cite(d, source)})",
                    "quote": source.quote,
                    "url": source.url,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "partner",
            "partner_name",
            "deal",
            "offer",
            "summary",
            "amount_usd",
            "share",
            "rate_obtained",
            "rate_obtained_basis",
            "commitment",
            "sentence",
            "quote",
            "url",
        ],
    )


# -- facts of one deal ------------------------------------------------------------------------
_FACT_GROUPS: Final = (
    ("dates", ("announced", "signed", "effective")),
    ("rates", ("annex_i", "july_letter", "eo_14326", "announced", "additional", "section_122")),
    ("rates", ("section_301",)),
    ("", ("sectors",)),
    (
        "commitments",
        (
            "tariff_elimination",
            "purchases",
            "investment",
            "non_tariff_barriers",
            "digital_trade",
            "agriculture",
            "other",
        ),
    ),
    (
        "economic_security",
        ("export_controls", "investment_screening", "duty_evasion", "third_country"),
    ),
    ("economic_security", ("critical_minerals",)),
    ("", ("exemptions",)),
)


def _fact_value(fact: Any) -> str:
    """The fact in a few words (value with unit, or its summary)."""
    kind = type(fact).__name__
    if kind == "DateFact":
        prefix = {"on_or_before": "on or before ", "month": "in "}.get(fact.precision, "")
        shown = f"{fact.value:%B %Y}" if fact.precision == "month" else fact.value.isoformat()
        return prefix + shown + (f" ({fact.what})" if fact.what else "")
    if kind == "RateFact":
        basis = {"additional": "additional", "all_in_ceiling": "all-in ceiling", "total": "total"}
        span = ""
        if fact.effective_from or fact.effective_to:
            span = f", {fact.effective_from or '...'} to {fact.effective_to or '...'}"
        return f"{fact.value:g}% {basis[fact.basis]} ({fact.authority}; {fact.applies_to}{span})"
    if kind == "AmountFact":
        text = fact.summary
        if fact.amount is not None:
            text += f": {_amount_words(fact)}"
        if fact.quantity:
            text += f" [{fact.quantity}]"
        return text + f" [{fact.commitment.replace('_', ' ')}]"
    if kind == "SectorFact":
        rate = f" ({fact.rate:g}%)" if fact.rate is not None else ""
        return f"{fact.sector}: {fact.summary}{rate}"
    if kind == "ExemptionFact":
        cond = ", conditional" if fact.conditional else ""
        return f"{fact.products} ({fact.treatment.replace('_', ' ')}{cond})"
    if kind == "CoverageFact" and fact.share is not None:
        return f"{fact.summary} ({fact.share:.0%} coverage) [{fact.commitment}]"
    return f"{fact.summary} [{fact.commitment.replace('_', ' ')}]"


def deal_facts(d: Deal) -> pd.DataFrame:
    """Every fact of a deal, one row per (fact, source), and every missing field.

    Columns: ``deal``, ``field`` (dotted path), ``item`` (position in a list field),
    ``value`` (the fact in a few words, or ``"not in the texts"``), ``note``, ``quote``,
    ``source`` (instrument type and date), ``url``.
    """
    rows = []
    for group, names in _FACT_GROUPS:
        for name in names:
            path = f"{group}.{name}" if group else name
            value = d.get(path)
            items = value if isinstance(value, list) else ([] if value is None else [value])
            for i, fact in enumerate(items):
                for source in fact.sources:
                    kind, day = _instrument(d, source)
                    rows.append(
                        {
                            "deal": d.id,
                            "field": path,
                            "item": i if isinstance(value, list) else None,
                            "value": _fact_value(fact),
                            "note": fact.note,
                            "quote": source.quote,
                            "source": f"{kind}, {day}" if day else kind,
                            "url": source.url,
                        }
                    )
    for m in d.missing:
        rows.append(
            {
                "deal": d.id,
                "field": m.field,
                "item": None,
                "value": "not in the texts",
                "note": m.note,
                "quote": None,
                "source": "checked: " + ", ".join(m.checked),
                "url": None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["deal", "field", "item", "value", "note", "quote", "source", "url"],
        dtype=object,
    )

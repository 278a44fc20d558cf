"""The bottom line: the three things to ask and the three to offer.

Each with its number and source, and the peers' deals as precedents.

Asks, in order: relief on the products where the partner would pay most to replace the home
country's supply and that pay an additional duty today (ASK-LEVERAGE), a rate no worse than
the competitors', settled no later (ASK-SEQUENCING). Offers: purchases that move the
reciprocal formula (OFFER-PURCHASES), supply in place of the rival (OFFER-SUBSTITUTE),
purchases by product. Precedents: what peers pledged and the rate they obtained.
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.model import Bullets, Note, Section, para
from tradelever.brief.rules import RULES
from tradelever.brief.sections.common import Points

__all__ = ["TITLE", "build"]

TITLE = "Bottom line: what to ask, what to offer"


def build(ctx: Context, points: Points) -> Section:
    """The section from every section's points (asks and offers capped by the rules)."""
    blocks: list[Any] = []
    asks = points.asks[: ctx.rules.n_asks]
    offers = points.offers[: ctx.rules.n_offers]
    blocks.append(
        para(
            "Derived from the figures of this brief by the rules stated in the method section; "
            "the negotiating team decides."
        )
    )
    if asks:
        blocks.append(Bullets(tuple(asks)))
    if offers:
        blocks.append(Bullets(tuple(offers)))
    if points.precedents:
        blocks.append(para("Precedents: what peers gave for the rate they got."))
        blocks.append(Bullets(tuple(points.precedents[:4])))
    if points.protect:
        blocks.append(para("Protect: the largest sales at stake."))
        blocks.append(Bullets(tuple(points.protect[: ctx.rules.n_protect])))
    for m in points.missing:
        blocks.append(Note(f"Not available: {m}"))
    return Section("bottom_line", TITLE, tuple(blocks))


def rules_notes() -> list[str]:
    """The rules in sentences (for the method section)."""
    return [f"{name}: {text}" for name, text in RULES.items()]

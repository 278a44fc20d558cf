"""Method and assumptions, in plain language.

Notes common to the analyses, the rules that turn figures into asks and offers, and the
exchange rate.
"""

from __future__ import annotations

from collections.abc import Sequence

from tradelever.brief.context import Context
from tradelever.brief.figures import plain
from tradelever.brief.model import Bullets, Note, Section, para
from tradelever.brief.rules import RULES
from tradelever.brief.text import sentence

__all__ = ["TITLE", "build"]

TITLE = "Method and assumptions"


def build(ctx: Context, shared: Sequence[str], extra: Sequence[str] = ()) -> Section:
    """The section: shared notes (each section adds its own), rules, exchange rate."""
    blocks: list = [
        para(
            "The figures come from tradelever's analyses of the public data sets listed under "
            "Sources; each section states its own assumptions. Common to several analyses:"
        ),
        Bullets(tuple(para("{t}", t=sentence(plain(a))) for a in shared)),
        para("Rules that turn the figures into asks and offers:"),
        Bullets(tuple(para("{n}: {t}", n=n, t=t) for n, t in RULES.items())),
    ]
    blocks.extend(Note(sentence(plain(e))) for e in extra)
    if ctx.fx is not None:
        blocks.append(Note(ctx.fx.statement() + "."))
    return Section("method", TITLE, tuple(blocks))

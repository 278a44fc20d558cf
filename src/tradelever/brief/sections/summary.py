"""Summary: the lead paragraph and the headline numbers.

On a product data set the lead states the home country's share of the partner's imports of
the products named for it in ``data/brief_focus.yaml`` (semiconductors, medical gloves and
rare earths for Malaysia), each computed from the leverage rows of the codes of the scope
(share = home's sales summed over the codes / the partner's imports summed over them), and
says plainly where the home country is not a significant supplier. Then the partner's
current tariff on the home country and the reciprocal formula on the real balance, when the
brief has them. On an industry data set (ICIO) the lead states the top leverage points,
labelled intermediate goods only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Paragraph, Section, para
from tradelever.brief.rules import leverage_asks
from tradelever.brief.text import INTERMEDIATE_ONLY, cap, possessive, product_phrase

__all__ = ["FocusProduct", "build", "focus_products", "focus_sentences", "partner_adjective"]

#: Below this share of the partner's imports the home country is "not a significant supplier".
SIGNIFICANT = 0.05

_ADJECTIVE = {"USA": "US", "EUU": "EU", "GBR": "UK", "CHN": "Chinese", "JPN": "Japanese"}


def partner_adjective(ctx: Context) -> str:
    """The words "US imports" for the United States, "<partner>'s imports" otherwise."""
    adj = _ADJECTIVE.get(ctx.partner)
    return f"{adj} imports" if adj else f"{possessive(ctx.partner_name)} imports"


@dataclass(frozen=True)
class FocusProduct:
    """A product scope a brief leads with (see ``data/brief_focus.yaml``)."""

    name: str
    words: str
    codes: tuple[str, ...]
    nomenclature: str
    significant: float = SIGNIFICANT

    @property
    def level(self) -> str:
        """``hs4`` or ``hs6``, from the length of the codes."""
        return f"hs{len(self.codes[0])}"


@cache
def _focus_file() -> tuple[tuple[str, tuple[FocusProduct, ...]], ...]:
    text = resources.files("tradelever.data").joinpath("brief_focus.yaml").read_text("utf-8")
    out = []
    for entry in yaml.safe_load(text) or []:
        items = tuple(
            FocusProduct(
                name=str(p["name"]),
                words=str(p["words"]),
                codes=tuple(str(c) for c in p["codes"]),
                nomenclature=" ".join(str(p["nomenclature"]).split()),
                significant=float(p.get("significant", SIGNIFICANT)),
            )
            for p in entry.get("products", [])
        )
        out.append((str(entry["home"]), items))
    return tuple(out)


def focus_products(home: str) -> tuple[FocusProduct, ...]:
    """The focus products of a home country (empty when it has none)."""
    for code, items in _focus_file():
        if code == home:
            return items
    return ()


def focus_sentences(
    ctx: Context, results: dict[str, Any], products: Sequence[FocusProduct]
) -> list[Paragraph]:
    """One sentence per focus product, from the leverage result at the scope's level.

    ``results`` maps ``focus_hs4`` / ``focus_hs6`` (the keys in ``Brief.results``) to
    leverage results at those levels.
    """
    out = []
    imports = partner_adjective(ctx)
    for p in products:
        key = f"focus_{p.level}"
        result = results.get(key)
        if result is None:
            continue
        rows = result.rows
        present = [c for c in p.codes if c in set(rows["code"].astype(str))]
        if not present:
            continue
        maker = FigureMaker(key, result, ctx.fx)
        share = maker.ratio(
            "home_exports_to_partner_usd",
            "partner_imports_usd",
            label=f"home share of partner imports, {p.name}",
            codes=p.codes,
        )
        value = maker.total(
            "home_exports_to_partner_usd", label=f"home exports to partner, {p.name}", codes=p.codes
        )
        if share.value is not None and share.value >= p.significant:
            out.append(
                para(
                    "{home} supplied {share} of {imports} of {what}, {value} in {year}.",
                    home=cap(ctx.home_name),
                    share=share,
                    imports=imports,
                    what=p.words,
                    value=value,
                    year=ctx.year,
                )
            )
        else:
            out.append(
                para(
                    "{home} is not a significant supplier of {what} to {partner}: {share} of "
                    "{imports}, {value} in {year}.",
                    home=cap(ctx.home_name),
                    what=p.words,
                    partner=ctx.partner_name,
                    share=share,
                    imports=imports,
                    value=value,
                    year=ctx.year,
                )
            )
    return out


def top_leverage_sentences(ctx: Context, leverage: Any, n: int = 2) -> list[Paragraph]:
    """The largest leverage points in sentences (industry data, or homes without a focus)."""
    maker = FigureMaker("leverage", leverage, ctx.fx)
    out = []
    for r in leverage_asks(leverage.rows, n).to_dict(orient="records"):
        share = maker.cell(
            r, "home_share_of_partner_imports", label="home share of partner imports"
        )
        value = maker.cell(r, "home_exports_to_partner_usd", label="home exports to partner")
        out.append(
            para(
                "{home} supplied {share} of {imports} of {what}{scope}, {value} in {year}.",
                home=cap(ctx.home_name),
                share=share,
                imports=partner_adjective(ctx),
                what=product_phrase(r.get("description", ""), str(r["code"])),
                scope=ctx.scope,
                value=value,
                year=ctx.year,
            )
        )
    return out


def build(
    ctx: Context,
    lead: Sequence[Paragraph],
    extra: Sequence[Paragraph],
    products: Sequence[FocusProduct],
    provenance: dict[str, Any],
) -> tuple[Section, tuple[Paragraph, ...]]:
    """The summary section and the headline numbers (the lead sentences, then ``extra``)."""
    # The headline numbers open the brief; the summary says what was asked and on which data.
    blocks: list[Any] = []
    data = provenance.get("source", "")
    blocks.append(
        para(
            "Where {partner} depends on {home}{rival}, what it charges {home} and its "
            "competitors, and what {home} can ask and offer. Product data: {dataset} ({data}), "
            "{year}, {cls} codes at {level} level.",
            partner=ctx.partner_name,
            home=ctx.home_name,
            rival=f" and on {ctx.rival_name}" if ctx.rival_name else "",
            dataset=ctx.dataset,
            data=data,
            year=ctx.year,
            cls=ctx.classification,
            level=ctx.level,
            source="",
        )
    )
    if products:
        blocks.append(
            Note(
                "Product scopes: "
                + "; ".join(f"{p.words}: {p.nomenclature}" for p in products)
                + "."
            )
        )
    if ctx.intermediate_only:
        blocks.append(
            Note(
                f"{cap(INTERMEDIATE_ONLY)}: {ctx.dataset} holds flows of intermediate goods and "
                "services between industries; purchases for final demand are not split by "
                "origin. Industry shares are much smaller than product shares, where "
                "negotiating leverage usually lies: load a product data set (BACI, Comtrade, "
                "Census) for product-level figures."
            )
        )
    if ctx.fx is not None:
        blocks.append(Note(ctx.fx.statement() + "."))
    heads = tuple([*lead, *extra][:5])
    return Section(key="summary", title="Summary", blocks=tuple(blocks)), heads

"""Default elasticities of substitution for HS products.

``data/elasticities_hs.csv`` maps HS chapters (and a few headings) to the 20 tradable
sectors of Caliendo and Parro (2015) and their trade elasticities theta (replication file
``T.txt``); sigma = 1 + theta. The longest matching prefix wins, so heading 8542 takes
"Communication" while the rest of chapter 85 takes "Electrical". The mapping is ours
(documented per row in the file); it follows the ISIC Rev.3 divisions of Caliendo and
Parro's sectors.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import pandas as pd

from tradelever.errors import InputError

__all__ = ["hs_member_sigmas", "hs_sigma", "hs_sigma_table"]

_SOURCE = "Caliendo and Parro (2015), replication file T.txt, sector {sector}; sigma = 1 + theta"


@cache
def _prefixes() -> dict[str, tuple[float, str]]:
    text = resources.files("tradelever.data").joinpath("elasticities_hs.csv").read_text("utf-8")
    return {
        row["hs_prefix"]: (float(row["sigma"]), row["cp2015_sector"])
        for row in csv.DictReader(text.splitlines())
    }


def hs_sigma(code: str) -> tuple[float, str]:
    """Sigma and source for one HS code (2 to 6 digits) or None if no chapter matches."""
    table = _prefixes()
    for length in (6, 4, 2):
        hit = table.get(code[:length])
        if hit is not None:
            sigma, sector = hit
            return sigma, _SOURCE.format(sector=sector)
    raise InputError(f"{code}: no default elasticity for this HS code; use --sigma")


def hs_member_sigmas(products: list[str]) -> list[float]:
    """Default sigma of each HS6 product (for the weights of a product group)."""
    return [hs_sigma(p)[0] for p in products]


def hs_sigma_table(codes: list[str], classification: str) -> pd.DataFrame:
    """Sigma and source for each HS code (2, 4 or 6 digits), by longest matching prefix.

    Product-group names (``semiconductors``) are not HS codes and are refused here: a group
    spans several sectors (8541 "Electrical", 8542 "Communication"), so its default sigma is
    the mean of its members' sigmas weighted by the partner's imports of each member,
    computed with the trade data in :func:`tradelever.analysis.leverage.leverage_table`
    (members' sigmas from :func:`hs_member_sigmas`).
    """
    sigmas, sources = [], []
    for code in codes:
        if not (code.isdigit() and len(code) in (2, 4, 6)):
            raise InputError(
                f"{code}: not an HS code; a product group's default sigma is the "
                "import-weighted mean of its members (computed by leverage), or use --sigma"
            )
        sigma, source = hs_sigma(code)
        sigmas.append(sigma)
        sources.append(source)
    return pd.DataFrame({"code": codes, "sigma": sigmas, "sigma_source": sources})

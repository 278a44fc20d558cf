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

__all__ = ["hs_sigma", "hs_sigma_table"]

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


def hs_sigma_table(codes: list[str], classification: str) -> pd.DataFrame:
    """Sigma and source for each HS code; group names fall back to their first code."""
    sigmas, sources = [], []
    for code in codes:
        sigma, source = hs_sigma(code)
        sigmas.append(sigma)
        sources.append(source)
    return pd.DataFrame({"code": codes, "sigma": sigmas, "sigma_source": sources})

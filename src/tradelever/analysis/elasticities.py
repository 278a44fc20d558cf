"""Default elasticities of substitution between suppliers, with their literature sources.

ICIO industries: ``data/elasticities_icio.csv`` maps each of the 50 industries to a sector
of Caliendo and Parro (2015, Review of Economic Studies 82(1)), whose trade elasticity
theta comes from their replication file; the CES elasticity of substitution between
suppliers is sigma = 1 + theta (the trade elasticity of a CES import demand is sigma - 1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from tradelever.errors import InputError

__all__ = ["Elasticity", "icio_elasticities", "sigma_table", "validate_sigma"]


@dataclass(frozen=True)
class Elasticity:
    """An elasticity value and where it comes from."""

    code: str
    sigma: float
    source: str


@cache
def icio_elasticities() -> dict[str, Elasticity]:
    """Default sigma per ICIO industry code."""
    text = resources.files("tradelever.data").joinpath("elasticities_icio.csv").read_text("utf-8")
    return {
        row["industry"]: Elasticity(row["industry"], float(row["sigma"]), row["source"])
        for row in csv.DictReader(text.splitlines())
    }


def validate_sigma(sigma: float, *, parameter: str = "--sigma") -> float:
    """Check a user-supplied elasticity of substitution (must be a finite number > 1)."""
    try:
        value = float(sigma)
    except (TypeError, ValueError):
        raise InputError(f"{parameter}: {sigma!r} is not a number") from None
    if not value > 1.0 or value == float("inf"):
        raise InputError(
            f"{parameter}: {sigma} is not allowed; the CES cost of losing a supplier needs an "
            "elasticity of substitution greater than 1 (typical values 1.5 to 10)"
        )
    return value


def sigma_table(codes: list[str], classification: str, sigma: float | None = None) -> pd.DataFrame:
    """Sigma and its source for each code.

    Parameters
    ----------
    codes
        Product or industry codes of one classification.
    classification
        ``ICIO2025`` for industries; HS classifications are handled by the product-level
        defaults when a product data set is used.
    sigma
        One value for all codes (``--sigma``), overriding the defaults.
    """
    if sigma is not None:
        value = validate_sigma(sigma)
        return pd.DataFrame(
            {"code": codes, "sigma": value, "sigma_source": "user-supplied (--sigma)"}
        )
    if classification == "ICIO2025":
        table = icio_elasticities()
        missing = [c for c in codes if c not in table]
        if missing:
            raise InputError(f"no default elasticity for industries {missing[:5]}; use --sigma")
        return pd.DataFrame(
            {
                "code": codes,
                "sigma": [table[c].sigma for c in codes],
                "sigma_source": [table[c].source for c in codes],
            }
        )
    from tradelever.analysis.hs_elasticities import hs_sigma_table

    return hs_sigma_table(codes, classification)

"""Trade-dependence indicators as named pure functions.

Notation (DESIGN.md): V(i, j, k) is the value of product k shipped from exporter i to
importer j in a year; e = home, p = partner (counterpart), r = rival.

- M(j, k) = sum over i != j of V(i, j, k): j's imports of k.
- X(i, k) = sum over j != i of V(i, j, k): i's exports of k.
- W(k) = sum over i of X(i, k): world trade in k.

All functions are vectorised over numpy arrays or pandas Series and return floats; a
share with a zero denominator is NaN (undefined), never zero.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "balassa_rca",
    "ces_price_index_factor",
    "cost_of_losing_supplier",
    "export_weight",
    "import_hhi",
    "safe_ratio",
    "supplier_share",
    "world_export_share",
]

ArrayLike = npt.ArrayLike


def safe_ratio(numerator: ArrayLike, denominator: ArrayLike) -> np.ndarray:
    """Return ``numerator / denominator``, NaN where the denominator is zero or missing."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def supplier_share(v_ijk: ArrayLike, m_jk: ArrayLike) -> np.ndarray:
    """Supplier share s(i, j, k) = V(i, j, k) / M(j, k).

    "Malaysia is 20% of US chip imports" is s(MYS, USA, chips).
    """
    return safe_ratio(v_ijk, m_jk)


def world_export_share(x_ik: ArrayLike, w_k: ArrayLike) -> np.ndarray:
    """World export share X(i, k) / W(k)."""
    return safe_ratio(x_ik, w_k)


def export_weight(x_ik: ArrayLike, x_i: ArrayLike) -> np.ndarray:
    """Export weight X(i, k) / sum over k of X(i, k): the product's share of i's exports."""
    return safe_ratio(x_ik, x_i)


def import_hhi(shares: ArrayLike) -> float:
    """Herfindahl-Hirschman index of import concentration, HHI = sum over i of s_i^2.

    Parameters
    ----------
    shares
        Supplier shares of one market (they should sum to one).

    Returns
    -------
    float
        Between 1/n (n equal suppliers) and 1 (a single supplier); NaN for no suppliers.
    """
    s = np.asarray(shares, dtype=float)
    return float(np.sum(s**2)) if s.size else float("nan")


def balassa_rca(x_ik: ArrayLike, x_i: ArrayLike, w_k: ArrayLike, w: ArrayLike) -> np.ndarray:
    """Balassa (1965) revealed comparative advantage RCA = (X_ik / X_i) / (W_k / W).

    RCA > 1 means the product weighs more in i's exports than in world exports.
    """
    return safe_ratio(safe_ratio(x_ik, x_i), safe_ratio(w_k, w))


def ces_price_index_factor(share: ArrayLike, sigma: ArrayLike) -> np.ndarray:
    """Factor by which a CES import price index rises when a supplier with share s is lost.

    With elasticity of substitution sigma > 1 between suppliers and unchanged prices of
    the others, the price index of the remaining bundle is::

        P' / P = (1 - s) ^ (1 / (1 - sigma))

    It equals 1 for s = 0 and tends to infinity as s tends to 1 (losing the only supplier
    cannot be substituted). NaN where s is undefined.
    """
    s = np.asarray(share, dtype=float)
    sig = np.asarray(sigma, dtype=float)
    if np.any(sig <= 1):
        raise ValueError("sigma must be greater than 1 for the CES price-index formula")
    with np.errstate(divide="ignore"):
        return np.power(1.0 - s, 1.0 / (1.0 - sig))


def cost_of_losing_supplier(m_jk: ArrayLike, share: ArrayLike, sigma: ArrayLike) -> np.ndarray:
    """Dollar cost to importer j of losing a supplier with share s of its imports of k.

    ``M(j, k) * ((1 - s) ^ (1 / (1 - sigma)) - 1)``: the rise in the CES import price
    index times the import bill, in the units of M (US dollars). Infinite for a sole
    supplier (s = 1).
    """
    m = np.asarray(m_jk, dtype=float)
    return m * (ces_price_index_factor(share, sigma) - 1.0)

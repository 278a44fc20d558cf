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
    "CRITICAL_HHI",
    "CRITICAL_SHARE",
    "DOMINANT_SHARE",
    "EU_HHI_THRESHOLD",
    "EU_IMPORTS_TO_EXPORTS_THRESHOLD",
    "balassa_rca",
    "ces_price_index_factor",
    "compound_annual_growth",
    "cost_of_losing_supplier",
    "export_weight",
    "hhi_from_sum_of_squares",
    "import_hhi",
    "imports_to_exports",
    "leverage_flags",
    "rest_of_world_supply_ratio",
    "safe_ratio",
    "share_change_pp",
    "sigma_range",
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


# -- dependence criteria, trends, flags and sensitivity ---------------------------------------

#: EU 2021 criterion 1 (and CEPII GeoDep criteria 1 and 2): HHI above 0.4 is "concentrated".
#: European Commission SWD(2021) 352; Lefebvre and Wibaux (2024), CEPII Policy Brief 47.
EU_HHI_THRESHOLD = 0.4
#: EU 2021 criterion 3 as applied to any country by CEPII GeoDep (criterion 3): imports of the
#: product above the country's own exports of it (exports as a proxy for production).
EU_IMPORTS_TO_EXPORTS_THRESHOLD = 1.0
#: Supplier share from which a supplier is "critical" when the market is also concentrated.
#: 25% is the market share below which EU merger control presumes no harm to competition
#: (Council Regulation (EC) No 139/2004, recital 32); tradelever's choice of threshold.
CRITICAL_SHARE = 0.25
#: HHI from which a market is "highly concentrated": above 2,500 on the 0-10,000 scale in the
#: US DOJ/FTC Horizontal Merger Guidelines (2010), section 5.3.
CRITICAL_HHI = 0.25
#: Supplier share from which a supplier is "dominant": the 50% presumption of dominance of
#: the Court of Justice in AKZO v Commission (Case C-62/86, 1991, para. 60).
DOMINANT_SHARE = 0.5


def rest_of_world_supply_ratio(w_k: ArrayLike, x_ek: ArrayLike, v_epk: ArrayLike) -> np.ndarray:
    """How many times the world market outside home could replace home's supply to p.

    ``R(k) = (W(k) - X(e, k)) / V(e, p, k)`` (methods.md (b), DESIGN.md "substitutability"):
    world exports of k by every country other than home, over home's exports of k to the
    partner. Large values mean the partner can find other suppliers; values near or below 1
    mean home's supply to p is as large as everything else the world sells. Dimensionless;
    NaN where home does not supply the partner (V = 0).
    """
    return safe_ratio(np.asarray(w_k, dtype=float) - np.asarray(x_ek, dtype=float), v_epk)


def hhi_from_sum_of_squares(sum_sq: ArrayLike, total: ArrayLike) -> np.ndarray:
    """HHI from the sum of squared supplier values: ``sum_i v_i^2 / (sum_i v_i)^2``.

    Identical to ``sum_i s_i^2`` with ``s_i = v_i / sum_i v_i``; used when the squares are
    summed in the query engine. NaN for an empty market.
    """
    t = np.asarray(total, dtype=float)
    return safe_ratio(sum_sq, t * t)


def imports_to_exports(m_pk: ArrayLike, x_pk: ArrayLike) -> np.ndarray:
    """Partner's imports of k over its own exports of k: ``M(p, k) / X(p, k)``.

    CEPII GeoDep's criterion 3 (the EU's "substitutability with domestic production", with
    exports standing in for production, which trade data do not have): above 1 the country
    buys more of the product than it sells. Infinite when the partner imports and does not
    export the product (GeoDep codes this 9999); NaN when it does neither.
    """
    m = np.asarray(m_pk, dtype=float)
    x = np.asarray(x_pk, dtype=float)
    out = safe_ratio(m, x)
    return np.where((x == 0) & (m > 0), np.inf, out)


def share_change_pp(share_now: ArrayLike, share_base: ArrayLike) -> np.ndarray:
    """Change in a share between a base year and now, in percentage points.

    ``100 * (s_now - s_base)``; NaN when either share is undefined.
    """
    return 100.0 * (np.asarray(share_now, dtype=float) - np.asarray(share_base, dtype=float))


def compound_annual_growth(value_now: ArrayLike, value_base: ArrayLike, years: int) -> np.ndarray:
    """Compound annual growth rate ``(v_now / v_base)^(1 / years) - 1`` (a fraction per year).

    NaN when ``years`` < 1, the base value is not positive or the current value is negative
    (growth from nothing is undefined).
    """
    now = np.asarray(value_now, dtype=float)
    base = np.asarray(value_base, dtype=float)
    shape = np.broadcast(now, base).shape
    if years < 1:
        return np.full(shape, np.nan)
    ratio = safe_ratio(now, base)
    ok = np.isfinite(ratio) & (base > 0) & (now >= 0)
    out = np.full(shape, np.nan)
    np.power(ratio, 1.0 / years, out=out, where=ok)
    return np.where(ok, out - 1.0, np.nan)


def sigma_range(sigma: ArrayLike, factor: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Low and high elasticities of substitution for a sensitivity range.

    The trade elasticity theta = sigma - 1 is divided and multiplied by ``factor``::

        sigma_low  = 1 + (sigma - 1) / factor
        sigma_high = 1 + (sigma - 1) * factor

    so both stay above 1 (where the CES cost formula is defined) whatever sigma is. With the
    default factor 2 the range is about as wide as the gap between the Caliendo and Parro
    (2015) sector estimates and the central values of other gravity studies (Head and Mayer,
    2014, Handbook of International Economics vol. 4, median trade elasticity about 5).
    """
    if not factor > 1:
        raise ValueError("factor must be greater than 1")
    theta = np.asarray(sigma, dtype=float) - 1.0
    return 1.0 + theta / factor, 1.0 + theta * factor


def leverage_flags(
    home_share: ArrayLike,
    partner_hhi: ArrayLike,
    rival_share: ArrayLike,
    imports_to_exports_ratio: ArrayLike,
    world_hhi: ArrayLike,
    home_rca: ArrayLike,
) -> list[str]:
    """Documented flags per row, as a semicolon-separated string ("" for none).

    =============================  ===========================================================
    ``critical_supplier``          s(e, p, k) >= CRITICAL_SHARE (0.25) and HHI(p, k) >=
                                   CRITICAL_HHI (0.25)
    ``dominant_supplier``          s(e, p, k) >= DOMINANT_SHARE (0.5)
    ``sole_supplier``              s(e, p, k) = 1
    ``rival_critical_supplier``    s(r, p, k) >= 0.25 and HHI(p, k) >= 0.25 (a substitution
                                   offer is possible)
    ``partner_foreign_dependent``  the three GeoDep criteria hold in the year: HHI(p, k) >
                                   0.4, world export HHI > 0.4 and M(p, k) / X(p, k) > 1
    ``home_comparative_advantage`` Balassa RCA of home > 1
    =============================  ===========================================================
    """
    s = np.asarray(home_share, dtype=float)
    h = np.asarray(partner_hhi, dtype=float)
    r = np.asarray(rival_share, dtype=float)
    ratio = np.asarray(imports_to_exports_ratio, dtype=float)
    wh = np.asarray(world_hhi, dtype=float)
    rca = np.asarray(home_rca, dtype=float)
    concentrated = h >= CRITICAL_HHI
    with np.errstate(invalid="ignore"):
        tests = [
            ("critical_supplier", (s >= CRITICAL_SHARE) & concentrated),
            ("dominant_supplier", s >= DOMINANT_SHARE),
            ("sole_supplier", s >= 1.0 - 1e-12),
            ("rival_critical_supplier", (r >= CRITICAL_SHARE) & concentrated),
            (
                "partner_foreign_dependent",
                (h > EU_HHI_THRESHOLD)
                & (wh > EU_HHI_THRESHOLD)
                & (ratio > EU_IMPORTS_TO_EXPORTS_THRESHOLD),
            ),
            ("home_comparative_advantage", rca > 1.0),
        ]
    n = s.shape[0] if s.ndim else 1
    # One bit per flag, then one string per combination met (at most 2^6).
    bits = np.zeros(n, dtype=np.int64)
    for i, (_, mask) in enumerate(tests):
        bits |= np.broadcast_to(mask, (n,)).astype(np.int64) << i
    text = {
        b: ";".join(name for i, (name, _) in enumerate(tests) if b >> i & 1)
        for b in np.unique(bits).tolist()
    }
    return [text[b] for b in bits.tolist()]

r"""Hypothetical extraction: what "home stops delivering to the partner" costs, in output.

The extracted cells are home's deliveries to the partner, ``B[h, j]`` for h in the
selected home industries H (one, several or all 50) and j in every partner industry P,
scaled by ``share`` (1 = all of them stop). Two closures of the same extraction
(Dietzenbacher, van der Linden and Steenge 1993; Dietzenbacher and Lahr 2013):

*Buyer side (partner's output loss): supply-driven (Ghosh) extraction.* Primary inputs
``w = v o s`` are fixed and output follows the allocation coefficients
``G = diag(s)^-1 F``: ``s'^T = w^T (I - G')^-1`` with ``G'[h, j] = (1 - share) G[h, j]``
on the extracted cells. ``G = diag(s)^-1 B diag(s)``, so setting G's cells to zero is
setting the same cells of B to zero, and ``(I - G)^-1 = diag(s)^-1 L diag(s)``: the same
``L`` serves. Solved exactly (with feedback through home) by the Woodbury identity::

    c    = share * B[H, P] L[P, H]                (m x m, m = |H| <= 50)
    rho  = (I + c)^-T 1                           (home output retained / benchmark)
    r[j] = share * sum_h B[h, j] rho[h]           (j in P; zero elsewhere)
    loss = s o (L^T r)  = s o (L[P, :]^T r[P])    (US$ million, every node)

``loss[n] / s[n] = (L^T r)[n]`` is the total (direct plus indirect) content of the
extracted deliveries in a dollar of n's output: the partner loses the inputs and the
output made with them downstream, in value terms, with no substitution and no rerouting.

*Seller side (home's own output loss): demand-driven (Leontief) extraction.* Final demand
``z`` is fixed and ``s' = (I - B')^-1 z``; home loses the sales and the upstream output
that produced them::

    d    = share * B[H, P] s[P]                   (lost deliveries, = F[H, P] 1)
    g    = (I + c)^-1 d
    loss = L[:, H] g

Both need only ``L[:, H]``, ``L[P, :]`` and ``B[H, P]``: ``I - B'`` differs from ``I - B``
in m rows, a rank-m update, so Woodbury costs O(m N^2) against O(N^3) for a fresh
factorisation; with one industry it is Sherman-Morrison (scalar c). Both losses are
non-negative (removing non-negative coefficients cannot raise a non-negative inverse) and
vanish when nothing is extracted.

Cross-check with sanction-simulator
-----------------------------------
``benchmarks/network_vs_sanction_simulator.py`` puts the MYS -> USA extraction ("MYS cannot
sell to USA", an export ban on intermediate deliveries) next to Bhattathiripad and Veetil's
rerouting model (sanction-simulator 0.1.4) on the same arrays. MYS delivers US$11.53 bn of
intermediates to the USA. Gross-output losses, US$ bn (USA / MYS):

=====================================================  =======  =======
model                                                  USA      MYS
=====================================================  =======  =======
extraction here, all deliveries stop (share 1)          19.01    20.69
extraction here, share tau (1 - delta) = 0.27            5.13     5.59
sanction-simulator defaults (tau 0.3, delta 0.1)         9.35     5.64
sanction-simulator, nothing rerouted (tau 1, delta 0)   34.75    20.74
=====================================================  =======  =======

(C26 only: 3.86 / 4.12 here at share 1, 1.04 / 1.11 at 0.27; theirs 1.82 / 1.12 at the
defaults, 6.80 / 4.14 with nothing rerouted.)

Why they differ. Their model lets the severed flows leak through at delta and reroutes all
but tau (1 - delta) = 27% of them to other suppliers and buyers (RAS balancing with
friction tau), then runs output through a CES input bundle (elasticity 0.5) and an outer
CES capacity-rationing fixed point. The extraction has no rerouting, no leakage and fixed
final demand, and is linear in values.
- Seller side: with nothing rerouted their MYS loss equals the demand-driven extraction
  (20.74 vs 20.69: lost sales propagated upstream, linear in both); at their defaults only
  27% of the severed sales is lost and the extraction at share 0.27 gives 5.59 vs 5.64.
- Buyer side: a lost dollar of input removes a dollar of output plus its downstream content
  here, whereas their CES complements make a missing input cost more than its value share
  (34.75 vs 19.01 with nothing rerouted); rerouting brings theirs down to 9.35, between the
  extraction at share 0.27 (5.13, a lower bound) and at share 1 (19.01, an upper bound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradelever.analysis.network.model import LeontiefModel
from tradelever.errors import InputError

__all__ = ["ExtractionResult", "IndustryExtractions", "check_share", "extract", "one_by_one"]


@dataclass(frozen=True)
class ExtractionResult:
    """Output losses (network unit, every node) when home's deliveries to partner stop.

    Attributes
    ----------
    buyer_side_loss
        Supply-driven (Ghosh) extraction, primary inputs fixed: ``s o (L^T r)``.
    seller_side_loss
        Demand-driven (Leontief) extraction, final demand fixed: ``L[:, H] g``.
    deliveries
        Deliveries removed, per extracted home node (``share * F[h, P] 1``).
    home_nodes
        The extracted home nodes.
    share
        Fraction of the deliveries removed.
    """

    buyer_side_loss: np.ndarray
    seller_side_loss: np.ndarray
    deliveries: np.ndarray
    home_nodes: np.ndarray
    share: float


def check_share(share: float) -> float:
    """``share`` as a float in [0, 1]; raises :class:`InputError` naming ``share_lost``."""
    share = float(share)
    if not (0.0 <= share <= 1.0) or not np.isfinite(share):
        raise InputError(f"must be between 0 and 1, got {share}", parameter="share_lost")
    return share


def extract(
    model: LeontiefModel,
    home: str,
    partner: str,
    industries: Sequence[str] | None = None,
    *,
    share: float = 1.0,
) -> ExtractionResult:
    """Hypothetical extraction of home's deliveries to the partner (jointly, with feedback).

    Parameters
    ----------
    model
        The network.
    home, partner
        Country codes of the network.
    industries
        Home industries whose deliveries stop (default: all).
    share
        Fraction of those deliveries removed, in [0, 1].

    Returns
    -------
    ExtractionResult
        Buyer-side (supply-driven) and seller-side (demand-driven) losses; formulas in the
        module docstring (Woodbury update of ``L``, m = len(industries)).
    """
    share = check_share(share)
    H = model.country_nodes(home, industries)
    P = model.country_nodes(partner)
    m = len(H)
    Bhp = share * model.direct_block(H, P)  # m x |P|
    LH = model.total_requirements(H)  # N x m
    c = Bhp @ LH[P, :]  # m x m
    K = np.eye(m) + c
    d = Bhp @ model.s[P]
    g = np.linalg.solve(K, d)
    seller = LH @ g
    rho = np.linalg.solve(K.T, np.ones(m))
    r = np.zeros(model.n_nodes)
    r[P] = Bhp.T @ rho
    buyer = model.s * model.solve(r, transpose=True)
    return ExtractionResult(
        buyer_side_loss=np.maximum(buyer, 0.0),
        seller_side_loss=np.maximum(seller, 0.0),
        deliveries=d,
        home_nodes=H,
        share=share,
    )


@dataclass(frozen=True)
class IndustryExtractions:
    """Each home industry's deliveries to the partner extracted on its own (network unit).

    Attributes (arrays over home's industries, in the network's order)
    ----------
    deliveries
        Benchmark deliveries ``F[h_k, P] 1`` (before ``share``).
    partner_loss
        Partner's output loss, ``r_k' L (s o 1_P)``.
    world_loss
        Every country's output loss, ``r_k' L s``.
    home_loss
        Home's output loss, ``sum_{n in home} L[n, h_k] share F[h_k, P] 1 / (1 + c_k)``.
    """

    deliveries: np.ndarray
    partner_loss: np.ndarray
    world_loss: np.ndarray
    home_loss: np.ndarray


def one_by_one(
    model: LeontiefModel, home: str, partner: str, *, share: float = 1.0
) -> IndustryExtractions:
    """Extract each home industry on its own (Sherman-Morrison, ``c_k`` a scalar).

    ``c_k = share * B[h_k, P] L[P, h_k]`` and ``r_k = share B[h_k, P] / (1 + c_k)``
    (restricted to P); the losses are in :class:`IndustryExtractions`. Reads ``L[:, H]``,
    ``L[:, P]``, ``L[P, :]`` and ``B[H, P]``.
    """
    share = check_share(share)
    H = model.country_nodes(home)
    P = model.country_nodes(partner)
    B_hp = model.direct_block(H, P)  # S x |P|
    Bhp = share * B_hp
    benchmark = B_hp @ model.s[P]
    LH = model.total_requirements(H)  # N x S
    ck = np.einsum("kj,jk->k", Bhp, LH[P, :])  # diagonal of B[H,P] L[P,H]
    partner_out = model.total_requirements(P)[P, :] @ model.s[P]  # (L (s o 1_P))[P]
    world_out = model.total_rows(P) @ model.s  # (L s)[P]
    R = Bhp / (1.0 + ck)[:, None]  # rows: r_k restricted to P
    return IndustryExtractions(
        deliveries=benchmark,
        partner_loss=R @ partner_out,
        world_loss=R @ world_out,
        home_loss=LH[H, :].sum(axis=0) * share * benchmark / (1.0 + ck),
    )

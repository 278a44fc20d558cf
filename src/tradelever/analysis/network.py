r"""Supply-chain dependence on an inter-country input-output network (ICIO).

Pure functions on the arrays of :class:`tradelever.sources.icio.IcioNetwork` (or any
network in the same layout): direct and total (Leontief) requirements, home value added
embodied in a partner's output, and the hypothetical-extraction loss of the partner's output
if home's deliveries stopped.

Notation and units
------------------
Nodes are (country, industry) pairs in sector-major order, ``node = industry * C + country``;
N = C * S. Monetary arrays keep the network's unit (US$ million for ``icio2022``); the
tables convert to US dollars.

``F[i, j]``
    Intermediate flow from node i to node j, ``F = A diag(omb * s)``.
``s``, ``z``
    Model output and final-demand sales (all destinations), ``s = F 1 + z``.
``B = A diag(omb)``
    Direct requirements (input coefficients): ``B[i, j] = F[i, j] / s[j]``, the dollars of
    i's output that one dollar of j's output uses.
``L = (I - B)^-1``
    Total (Leontief) requirements: ``L[i, j]`` is the output of i needed, directly and
    indirectly, per dollar of j's final-demand sales; ``s = L z``.
``v = 1 - omb``
    Value-added coefficients (value added per dollar of output); ``v' L = 1'`` because
    every active column of A sums to one.

``I - B`` is factorised once per process (:func:`scipy.linalg.lu_factor`, about 2-5 s for
N = 4000) and every query solves with the factors for the right-hand sides it needs; the
4000 x 4000 inverse is never formed.

Value added embodied
--------------------
Home VA embodied in the partner's gross output, by home node h::

    va_out[h] = v[h] * sum_{j in partner} L[h, j] * s[j]   =  v[h] * (L (s o 1_P))[h]

and in the partner's final-demand sales ``va_fd[h] = v[h] * (L (z o 1_P))[h]``. Summed over
every origin node, ``va_fd`` gives exactly the partner's final sales (``v' L = 1'``);
``va_out`` counts a dollar of home VA once for every partner production stage it passes
through (gross output double counts, as "VA content of gross exports" does). ``icio2022``
has final-demand *sales* z by node, not bilateral final demand: "embodied in the partner's
final demand" is approximated by "embodied in the final-demand sales of the partner's
industries" (to any destination, including exports to third countries and back to home).

Hypothetical extraction (what "home stops delivering" costs)
------------------------------------------------------------
The extracted cells are home's deliveries to the partner, ``B[h, j]`` for h in the
selected home industries H (one, several or all 50) and j in every partner industry P,
scaled by ``share`` (1 = all of them stop). Two closures of the same extraction
(Dietzenbacher, van der Linden and Steenge 1993; Dietzenbacher and Lahr 2013):

*Buyer side (partner's output loss): supply-driven (Ghosh) extraction.* Primary inputs
``w = v o s`` are fixed and output follows the allocation coefficients
``G = diag(s)^-1 F``: ``s'^T = w^T (I - G')^-1`` with ``G'[h, j] = (1 - share) G[h, j]``
on the extracted cells. ``G = diag(s)^-1 B diag(s)``, so setting G's cells to zero is
setting the same cells of B to zero, and ``(I - G)^-1 = diag(s)^-1 L diag(s)``: the same
factors serve. Solved exactly (with feedback through home) by the Woodbury identity::

    c    = share * B[H, P] L[P, H]                (m x m, m = |H| <= 50)
    rho  = (I + c)^-T 1                           (home output retained / benchmark)
    r[j] = share * sum_h B[h, j] rho[h]           (j in P; zero elsewhere)
    loss = s o (L^T r)                            (US$ million, every node)

``loss[n] / s[n] = (L^T r)[n]`` is the total (direct plus indirect) content of the
extracted deliveries in a dollar of n's output: the partner loses the inputs and the
output made with them downstream, in value terms, with no substitution and no rerouting.

*Seller side (home's own output loss): demand-driven (Leontief) extraction.* Final demand
``z`` is fixed and ``s' = (I - B')^-1 z``; home loses the sales and the upstream output
that produced them::

    d    = share * B[H, P] s[P]                   (lost deliveries, = F[H, P] 1)
    g    = (I + c)^-1 d
    loss = L[:, H] g

Both need only ``L[:, H]`` (m solves with the factors) plus one transposed solve: ``I - B'``
differs from ``I - B`` in m rows, a rank-m update, so Woodbury costs O(m N^2) against
O(N^3) for a fresh factorisation; with one industry it is Sherman-Morrison (scalar c).
Both losses are non-negative (removing non-negative coefficients cannot raise a
non-negative inverse) and vanish when nothing is extracted.

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

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import scipy.linalg

from tradelever.analysis.result import TableResult
from tradelever.errors import InputError, UnknownCountryError, UnknownProductError
from tradelever.sources.icio import IcioFiles, IcioNetwork

__all__ = [
    "SUPPLY_CHAIN_ASSUMPTIONS",
    "SUPPLY_CHAIN_COLUMNS",
    "ExtractionResult",
    "LeontiefModel",
    "direct_requirements",
    "embodied_value_added",
    "extract",
    "icio_model",
    "parse_industries",
    "supply_chain_result",
    "supply_chain_table",
    "value_added_coefficients",
]

MILLION: Final = 1_000_000.0

SUPPLY_CHAIN_COLUMNS: Final = (
    "industry",
    "description",
    "direct_deliveries_to_partner_usd",
    "direct_requirement",
    "total_requirement",
    "home_va_in_partner_output_usd",
    "home_va_in_partner_final_sales_usd",
    "partner_output_loss_usd",
    "partner_output_loss_share",
    "partner_loss_per_dollar_delivered",
    "home_output_loss_usd",
    "world_output_loss_usd",
)


def direct_requirements(A: np.ndarray, omb: np.ndarray) -> np.ndarray:
    """Direct requirements ``B = A diag(omb)`` (dimensionless, dollars per dollar of output).

    Parameters
    ----------
    A
        Buyer-column input shares (N x N), ``A[i, j] = F[i, j] / sum_i F[i, j]``.
    omb
        Intermediate cost share of each buyer (N), ``sum_i F[i, j] / s[j]``.

    Returns
    -------
    numpy.ndarray
        ``B[i, j] = A[i, j] * omb[j] = F[i, j] / s[j]``.
    """
    A = np.asarray(A, dtype=float)
    omb = np.asarray(omb, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or omb.shape != (A.shape[0],):
        raise InputError(f"A must be N x N and omb of length N; got {A.shape} and {omb.shape}")
    return A * omb[None, :]


def value_added_coefficients(omb: np.ndarray) -> np.ndarray:
    """Value added per dollar of model output, ``v = 1 - omb`` (dimensionless)."""
    return 1.0 - np.asarray(omb, dtype=float)


@dataclass(eq=False)
class LeontiefModel:
    """An input-output network with ``I - B`` factorised once (LU with partial pivoting).

    Build with :meth:`from_arrays` or :meth:`from_network`; use :func:`icio_model` for the
    embedded ``icio2022`` network (cached per process).

    Attributes
    ----------
    A, omb, s, z
        The network arrays (see the module docstring), monetary ones in the network's unit.
    countries, industries
        Code lists; ``node = industry_index * C + country_index``.
    industry_names
        Industry code -> description.
    unit
        US dollars per unit of the monetary arrays (1e6 for ``icio2022``).
    """

    A: np.ndarray
    omb: np.ndarray
    s: np.ndarray
    z: np.ndarray
    countries: tuple[str, ...]
    industries: tuple[str, ...]
    industry_names: dict[str, str] = field(default_factory=dict)
    unit: float = MILLION
    _lu: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        A: np.ndarray,
        omb: np.ndarray,
        s: np.ndarray,
        z: np.ndarray,
        countries: Sequence[str],
        industries: Sequence[str],
        *,
        industry_names: dict[str, str] | None = None,
        unit: float = MILLION,
    ) -> LeontiefModel:
        """Validate the arrays and return an (unfactorised) model.

        Raises
        ------
        InputError
            If shapes disagree with C x S nodes or values are negative or not finite.
        """
        countries = tuple(countries)
        industries = tuple(industries)
        n = len(countries) * len(industries)
        arrays = {
            "A": np.asarray(A, dtype=float),
            "omb": np.asarray(omb, dtype=float),
            "s": np.asarray(s, dtype=float),
            "z": np.asarray(z, dtype=float),
        }
        if arrays["A"].shape != (n, n):
            raise InputError(
                f"A: shape {arrays['A'].shape}, expected ({n}, {n}) for "
                f"{len(countries)} countries x {len(industries)} industries"
            )
        for key in ("omb", "s", "z"):
            if arrays[key].shape != (n,):
                raise InputError(f"{key}: shape {arrays[key].shape}, expected ({n},)")
        for key, values in arrays.items():
            if not np.all(np.isfinite(values)) or values.min() < 0:
                raise InputError(f"{key}: values must be finite and non-negative")
        if arrays["omb"].max() >= 1.0:
            raise InputError("omb: intermediate cost shares must be below 1")
        return cls(
            A=arrays["A"],
            omb=arrays["omb"],
            s=arrays["s"],
            z=arrays["z"],
            countries=countries,
            industries=industries,
            industry_names=dict(industry_names or {}),
            unit=unit,
        )

    @classmethod
    def from_network(cls, network: IcioNetwork) -> LeontiefModel:
        """Model of an :class:`~tradelever.sources.icio.IcioNetwork` (arrays shared, not copied)."""
        return cls(
            A=network.A,
            omb=network.omb,
            s=network.s,
            z=network.z,
            countries=tuple(network.countries),
            industries=tuple(network.industries),
            industry_names=dict(network.industry_names),
            unit=MILLION,
        )

    # -- shape helpers ----------------------------------------------------------------------
    @property
    def n_countries(self) -> int:
        """Number of countries C."""
        return len(self.countries)

    @property
    def n_nodes(self) -> int:
        """Number of nodes N = C * S."""
        return len(self.countries) * len(self.industries)

    def country_nodes(self, country: str, industries: Sequence[str] | None = None) -> np.ndarray:
        """Node indices of a country (all industries, or the given ones, in that order).

        Raises
        ------
        UnknownCountryError
            If the country is not in the network.
        UnknownProductError
            If an industry code is not in the network.
        InputError
            If ``industries`` is empty or repeats a code.
        """
        if country not in self.countries:
            raise UnknownCountryError(f"{country}: not one of the network's economies")
        c = self.countries.index(country)
        if industries is None:
            ks = np.arange(len(self.industries))
        else:
            ks = np.array([self.industry_index(code) for code in industries], dtype=int)
            if ks.size == 0 or len(set(ks.tolist())) != ks.size:
                raise InputError(
                    f"--industry: give distinct industry codes, got {list(industries)}"
                )
        return ks * self.n_countries + c

    def industry_index(self, code: str) -> int:
        """Position of an industry code; raises :class:`UnknownProductError` naming it."""
        try:
            return self.industries.index(code)
        except ValueError:
            raise UnknownProductError(
                f"--industry: {code!r} is not an industry of this network "
                f"(codes such as {', '.join(self.industries[:4])}, ...; "
                f"{len(self.industries)} in all)"
            ) from None

    def direct_block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``B[rows, cols]`` without forming B (dimensionless)."""
        return self.A[np.ix_(rows, cols)] * self.omb[cols][None, :]

    # -- the factorisation --------------------------------------------------------------
    @property
    def factors(self) -> tuple[np.ndarray, np.ndarray]:
        """LU factors of ``I - B`` (computed on first use, then kept)."""
        if self._lu is None:
            M = -direct_requirements(self.A, self.omb)
            M[np.diag_indices_from(M)] += 1.0
            self._lu = scipy.linalg.lu_factor(M, overwrite_a=True, check_finite=False)
        return self._lu

    def solve(self, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``L rhs`` (or ``L^T rhs``) with the stored factors; rhs is (N,) or (N, k)."""
        return scipy.linalg.lu_solve(
            self.factors,
            np.asarray(rhs, dtype=float),
            trans=1 if transpose else 0,
            check_finite=False,
        )

    def total_requirements(self, columns: np.ndarray) -> np.ndarray:
        """Columns of the Leontief inverse, ``L[:, columns]`` (N x len(columns)).

        Output of every node needed per dollar of final-demand sales of each column node.
        """
        columns = np.asarray(columns, dtype=int)
        E = np.zeros((self.n_nodes, len(columns)))
        E[columns, np.arange(len(columns))] = 1.0
        return self.solve(E)

    def output(self) -> np.ndarray:
        """Output implied by the model, ``L z`` (equals ``s`` for a consistent network)."""
        return self.solve(self.z)


# -- value added ---------------------------------------------------------------------------
def embodied_value_added(
    model: LeontiefModel, home: str, partner: str
) -> tuple[np.ndarray, np.ndarray]:
    """Home value added embodied in the partner's output and final-demand sales.

    Returns
    -------
    (va_out, va_fd)
        Arrays over home's industries (network unit):
        ``va_out[k] = v[h_k] * sum_{j in P} L[h_k, j] s[j]`` and
        ``va_fd[k] = v[h_k] * sum_{j in P} L[h_k, j] z[j]``, where ``h_k`` is home's node
        in industry k and P the partner's nodes. Two solves with the stored factors.
    """
    H = model.country_nodes(home)
    P = model.country_nodes(partner)
    rhs = np.zeros((model.n_nodes, 2))
    rhs[P, 0] = model.s[P]
    rhs[P, 1] = model.z[P]
    y = model.solve(rhs)
    v = value_added_coefficients(model.omb)[H]
    return v * y[H, 0], v * y[H, 1]


# -- hypothetical extraction ---------------------------------------------------------------
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


def _check_share(share: float) -> float:
    share = float(share)
    if not (0.0 <= share <= 1.0) or not np.isfinite(share):
        raise InputError(f"--share-lost: must be between 0 and 1, got {share}")
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
        The factorised network.
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
        module docstring (Woodbury update of the stored factors, m = len(industries)).
    """
    share = _check_share(share)
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


def _country_sum(model: LeontiefModel, vector: np.ndarray, country: str) -> float:
    return float(vector[model.country_nodes(country)].sum())


def supply_chain_table(
    model: LeontiefModel,
    home: str,
    partner: str,
    *,
    share: float = 1.0,
    industries: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Per home industry: deliveries, embodied VA and the extraction loss, ranked by loss.

    Each row extracts one home industry's deliveries to the partner on its own
    (Sherman-Morrison: ``c_k = share * B[h_k, P] L[P, h_k]``)::

        direct_deliveries_to_partner_usd   = F[h_k, P] 1
        direct_requirement                 = F[h_k, P] 1 / sum_{j in P} s[j]
        total_requirement                  = (L (z o 1_P))[h_k] / sum_{j in P} z[j]
        home_va_in_partner_output_usd      = v[h_k] (L (s o 1_P))[h_k]
        home_va_in_partner_final_sales_usd = v[h_k] (L (z o 1_P))[h_k]
        partner_output_loss_usd            = r_k' L (s o 1_P),  r_k = share B[h_k, P] / (1 + c_k)
        world_output_loss_usd              = r_k' L s
        home_output_loss_usd               = sum_{n in home} L[n, h_k] share F[h_k, P] 1 / (1 + c_k)
        partner_output_loss_share          = partner_output_loss_usd / sum_{j in P} s[j]

    Money in US dollars; ``direct_requirement`` is dollars of the home industry's output
    per dollar of the partner's output, ``total_requirement`` dollars of it (direct and
    indirect, through every country) per dollar of the partner's final-demand sales. Rows
    are ranked by ``partner_output_loss_usd``. The summary holds the joint extraction of
    every home industry (and of the selected ones, when given), with feedback, and the
    partner industries hit hardest.

    Returns
    -------
    (rows, summary)
    """
    share = _check_share(share)
    H = model.country_nodes(home)
    P = model.country_nodes(partner)
    usd = model.unit
    Bhp = share * model.direct_block(H, P)  # S x |P|
    benchmark_deliveries = model.direct_block(H, P) @ model.s[P]
    deliveries = share * benchmark_deliveries
    LH = model.total_requirements(H)  # N x S
    ck = np.einsum("kj,jk->k", Bhp, LH[P, :])  # diagonal of B[H,P] L[P,H]
    home_mask = np.zeros(model.n_nodes)
    home_mask[H] = 1.0
    rhs = np.zeros((model.n_nodes, 3))
    rhs[P, 0] = model.s[P]
    rhs[P, 1] = model.z[P]
    rhs[:, 2] = model.s
    y = model.solve(rhs)
    v = value_added_coefficients(model.omb)
    R = Bhp / (1.0 + ck)[:, None]  # rows: r_k restricted to P
    partner_loss = R @ y[P, 0]
    # world loss = r_k' L s; L s = s for a consistent network but use the solve.
    world_loss = R @ y[P, 2]
    home_loss = (LH[H, :].sum(axis=0)) * deliveries / (1.0 + ck)
    partner_output = float(model.s[P].sum())
    partner_final = float(model.z[P].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        per_dollar = np.where(deliveries > 0, partner_loss / deliveries, np.nan)
    codes = list(model.industries)
    rows = pd.DataFrame(
        {
            "industry": codes,
            "description": [model.industry_names.get(code, "") for code in codes],
            "direct_deliveries_to_partner_usd": benchmark_deliveries * usd,
            "direct_requirement": benchmark_deliveries / partner_output
            if partner_output > 0
            else np.nan,
            "total_requirement": y[H, 1] / partner_final if partner_final > 0 else np.nan,
            "home_va_in_partner_output_usd": v[H] * y[H, 0] * usd,
            "home_va_in_partner_final_sales_usd": v[H] * y[H, 1] * usd,
            "partner_output_loss_usd": partner_loss * usd,
            "partner_output_loss_share": partner_loss / partner_output
            if partner_output > 0
            else np.nan,
            "partner_loss_per_dollar_delivered": per_dollar,
            "home_output_loss_usd": home_loss * usd,
            "world_output_loss_usd": world_loss * usd,
        }
    )
    if industries is not None:
        keep = {codes[model.industry_index(code)] for code in industries}
        rows = rows[rows["industry"].isin(keep)]
    rows = rows.sort_values(
        ["partner_output_loss_usd", "industry"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)

    summary: dict[str, object] = {
        "partner_output_usd": partner_output * usd,
        "home_output_usd": float(model.s[H].sum()) * usd,
        "direct_deliveries_to_partner_usd": float(benchmark_deliveries.sum() * usd),
        "home_va_in_partner_output_usd": float((v[H] * y[H, 0]).sum() * usd),
        "home_va_in_partner_final_sales_usd": float((v[H] * y[H, 1]).sum() * usd),
        "partner_final_sales_usd": float(model.z[P].sum() * usd),
    }
    joint = {"all_industries": None}
    if industries is not None:
        joint["selected_industries"] = list(industries)
    for key, selection in joint.items():
        res = extract(model, home, partner, selection, share=share)
        summary[key] = _extraction_summary(model, res, home, partner)
    return rows, summary


def _extraction_summary(
    model: LeontiefModel, res: ExtractionResult, home: str, partner: str
) -> dict[str, object]:
    usd = model.unit
    P = model.country_nodes(partner)
    partner_output = float(model.s[P].sum())
    buyer_p = _country_sum(model, res.buyer_side_loss, partner)
    hit = res.buyer_side_loss[P]
    order = np.argsort(-hit, kind="stable")[:5]
    return {
        "industries": "all"
        if len(res.home_nodes) == len(model.industries)
        else [model.industries[int(h) // model.n_countries] for h in res.home_nodes],
        "share_lost": res.share,
        "deliveries_removed_usd": float(res.deliveries.sum() * usd),
        "partner_output_loss_usd": buyer_p * usd,
        "partner_output_loss_share": buyer_p / partner_output if partner_output > 0 else None,
        "home_output_loss_usd": _country_sum(model, res.seller_side_loss, home) * usd,
        "world_output_loss_buyer_side_usd": float(res.buyer_side_loss.sum() * usd),
        "world_output_loss_seller_side_usd": float(res.seller_side_loss.sum() * usd),
        "partner_industries_hit_most": [
            {
                "industry": model.industries[int(P[i]) // model.n_countries],
                "output_loss_usd": float(hit[i] * usd),
                "output_loss_share": float(hit[i] / model.s[P[i]]) if model.s[P[i]] > 0 else None,
            }
            for i in order
            if hit[i] > 0
        ],
    }


# -- the embedded network, cached per process -------------------------------------------
_CACHE: dict[tuple[str, int, int], LeontiefModel] = {}
_LOCK = threading.Lock()


def icio_model(files: IcioFiles | None = None) -> LeontiefModel:
    """The embedded ``icio2022`` network, loaded and factorised once per process.

    The cache key is the array file's path, size and modification time, so a reinstalled
    ``sanction-simulator`` is picked up. Loading takes about 0.6 s and the factorisation
    2-5 s (see ``benchmarks/supply_chain_icio.py``); later calls return the same model.

    Raises
    ------
    DataFileError
        If the packaged network is missing or fails validation.
    """
    from tradelever.sources import icio

    located = files if files is not None else icio.locate_icio_files()
    npz = Path(located.npz)
    stat = npz.stat()
    key = (str(npz), stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            network = icio.load_icio(located)
            model = LeontiefModel.from_network(network)
            _ = model.factors
            _CACHE.clear()
            _CACHE[key] = model
    return model


SUPPLY_CHAIN_ASSUMPTIONS: Final = (
    "intermediate goods only: the network's bilateral flows are intermediate deliveries; "
    "final-demand purchases are not split by origin",
    "direct requirements B = A diag(omb) (B[i,j] = F[i,j]/s[j]) and total requirements "
    "L = (I - B)^-1, factorised once (LU) and solved per query; s = L z",
    "home VA embodied = v[h] * (L x_P)[h] with v = 1 - omb (value added per dollar of model "
    "output) and x_P the partner's gross output or final-demand sales; VA in gross output "
    "counts home VA once per partner production stage it passes through",
    "the network holds final-demand sales by node, not bilateral final demand: VA 'in the "
    "partner's final demand' is approximated by VA embodied in the final-demand sales of the "
    "partner's industries (to any destination)",
    "partner_output_loss: supply-driven (Ghosh) hypothetical extraction of home's deliveries "
    "to every partner industry, primary inputs fixed, no substitution, no rerouting, no "
    "leakage: the partner loses the inputs and the output made with them downstream, in "
    "value terms (loss = s o L'r)",
    "home_output_loss: demand-driven (Leontief) hypothetical extraction of the same cells, "
    "final demand fixed: home loses the sales and the upstream output that produced them "
    "(loss = L[:,H] g)",
    "each row extracts one home industry on its own (Sherman-Morrison); the summary's "
    "all_industries block extracts them jointly (Woodbury), so rows do not add up to it "
    "exactly",
    "no rerouting and no leakage: overstates the loss when other suppliers and buyers can "
    "replace home; linear in values: understates the partner's loss when the lost inputs "
    "are complements (bottlenecks); sanction-simulator's rerouting model with CES "
    "complements (tau = 0.3, delta = 0.1) falls between share_lost = tau (1 - delta) = 0.27 "
    "and share_lost = 1 for MYS -> USA (benchmarks/network_vs_sanction_simulator.py)",
)


def parse_industries(industry: str | Sequence[str] | None) -> list[str] | None:
    """Split ``"C26,C22"`` (or a list of such strings) into codes; ``None`` for all."""
    if industry is None:
        return None
    items = [industry] if isinstance(industry, str) else list(industry)
    codes = [c.strip().upper() for item in items for c in str(item).split(",") if c.strip()]
    if not codes:
        raise InputError("--industry: give one or more ICIO industry codes, e.g. C26")
    return list(dict.fromkeys(codes))


def supply_chain_result(
    model: LeontiefModel,
    home: str,
    partner: str,
    *,
    industries: Sequence[str] | None = None,
    share: float = 1.0,
    dataset: str,
    year: int,
    provenance: dict[str, object],
    assumptions: Sequence[str] = (),
) -> TableResult:
    """The supply-chain table as a :class:`TableResult` (see :func:`supply_chain_table`).

    Raises
    ------
    InputError
        If ``home`` equals ``partner`` or ``share`` is outside [0, 1].
    UnknownCountryError, UnknownProductError
        If a country or industry code is not in the network.
    """
    for name, code in (("home", home), ("--partner", partner)):
        if code not in model.countries:
            raise UnknownCountryError(f"{name}: {code} is not in the network")
    if home == partner:
        raise InputError(f"--partner: must differ from home ({home})")
    if industries is not None:
        industries = [model.industries[model.industry_index(c)] for c in industries]
    rows, summary = supply_chain_table(model, home, partner, share=share, industries=industries)
    notes = list(dict.fromkeys(assumptions))
    has_scope = any(a.startswith("intermediate goods only") for a in notes)
    notes += [
        a
        for a in SUPPLY_CHAIN_ASSUMPTIONS
        if a not in notes and not (has_scope and a.startswith("intermediate goods only"))
    ]
    if share < 1.0:
        notes.append(
            f"share_lost = {share}: only that fraction of home's deliveries is removed "
            "(e.g. tau * (1 - delta) = 0.27 for sanction-simulator's unreplaceable share)"
        )
    return TableResult(
        kind="supply_chain",
        params={
            "home": home,
            "partner": partner,
            "dataset": dataset,
            "year": year,
            "level": "industry",
            "industry": list(industries) if industries is not None else None,
            "share_lost": share,
        },
        rows=rows,
        provenance=dict(provenance),
        assumptions=notes,
        columns=SUPPLY_CHAIN_COLUMNS,
        summary=summary,
    )

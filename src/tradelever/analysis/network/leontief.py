r"""Leontief algebra: direct and total requirements, value added, and where ``L`` comes from.

Notation in :mod:`tradelever.analysis.network`. Every query needs a few blocks of the
total requirements ``L = (I - B)^-1``: the columns of home's and the partner's nodes
and the partner's rows (50 x 4,000 each for ``icio2022``), and one block of ``B``. Two
sources give them, with the same interface (:class:`Requirements`):

:class:`FactorisedRequirements`
    ``I - B`` LU-factorised in memory (:func:`scipy.linalg.lu_factor`, 1.6-2 s for
    N = 4000 on a quiet machine, 122 MiB) and solved for the right-hand sides a query
    needs; for networks built in memory (tests, hand-made networks).
:class:`StoredRequirements`
    ``L`` and ``B`` computed once per data-set version (:func:`write_requirements`: one
    factorisation, then ``L``'s rows solved country by country) and kept in the store
    as C x C grids of S x S blocks, ``L_blocks[a, b][k, l] = L[k C + a, l C + b]``
    (:mod:`tradelever.store.arrays`: read with positioned reads, every block checked
    against its CRC-32). A query reads the C blocks of one country's columns (scattered,
    20 KB each) or of its rows (contiguous): 1.6 MB instead of the 122 MiB factorisation,
    with no SciPy and no factorisation in the process.

Why the inverse and not the LU factors on disk (``benchmarks/supply_chain_icio.py
--storage`` measures them side by side, each a cold process computing the MYS -> USA
table): the dense LU factors are as large as ``L`` (122 MiB) but every triangular solve
reads all of them and needs SciPy, so a cold process took 1.8x the time and 2.1x the peak
memory of one reading blocks of ``L`` (3.6 s, 256 MiB against 2.0 s, 121 MiB; refactorising
in every process: 13.3 s, 500 MiB; load average 11 on 2 cores). SuperLU's sparse factors
of this 61%-dense ``B`` are larger than the dense ones (13.4-14.3 M non-zeros in L + U,
153-164 MiB), take 14-87 s to compute, and SciPy cannot rebuild a solver from saved
factors. ``L`` from the factors equals the solves with them to rounding (relative 2e-15
on every figure of the supply-chain table).

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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from tradelever.errors import InputError

if TYPE_CHECKING:
    from tradelever.analysis.network.model import LeontiefModel
    from tradelever.store.arrays import ArrayWriter, BlockArray

__all__ = [
    "FactorisedRequirements",
    "Requirements",
    "StoredRequirements",
    "direct_requirements",
    "embodied_value_added",
    "value_added_coefficients",
    "write_requirements",
]

#: Names of the block arrays in the store's cache.
TOTAL: Final = "total"
DIRECT: Final = "direct"


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


def _unit_columns(n: int, nodes: np.ndarray) -> np.ndarray:
    E = np.zeros((n, len(nodes)))
    E[nodes, np.arange(len(nodes))] = 1.0
    return E


class Requirements(Protocol):
    """Blocks of ``B`` and ``L = (I - B)^-1`` of an N-node network."""

    n_nodes: int

    def direct(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``B[rows, cols]`` (dimensionless)."""
        ...

    def columns(self, nodes: np.ndarray) -> np.ndarray:
        """``L[:, nodes]``, N x len(nodes)."""
        ...

    def rows(self, nodes: np.ndarray) -> np.ndarray:
        """``L[nodes, :]``, len(nodes) x N."""
        ...

    def solve(self, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``L rhs`` (or ``L' rhs``); rhs is (N,) or (N, k)."""
        ...


class FactorisedRequirements:
    """``I - B`` LU-factorised in memory on first use (partial pivoting, LAPACK ``getrf``).

    Parameters
    ----------
    A, omb
        The network's input shares (N x N) and intermediate cost shares (N).
    """

    def __init__(self, A: np.ndarray, omb: np.ndarray) -> None:
        self.A = A
        self.omb = omb
        self.n_nodes = int(A.shape[0])
        self._lu: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def factors(self) -> tuple[np.ndarray, np.ndarray]:
        """LU factors of ``I - B`` (computed on first use, then kept)."""
        if self._lu is None:
            import scipy.linalg

            M = -direct_requirements(self.A, self.omb)
            M[np.diag_indices_from(M)] += 1.0
            self._lu = scipy.linalg.lu_factor(M, overwrite_a=True, check_finite=False)
        return self._lu

    def direct(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``B[rows, cols]`` without forming B."""
        return self.A[np.ix_(rows, cols)] * self.omb[cols][None, :]

    def solve(self, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``L rhs`` (or ``L' rhs``) with the stored factors."""
        import scipy.linalg

        return scipy.linalg.lu_solve(  # type: ignore[no-any-return]
            self.factors,
            np.asarray(rhs, dtype=float),
            trans=1 if transpose else 0,
            check_finite=False,
        )

    def columns(self, nodes: np.ndarray) -> np.ndarray:
        """``L[:, nodes] = L E`` (one solve per column)."""
        return self.solve(_unit_columns(self.n_nodes, np.asarray(nodes, dtype=int)))

    def rows(self, nodes: np.ndarray) -> np.ndarray:
        """``L[nodes, :] = (L' E)'`` (one transposed solve per row)."""
        E = _unit_columns(self.n_nodes, np.asarray(nodes, dtype=int))
        return self.solve(E, transpose=True).T


class StoredRequirements:
    """Blocks of ``L`` and ``B`` read from the store's per-version cache.

    ``total[a, b][k, l] = L[k C + a, l C + b]`` and ``direct[a, b][k, l] = B[k C + a,
    l C + b]`` for countries a, b and industries k, l.

    Parameters
    ----------
    total, direct
        The two C x C x S x S block arrays (:class:`tradelever.store.arrays.BlockArray`).
    """

    def __init__(self, total: BlockArray, direct: BlockArray) -> None:
        C, C2, S, S2 = total.shape
        if C != C2 or S != S2 or tuple(direct.shape) != (C, C, S, S):
            raise ValueError(f"block arrays of shape {total.shape} and {direct.shape}")
        self.total = total
        self.direct_blocks = direct
        self.n_countries = C
        self.n_industries = S
        self.n_nodes = C * S

    def _split(self, nodes: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(country, positions in ``nodes``, industries) for each country in ``nodes``."""
        nodes = np.asarray(nodes, dtype=int)
        countries = nodes % self.n_countries
        return [
            (int(c), np.flatnonzero(countries == c), nodes[countries == c] // self.n_countries)
            for c in np.unique(countries)
        ]

    def columns(self, nodes: np.ndarray) -> np.ndarray:
        """``L[:, nodes]``: the blocks ``total[:, b]`` of each country b in ``nodes``."""
        N, S = self.n_nodes, self.n_industries
        out = np.empty((N, len(nodes)))
        for b, where, ls in self._split(nodes):
            blocks = self.total.grid_column(b)  # [a, k, l] = L[k C + a, l C + b]
            out[:, where] = blocks.transpose(1, 0, 2).reshape(N, S)[:, ls]
        return out

    def rows(self, nodes: np.ndarray) -> np.ndarray:
        """``L[nodes, :]``: the blocks ``total[a, :]`` of each country a in ``nodes``."""
        N, S = self.n_nodes, self.n_industries
        out = np.empty((len(nodes), N))
        for a, where, ks in self._split(nodes):
            blocks = self.total.grid_row(a)  # [b, k, l] = L[k C + a, l C + b]
            out[where, :] = blocks.transpose(1, 2, 0).reshape(S, N)[ks, :]
        return out

    def direct(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``B[rows, cols]``: one block per pair of countries."""
        out = np.empty((len(rows), len(cols)))
        for a, ri, ks in self._split(rows):
            for b, ci, ls in self._split(cols):
                out[np.ix_(ri, ci)] = self.direct_blocks.block(a, b)[np.ix_(ks, ls)]
        return out

    def solve(self, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``L rhs = L[:, J] rhs[J]`` over the rows J where rhs is not zero (``L'``: rows J)."""
        rhs = np.asarray(rhs, dtype=float)
        flat = rhs.reshape(self.n_nodes, -1)
        support = np.flatnonzero(np.any(flat != 0.0, axis=1))
        if transpose:
            out = self.rows(support).T @ flat[support]
        else:
            out = self.columns(support) @ flat[support]
        return out.reshape(rhs.shape)


def write_requirements(
    writer: ArrayWriter,
    A: np.ndarray,
    omb: np.ndarray,
    n_countries: int,
    n_industries: int,
    *,
    overwrite_a: bool = False,
) -> None:
    """Compute ``L`` and ``B`` of a network and write them as C x C grids of S x S blocks.

    ``B``'s rows of blocks are written first; then ``M = I - B`` is formed (in A's memory
    when ``overwrite_a``) and its transpose LU-factorised in place (``M`` in C order is
    ``M'`` in Fortran order, so LAPACK needs no copy); for each country a the rows
    ``L[nodes(a), :] = ((M')^-1 E_a)'`` (S solves) are written as the row of blocks ``a``.
    Peak memory: A and one N x N work array (A alone with ``overwrite_a``); the blocks are
    streamed to their files.

    Parameters
    ----------
    writer
        The cache copy being built (:class:`tradelever.store.arrays.ArrayWriter`).
    A, omb
        Input shares (N x N) and intermediate cost shares (N); nodes sector-major.
    n_countries, n_industries
        C and S, with N = C * S.
    overwrite_a
        Use A as the work array (A is destroyed).
    """
    import scipy.linalg

    C, S = n_countries, n_industries
    N = C * S
    if A.shape != (N, N) or omb.shape != (N,):
        raise InputError(f"A must be {N} x {N} and omb of length {N}")
    industries = np.arange(S)

    def blocks(rows: np.ndarray) -> np.ndarray:
        # rows[k, l C + b] -> blocks [b, k, l]
        return rows.reshape(S, S, C).transpose(2, 0, 1)

    direct = writer.grid(DIRECT, (C, C), (S, S))
    for a in range(C):
        nodes = industries * C + a
        direct.row(a, blocks(A[nodes, :] * omb[None, :]))
    M = np.ascontiguousarray(A, dtype=float) if overwrite_a else np.array(A, dtype=float)
    M *= omb[None, :]
    np.negative(M, out=M)
    M[np.diag_indices_from(M)] += 1.0  # M = I - B (C order)
    lu_t = scipy.linalg.lu_factor(M.T, overwrite_a=True, check_finite=False)  # of M'
    del M
    total = writer.grid(TOTAL, (C, C), (S, S))
    for a in range(C):
        nodes = industries * C + a
        # (M')^-1 E_a = (M^-1)' E_a = L[nodes, :]'
        L_rows = scipy.linalg.lu_solve(lu_t, _unit_columns(N, nodes), check_finite=False).T
        total.row(a, blocks(L_rows))


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
        in industry k and P the partner's nodes (the partner's columns of L).
    """
    H = model.country_nodes(home)
    P = model.country_nodes(partner)
    rhs = np.zeros((model.n_nodes, 2))
    rhs[P, 0] = model.s[P]
    rhs[P, 1] = model.z[P]
    y = model.solve(rhs)
    v = value_added_coefficients(model.omb)[H]
    return v * y[H, 0], v * y[H, 1]

"""The input-output network as a model: its vectors, codes, node look-ups and requirements.

A :class:`LeontiefModel` holds what every query reads whole (output ``s``, final-demand
sales ``z``, intermediate cost shares ``omb``, the code lists) and a source of blocks of
``B`` and ``L`` (:mod:`tradelever.analysis.network.leontief`):

- :meth:`LeontiefModel.from_arrays` and :meth:`LeontiefModel.from_network` keep the
  arrays in memory and factorise ``I - B`` on first use (hand-made networks, tests);
- :func:`stored_model` loads the network of a data set from the store's per-version cache
  (:mod:`tradelever.store.arrays`), building it on first use: the embedded ``icio2022``
  arrays are read, checked against the data set's sha256, factorised once and written as
  blocks of ``L`` and ``B`` (once per data-set version: 256 MB on disk, 6-35 s on 2 cores
  depending on their load);
  every later process reads the 1.6 MB it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from tradelever.analysis.network.leontief import (
    DIRECT,
    TOTAL,
    FactorisedRequirements,
    Requirements,
    StoredRequirements,
    write_requirements,
)
from tradelever.checksums import file_sha256
from tradelever.errors import DataFileError, InputError, UnknownCountryError, UnknownProductError

if TYPE_CHECKING:
    from tradelever.sources.icio import IcioNetwork
    from tradelever.store.arrays import ArrayWriter
    from tradelever.store.catalog import Store

__all__ = ["LEONTIEF_KIND", "LEONTIEF_VERSION", "MILLION", "LeontiefModel", "stored_model"]

MILLION: Final = 1_000_000.0
#: Name and definition version of the cached arrays (bump the version when they change).
LEONTIEF_KIND: Final = "leontief"
LEONTIEF_VERSION: Final = 1


@dataclass(eq=False)
class LeontiefModel:
    """An input-output network with its direct and total requirements.

    Build with :meth:`from_arrays` or :meth:`from_network` (in memory), or load a data set's
    with :func:`stored_model` (cached on disk per data-set version).

    Attributes
    ----------
    omb, s, z
        Intermediate cost shares, output and final-demand sales (N), monetary ones in the
        network's unit.
    countries, industries
        Code lists; ``node = industry_index * C + country_index``.
    requirements
        Blocks of ``B`` and ``L`` (:class:`~tradelever.analysis.network.leontief.Requirements`).
    industry_names
        Industry code -> description.
    unit
        US dollars per unit of the monetary arrays (1e6 for ``icio2022``).
    """

    omb: np.ndarray
    s: np.ndarray
    z: np.ndarray
    countries: tuple[str, ...]
    industries: tuple[str, ...]
    requirements: Requirements = field(repr=False)
    industry_names: dict[str, str] = field(default_factory=dict)
    unit: float = MILLION

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
        """Validate the arrays and return a model (factorised in memory on first use).

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
            omb=arrays["omb"],
            s=arrays["s"],
            z=arrays["z"],
            countries=countries,
            industries=industries,
            requirements=FactorisedRequirements(arrays["A"], arrays["omb"]),
            industry_names=dict(industry_names or {}),
            unit=unit,
        )

    @classmethod
    def from_network(cls, network: IcioNetwork) -> LeontiefModel:
        """Model of an :class:`~tradelever.sources.icio.IcioNetwork` (arrays shared, not copied)."""
        return cls(
            omb=network.omb,
            s=network.s,
            z=network.z,
            countries=tuple(network.countries),
            industries=tuple(network.industries),
            requirements=FactorisedRequirements(network.A, network.omb),
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
                    f"give distinct industry codes, got {list(industries)}", parameter="industry"
                )
        return ks * self.n_countries + c

    def industry_index(self, code: str) -> int:
        """Position of an industry code; raises :class:`UnknownProductError` naming it."""
        try:
            return self.industries.index(code)
        except ValueError:
            raise UnknownProductError(
                f"{code!r} is not an industry of this network "
                f"(codes such as {', '.join(self.industries[:4])}, ...; "
                f"{len(self.industries)} in all)",
                parameter="industry",
            ) from None

    # -- requirements -------------------------------------------------------------------------
    def direct_block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``B[rows, cols]`` without forming B (dimensionless)."""
        return self.requirements.direct(np.asarray(rows, dtype=int), np.asarray(cols, dtype=int))

    def total_requirements(self, columns: np.ndarray) -> np.ndarray:
        """Columns of the Leontief inverse, ``L[:, columns]`` (N x len(columns)).

        Output of every node needed per dollar of final-demand sales of each column node.
        """
        return self.requirements.columns(np.asarray(columns, dtype=int))

    def total_rows(self, rows: np.ndarray) -> np.ndarray:
        """Rows of the Leontief inverse, ``L[rows, :]`` (len(rows) x N).

        Output of each row node needed per dollar of final-demand sales of every node.
        """
        return self.requirements.rows(np.asarray(rows, dtype=int))

    def solve(self, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """``L rhs`` (or ``L' rhs``); rhs is (N,) or (N, k)."""
        return self.requirements.solve(rhs, transpose=transpose)

    def output(self) -> np.ndarray:
        """Output implied by the model, ``L z`` (equals ``s`` for a consistent network)."""
        return self.solve(self.z)


# -- the network of a data set, cached per version ---------------------------------------------
def _icio_network(manifest: Mapping[str, Any]) -> IcioNetwork:
    """The arrays a data set was built from, checked against its manifest's sha256.

    Raises
    ------
    DataFileError
        If the manifest lists no array file, or the file changed since the data set was
        prepared.
    """
    from tradelever.sources import icio

    name = str(manifest.get("name"))
    paths = [Path(str(entry["path"])) for entry in manifest.get("files") or [] if "path" in entry]
    if len(paths) != 3 or paths[0].suffix != ".npz":
        raise InputError(
            f"{name} is not an input-output network the supply-chain model can read "
            "(only the embedded icio2022)",
            parameter="dataset",
        )
    files = icio.IcioFiles(*paths)
    for path in paths:
        if not path.is_file():
            raise DataFileError(
                f"the array file of data set {name} is missing; reinstall it with: "
                "pip install --force-reinstall 'sanction-simulator>=0.1.4'",
                path=str(path),
            )
    if file_sha256(files.npz) != manifest.get("sha256"):
        raise DataFileError(
            f"the file changed since data set {name} was prepared (sha256 differs from its "
            "manifest); run the command again to prepare the data set from it",
            path=str(files.npz),
        )
    return icio.load_icio(files)


def _write_network(writer: ArrayWriter, network: IcioNetwork) -> None:
    C, S = len(network.countries), len(network.industries)
    # A is not needed after this: its memory is the work array of the factorisation
    write_requirements(writer, network.A, network.omb, C, S, overwrite_a=True)
    writer.vector("omb", network.omb)
    writer.vector("s", network.s)
    writer.vector("z", network.z)
    writer.meta.update(
        countries=list(network.countries),
        industries=list(network.industries),
        industry_names={k: network.industry_names.get(k, "") for k in network.industries},
        unit=MILLION,
    )


def stored_model(store: Store, dataset: str) -> LeontiefModel:
    """The network of ``dataset`` with ``L`` and ``B`` from the store's per-version cache.

    The first use of a data-set version reads its arrays, factorises ``I - B`` once and
    writes the blocks of ``L`` and ``B`` (:func:`~tradelever.analysis.network.leontief.
    write_requirements`); later uses, in any process, read only the
    blocks a query needs, each checked against its checksum. A new version of the data set
    gets a new copy and the old one is removed.

    Raises
    ------
    UnknownDatasetError
        If the data set is not in the store.
    InputError
        If the data set is not an input-output network (``parameter == "dataset"``).
    DataFileError
        If the network's array file is missing or changed since the data set was prepared.
    StoreError
        If the cache cannot be written or read back.
    """
    from tradelever.store.arrays import derived_arrays

    manifest = store.manifest(dataset)
    if manifest.get("level") != "industry":
        raise InputError(
            f"{dataset} is not an input-output network (level {manifest.get('level')!r})",
            parameter="dataset",
        )

    def build(writer: ArrayWriter) -> None:
        _write_network(writer, _icio_network(manifest))

    arrays = derived_arrays(store, dataset, LEONTIEF_KIND, LEONTIEF_VERSION, build)
    meta = arrays.meta
    return LeontiefModel(
        omb=arrays.vector("omb"),
        s=arrays.vector("s"),
        z=arrays.vector("z"),
        countries=tuple(meta["countries"]),
        industries=tuple(meta["industries"]),
        requirements=StoredRequirements(arrays.grid(TOTAL), arrays.grid(DIRECT)),
        industry_names=dict(meta["industry_names"]),
        unit=float(meta["unit"]),
    )

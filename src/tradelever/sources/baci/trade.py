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
    MAX_VALUE_USD,
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


#: Messages shared with the engine path (tradelever.sources.baci.convert).
NOT_FINITE_USD: Final = "value is not finite once converted to US dollars (v is in thousands)"
TOO_LARGE: Final = (
    f"value exceeds the plausible maximum of one flow, US${MAX_VALUE_USD:.0e} (v is in "
    "thousands of US dollars: a file in dollars or a corrupted field)"
)


class TradeRules:
    """The rules a BACI trade line must satisfy, for one file (year, dictionary).

    Numbers are read as a CSV reader reads them (``+5``, ``.5``, ``1e3`` and surrounding
    spaces are numbers; ``1_000`` is not); codes must be written exactly as in the file
    name (``t``) and the release's country dictionary (``i``, ``j``: ``458``, not ``0458``,
    ``458.0`` or `` 458``), so that the engine path, which matches them as text, and this
    reader agree on every line.
    """

    def __init__(self, year: int, countries: CountryDictionary) -> None:
        self.year = year
        self.countries = countries
        self.year_text = str(year)
        table = countries.table
        index = {c: n for n, c in enumerate(countries.codes)}
        self.code_index: dict[str, int] = {
            str(int(b)): index[iso3]
            for b, iso3 in zip(table["baci_code"], table["iso3"], strict=True)
        }
        self.code_number: dict[str, int] = {str(int(b)): int(b) for b in table["baci_code"]}

    def year_fault(self, value: str) -> str | None:
        """Message for a ``t`` value, or None when it is the file's year."""
        if value == self.year_text:
            return None
        if value in _MISSING_Q:
            return "missing value"
        if _INT_RE.match(value.strip()):
            if int(value) == self.year:
                return f"year is not written as {self.year}"
            return f"year does not match the file name ({self.year})"
        return "year is not an integer"

    def code_fault(self, value: str, role: str) -> str | None:
        """Message for an ``i`` or ``j`` value, or None when the dictionary has it."""
        if value in self.code_index:
            return None
        if value in _MISSING_Q:
            return "missing value"
        stripped = value.strip()
        if not _INT_RE.match(stripped):
            return f"{role} code is not an integer"
        if str(int(stripped)) in self.code_index:
            return f"{role} code is not written as in the dictionary ({int(stripped)})"
        return f"{role} code is not in the release's country dictionary {self.countries.source}"

    @staticmethod
    def value_fault(v: float) -> str | None:
        """Message for a parsed ``v`` (thousands of US dollars), or None."""
        if not np.isfinite(v):
            return "value is not a finite number"
        if v < 0:
            return "value is negative"
        usd = to_usd(v)
        if not np.isfinite(usd):
            return NOT_FINITE_USD
        if usd > MAX_VALUE_USD:
            return TOO_LARGE
        return None

    @staticmethod
    def quantity_fault(q: float) -> str | None:
        """Message for a parsed, present ``q`` (metric tons), or None."""
        if not np.isfinite(q):
            return "quantity is not a finite number"
        if q < 0:
            return "quantity is negative"
        return None


def to_usd(thousands: Any) -> Any:
    """BACI's thousands of US dollars in US dollars, rounded to 0.001 dollar.

    ``round(v * 1e6) / 1000`` with ties away from zero, bit for bit what the engine path
    computes (DuckDB's ``round`` is C's ``round``); for BACI's three-decimal values it is
    exactly ``1000 * v``. Works on floats and numpy arrays.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # 1e306 thousand dollars is inf
        x = np.asarray(thousands, dtype=float) * 1e6
        whole = np.trunc(x)
        rounded = whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0.0)
    out = np.where(np.isfinite(x), rounded, x) / 1000.0
    return float(out) if out.ndim == 0 else out


def _shown(value: str, limit: int = 40) -> str:
    """``repr`` of a value, shortened for messages (a field may be megabytes long)."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


def check_header(member: BaciMember) -> None:
    """Refuse a trade file whose first line is not ``t,i,j,k,v,q`` (a BOM is allowed)."""
    with member.open() as handle:
        first = handle.readline(4096)
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    names = [c.strip().strip('"') for c in text.split(",")]
    if tuple(names) != TRADE_COLUMNS:
        raise DataFileError(
            f"unexpected header {_shown(text)}; expected {','.join(TRADE_COLUMNS)}",
            path=member.display,
            line=1,
        )


def _split(text: str) -> list[str]:
    """Fields of one CSV line (``csv`` rules; plain split when a field is huge)."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:  # "field larger than field limit": no quoting in such a line matters
        return text.split(",")


class TradeFileReader:
    """Stream one yearly BACI trade file as validated canonical Arrow batches.

    This is the reference reader: it applies every rule line by line semantics (vectorised
    per block) and names the first offending line. ``tradelever.store.ingest`` converts
    files with the multi-threaded engine path (:mod:`tradelever.sources.baci.convert`) and
    uses this reader only to locate the line that made the engine path fail.

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

    Raises
    ------
    DataFileError
        (while iterating) On the first malformed line, naming file, line, field and value;
        on a file with a header and no rows.
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
        self.rules = TradeRules(year, countries)
        self._pad: dict[str, str | None] = {}

    # -- header -----------------------------------------------------------------------
    def _check_header(self) -> None:
        check_header(self.member)

    # -- streaming --------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        """Yield canonical ``pyarrow.RecordBatch`` objects (schema :func:`flow_schema`)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        self._check_header()
        text = pa.dictionary(pa.int32(), pa.string())
        read_options = pacsv.ReadOptions(
            column_names=list(TRADE_COLUMNS), skip_rows=1, block_size=self.block_size
        )
        parse_options = pacsv.ParseOptions(ignore_empty_lines=False)
        convert_options = pacsv.ConvertOptions(
            column_types={
                "t": text,
                "i": text,
                "j": text,
                "k": text,
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
        if self.rows == 0:
            raise DataFileError(
                "no data rows (header only): the file is truncated; BACI has millions of "
                "rows a year",
                path=self.member.display,
            )

    # -- validation and conversion ----------------------------------------------------
    def _fail(self, fault: _Fault) -> DataFileError:
        line = self.rows + fault.row + 2
        value: str | None = None
        raw = self._raw_line(line)
        if raw is not None:  # show the value exactly as written in the file
            fields = _split(raw)
            if fault.field in TRADE_COLUMNS and len(fields) == len(TRADE_COLUMNS):
                value = fields[TRADE_COLUMNS.index(fault.field)]
            elif fault.field not in TRADE_COLUMNS:
                value = raw
        return DataFileError(
            f"{fault.message} (value {'None' if value is None else _shown(value)})",
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

        n = batch.num_rows
        faults: list[_Fault] = []

        def first(mask: np.ndarray, order: int, name: str, message: str) -> None:
            """Record the first row flagged by ``mask`` (the value is read back at failure)."""
            if mask.any():
                faults.append(_Fault(int(np.argmax(mask)), order, name, message))

        def dictionary_of(column: Any) -> Any:
            return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

        def check_values(column: Any, order: int, name: str, check: Any) -> np.ndarray:
            """Check each distinct value of a dictionary column once; flag its rows."""
            codes = column.indices.to_numpy()
            for idx, value in enumerate(column.dictionary.to_pylist()):
                message = check(value)
                if message is not None:
                    first(codes == idx, order, name, message)
            return codes

        cols = {name: batch.column(name) for name in TRADE_COLUMNS}
        for name in ("t", "i", "j", "k"):
            cols[name] = dictionary_of(cols[name])
        v_null = cols["v"].is_null().to_numpy(zero_copy_only=False)
        q_null = cols["q"].is_null().to_numpy(zero_copy_only=False)
        empty = v_null & q_null
        for name in ("t", "i", "j", "k"):
            blank = np.array([x == "" for x in cols[name].dictionary.to_pylist()], dtype=bool)
            empty &= blank[cols[name].indices.to_numpy()] if blank.size else False
        first(empty, -1, "t,i,j,k,v,q", _EMPTY_LINE)
        rules = self.rules
        check_values(cols["t"], 0, "t", rules.year_fault)
        indices = {}
        lookup = []
        for order, name, role in ((1, "i", "exporter"), (2, "j", "importer")):
            column = cols[name]
            codes = check_values(column, order, name, lambda x, r=role: rules.code_fault(x, r))
            values = column.dictionary.to_pylist()
            mapped = np.array([rules.code_index.get(x, -1) for x in values], dtype=np.int32)
            lookup.append((codes, [rules.code_number.get(x) for x in values]))
            indices[name] = mapped[codes] if len(values) else np.zeros(0, np.int32)
        k = cols["k"]
        values = k.dictionary.to_pylist()
        padded = [self._padded(v) for v in values]
        k_idx = k.indices.to_numpy()
        for idx, (value, pad) in enumerate(zip(values, padded, strict=True)):
            if pad is None:
                message = (
                    "missing value"
                    if value in _MISSING_Q
                    else ("product code is not an HS 6-digit code")
                )
                first(k_idx == idx, 3, "k", message)
        first(v_null, 4, "v", "missing value")
        vv = cols["v"].to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore", over="ignore"):
            usd = to_usd(vv)
            first(~v_null & ~np.isfinite(vv), 4, "v", "value is not a finite number")
            first(vv < 0, 4, "v", "value is negative")
            first(np.isfinite(vv) & ~np.isfinite(usd), 4, "v", NOT_FINITE_USD)
            first(np.isfinite(usd) & (usd > MAX_VALUE_USD), 4, "v", TOO_LARGE)
        if not q_null.all():
            qv = cols["q"].to_numpy(zero_copy_only=False)
            with np.errstate(invalid="ignore"):
                first(~q_null & ~np.isfinite(qv), 5, "q", "quantity is not a finite number")
                first(qv < 0, 5, "q", "quantity is negative")
        if faults:
            raise self._fail(min(faults, key=lambda x: (x.row, x.order)))
        for codes, numbers in lookup:
            seen = {numbers[c] for c in np.unique(codes)}
            self.seen_codes[[c for c in seen if c is not None]] = True
        if self.products is not None:
            counts = np.bincount(k_idx, minlength=len(padded))
            for code, count in zip(padded, counts, strict=True):
                if count and code not in self.products:
                    self.unknown_products[code] = self.unknown_products.get(code, 0) + int(count)
        text_codes = pa.array(self.countries.codes, pa.string())
        # "10121" and "010121" pad to the same code: one dictionary entry each
        distinct = sorted({p for p in padded if p is not None})
        position = {p: n for n, p in enumerate(distinct)}
        remap = np.array([position.get(p, 0) for p in padded], dtype=np.int32)
        product = pa.DictionaryArray.from_arrays(
            pa.array(remap[k_idx] if len(padded) else np.zeros(0, np.int32)),
            pa.array(distinct, pa.string()),
        )
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        return pa.RecordBatch.from_arrays(
            [
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.dataset])),
                pa.array(np.full(n, self.year, dtype=np.int16)),
                pa.DictionaryArray.from_arrays(pa.array(indices["i"]), text_codes),
                pa.DictionaryArray.from_arrays(pa.array(indices["j"]), text_codes),
                product,
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.classification])),
                pa.array(usd),
                cols["q"],
            ],
            schema=flow_schema(),
        )

    # -- locating rows pyarrow could not parse ----------------------------------------
    def _diagnose(self, exc: Exception) -> None:
        """Find the first bad line from the start of the failing block; always raises."""
        start = self.rows + 2
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
                fault = check_line(text.rstrip("\r\n"), self.rules)
                if fault is not None:
                    name, value, message = fault
                    raise DataFileError(
                        f"{message} (value {_shown(value)})",
                        path=self.member.display,
                        line=line_no,
                        field=name,
                    ) from None
        raise DataFileError(
            f"cannot parse the file after line {start - 1}: {exc}", path=self.member.display
        ) from exc


_INT_RE: Final = re.compile(r"^[+-]?\d+$")
_FLOAT_RE: Final = re.compile(
    r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$", re.I
)


def _number(text: str) -> float | None:
    """Parse a float like the CSV reader does (no ``_`` separators, no inner spaces)."""
    return float(text) if _FLOAT_RE.match(text) else None


def check_line(text: str, rules: TradeRules) -> tuple[str, str, str] | None:
    """Validate one data line of a trade file; return (field, value, message) or None."""
    fields = _split(text)
    if not fields:
        return ("t,i,j,k,v,q", text, _EMPTY_LINE)
    if len(fields) != len(TRADE_COLUMNS):
        return ("t,i,j,k,v,q", text, f"expected 6 columns, found {len(fields)}")
    t, i, j, k, v, q = fields
    message = rules.year_fault(t)
    if message is not None:
        return ("t", t, message)
    for name, value, role in (("i", i, "exporter"), ("j", j, "importer")):
        message = rules.code_fault(value, role)
        if message is not None:
            return (name, value, message)
    if k in _MISSING_Q:
        return ("k", k, "missing value")
    if not _PRODUCT_CODE_RE.match(k):
        return ("k", k, "product code is not an HS 6-digit code")
    if v.strip() in _MISSING_Q:
        return ("v", v, "missing value")
    number = _number(v.strip())
    if number is None:
        return ("v", v, "value is not a number")
    message = rules.value_fault(number)
    if message is not None:
        return ("v", v, message)
    if q.strip() not in _MISSING_Q:
        qn = _number(q.strip())
        if qn is None:
            return ("q", q, "quantity is not a number")
        message = rules.quantity_fault(qn)
        if message is not None:
            return ("q", q, message)
    return None

"""BACI release layout: constants, file names, zip/folder members, checksums, mojibake."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from tradelever.errors import DataFileError

SOURCE: Final = "CEPII BACI"
LICENCE: Final = "Etalab Open Licence 2.0"
CITATION: Final = (
    "Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the "
    "Product-Level. The 1994-2007 Version, CEPII Working Paper No. 2010-23"
)
ASSUMPTIONS: Final = (
    "values FOB in current US dollars, reconciled mirror flows (CEPII BACI); stored as "
    "1000 * v, BACI's thousands of US dollars, rounded to 0.001 dollar",
    "quantities in metric tons as published by BACI; missing where BACI has none",
    "country codes mapped with the release's own dictionary; BACI 490 'Other Asia, nes' "
    "is Taiwan (TWN); BACI pseudo-codes (e.g. R20 Europe EFTA nes) kept as their own "
    "codes; codes sharing an ISO3 code (historical entities) are summed",
    "the last year of a BACI release is provisional and revised in the next release",
)
TRADE_COLUMNS: Final = ("t", "i", "j", "k", "v", "q")
TAIWAN_CODE: Final = 490
TAIWAN_ISO3: Final = "TWN"
BLOCK_SIZE: Final = 16 << 20  # bytes of CSV per pyarrow block (~500,000 BACI rows)
#: Largest value of one flow accepted, in US dollars (after scaling BACI's thousands):
#: US$10 trillion, about 40% of world merchandise exports in 2022 (US$24.9 trillion, WTO,
#: World Trade Statistical Review 2023) and some 100 times the largest single HS6 bilateral
#: flows (crude oil, integrated circuits: around US$100 billion a year). A larger value is a
#: corrupted field or a file written in dollars rather than thousands of dollars.
MAX_VALUE_USD: Final = 1e13
#: BACI country codes are ISO 3166-1 numeric-style codes: at most 3 digits.
COUNTRY_CODE_DIGITS: Final = 3
#: Largest dictionary file read (real ones: ~10 KB for countries, ~1 MB for products); a
#: dictionary is read whole, so its size is checked first to keep memory bounded.
MAX_DICTIONARY_BYTES: Final = 64 << 20

_VERSION = r"V\d{6}[a-z]?"
_TRADE_RE: Final = re.compile(rf"^BACI_(HS\d{{2}})_Y(\d{{4}})_({_VERSION})\.csv$")
_COUNTRY_RE: Final = re.compile(rf"^country_codes_({_VERSION})\.csv$")
_PRODUCT_RE: Final = re.compile(rf"^product_codes_(HS\d{{2}})_({_VERSION})(?:_\w+)?\.csv$")
_PRODUCT_CODE_RE: Final = re.compile(r"^(?:\d{5,6}|9999AA)$")  # 9999AA: HS92 files
_ISO3_RE: Final = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_HISTORICAL_RE: Final = re.compile(r"\(\.\.\.(\d{4})\)")
_MISSING_Q: Final = ("", "NA")
_EMPTY_LINE: Final = "expected 6 columns, found 0 (empty line)"
# Latin-1 text shown through Mac Roman (V202201: "CÙte d'Ivoire", "CuraÁao"): an upper-case
# accented letter between letters, where the original had a lower-case one.
_MAC_ROMAN_RE: Final = re.compile(r"[A-Za-z][\u00c0-\u00de][a-z]")


# --------------------------------------------------------------------------------------
# Text repair


def repair_mojibake(text: str) -> str:
    """Undo the mis-decoded accents found in real BACI dictionaries.

    Two cases are repaired, each only when the round trip succeeds:

    * UTF-8 bytes shown as Latin-1/Windows-1252 (V202501: ``CÃ´te d'Ivoire``):
      ``text.encode("latin-1").decode("utf-8")``;
    * Latin-1 bytes shown as Mac Roman (V202201: ``CÙte d'Ivoire``): an upper-case
      accented letter inside a lower-case word; ``text.encode("mac_roman")
      .decode("latin-1")``, kept only if every repaired letter is lower case.

    Parameters
    ----------
    text
        A name or description.

    Returns
    -------
    str
        The repaired text, or ``text`` unchanged.
    """
    if text.isascii():
        return text
    for encoding in ("latin-1", "cp1252"):
        try:
            fixed = text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
        if fixed != text:
            return fixed
    if _MAC_ROMAN_RE.search(text):
        try:
            fixed = text.encode("mac_roman").decode("latin-1")
        except UnicodeError:
            return text
        changed = [b for a, b in zip(text, fixed, strict=True) if a != b]
        if changed and all(c.islower() for c in changed) and not _MAC_ROMAN_RE.search(fixed):
            return fixed
    return text


# --------------------------------------------------------------------------------------
# Locating the files of a release


@dataclass(frozen=True)
class BaciMember:
    """One file of a release, on disk or inside a zip.

    Attributes
    ----------
    name
        Base name, e.g. ``BACI_HS22_Y2022_V202501.csv``.
    display
        Path used in messages (``release.zip/member.csv`` for zip members).
    size
        Size in bytes (uncompressed for zip members).
    path
        The file on disk, or the zip file.
    inner
        Member name inside the zip (None for files on disk).
    """

    name: str
    display: str
    size: int
    path: Path
    inner: str | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open the file for binary reading (decompressing a zip member as it is read).

        Reads of a damaged zip member (bad CRC, corrupt deflate stream, truncated archive)
        raise :class:`DataFileError` naming the member, never a raw ``zlib`` or ``zipfile``
        error.
        """
        try:
            if self.inner is None:
                _require_regular(self.path, self.display)
                with self.path.open("rb") as handle:
                    yield handle
            else:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.inner) as handle:
                    yield _GuardedReader(handle, self.display)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _read_error(exc, self.display) from exc

    def copy_to(self, target: Path, progress: Callable[[int], None] | None = None) -> LineScan:
        """Write the (decompressed) bytes to ``target`` and scan them (see :class:`LineScan`).

        Used to give the CSV engine a plain file when the trade file is inside a zip.
        """
        scan = LineScan()
        with self.open() as source, target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
                scan.update(chunk)
                if progress is not None:
                    progress(len(chunk))
        return scan


_CHUNK: Final = 4 << 20


def _read_error(exc: BaseException, display: str) -> DataFileError:
    if isinstance(exc, DataFileError):
        return exc
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return DataFileError(
            f"damaged zip member ({exc}); the download is corrupted or incomplete: "
            "download the release again",
            path=display,
        )
    return DataFileError(f"cannot read: {exc}", path=display)


class _GuardedReader(io.RawIOBase):
    """A zip member stream whose read errors become :class:`DataFileError`."""

    def __init__(self, inner: IO[bytes], display: str) -> None:
        self._inner = inner
        self._display = display

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._inner.read(size)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _read_error(exc, self._display) from exc

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._inner.readline(-1 if size is None else size)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _read_error(exc, self._display) from exc


def _require_regular(path: Path, display: str | None = None) -> None:
    """Refuse named pipes, devices and sockets (reading one may block forever)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc}", path=display or str(path)) from exc
    if not stat.S_ISREG(mode):
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "not a regular file"
        if stat.S_ISDIR(mode):
            kind = "a folder"
        raise DataFileError(
            f"{kind}; give the downloaded release zip, its extracted folder or a yearly CSV file",
            path=display or str(path),
        )


@dataclass
class LineScan:
    r"""What one pass over a trade file's bytes found (besides its checksum).

    Attributes
    ----------
    bytes
        Bytes scanned.
    newlines
        Number of ``\n`` bytes.
    last
        The last byte (to count a final line without a line break).
    underscore
        Whether any ``_`` occurs: BACI numbers never contain one, but the CSV engine reads
        ``1_000`` as 1000, so a file with one is checked line by line.
    """

    bytes: int = 0
    newlines: int = 0
    last: bytes = b""
    underscore: bool = False

    def update(self, chunk: bytes) -> None:
        """Account for the next chunk of the file."""
        if not chunk:
            return
        import numpy as np

        self.bytes += len(chunk)
        # numpy's vectorised compare counts about 4 times faster than bytes.count here
        self.newlines += int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))
        self.last = chunk[-1:]
        if not self.underscore and b"_" in chunk:
            self.underscore = True

    @property
    def lines(self) -> int:
        """Lines in the file, the header included (a last line without line break counts)."""
        return self.newlines + (1 if self.last not in (b"", b"\n") else 0)


@dataclass(frozen=True)
class BaciRelease:
    """The files of one BACI release (one HS revision, one version).

    Attributes
    ----------
    hs
        HS revision as written in the file names, e.g. ``HS22``.
    version
        Release, e.g. ``V202501``.
    trade
        Yearly trade files, by year.
    countries, products
        The release's dictionaries.
    sources
        Files on disk that make up the input (the zip, or the CSV files), for checksums.
    """

    hs: str
    version: str
    trade: dict[int, BaciMember]
    countries: BaciMember
    products: BaciMember
    sources: tuple[Path, ...]
    members: tuple[BaciMember, ...] = field(default=())

    @property
    def classification(self) -> str:
        """The classification of the product codes, e.g. ``HS22``."""
        return self.hs

    @property
    def years(self) -> list[int]:
        """Years with a trade file, ascending."""
        return sorted(self.trade)

    def default_name(self) -> str:
        """Data set name, e.g. ``baci-hs22-v202501`` (``-y2022`` added for one file)."""
        return f"baci-{self.hs.lower()}-{self.version.lower()}"


def _members_of_zip(path: Path) -> list[BaciMember]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"not a readable zip file: {exc}", path=str(path)) from exc
    out = []
    for info in infos:
        if info.filename.startswith("__MACOSX/"):
            continue
        base = info.filename.rsplit("/", 1)[-1]
        out.append(BaciMember(base, f"{path}/{info.filename}", info.file_size, path, info.filename))
    return out


def _is_baci_name(name: str) -> bool:
    return bool(_TRADE_RE.match(name) or _COUNTRY_RE.match(name) or _PRODUCT_RE.match(name))


def _members_of_folder(path: Path) -> list[BaciMember]:
    members = []
    for p in sorted(path.iterdir()):
        if p.is_file():
            members.append(BaciMember(p.name, str(p), p.stat().st_size, p))
        elif _is_baci_name(p.name):
            _require_regular(p)  # a FIFO or device named like a BACI file: say so
    return members


def locate_release(path: str | Path) -> tuple[BaciRelease, str]:
    """Find the trade files and dictionaries of a BACI release.

    Parameters
    ----------
    path
        A release zip (``BACI_HS22_V202501.zip``), an extracted release folder, or one
        yearly CSV (``BACI_HS22_Y2022_V202501.csv``) with ``country_codes_V202501.csv``
        and ``product_codes_HS22_V202501.csv`` in the same folder.

    Returns
    -------
    tuple
        The release and its default data set name (``baci-hs22-v202501``; for one yearly
        CSV ``baci-hs22-v202501-y2022``, so that one year never replaces a whole release).

    Raises
    ------
    DataFileError
        If the path does not exist, holds no BACI trade file, mixes releases or HS
        revisions, or lacks the dictionaries of its release.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataFileError("no such file or folder", path=str(path))
    single: str | None = None
    if path.is_dir():
        members = _members_of_folder(path)
    elif not path.is_file():
        _require_regular(path)
        raise DataFileError("not a regular file", path=str(path))  # pragma: no cover
    elif path.stat().st_size == 0:
        raise DataFileError(
            "empty file (0 bytes): the download is incomplete; download it again", path=str(path)
        )
    elif zipfile.is_zipfile(path):
        members = _members_of_zip(path)
    elif path.suffix.lower() == ".zip":
        raise DataFileError(
            "not a readable zip file (no zip directory: the file is truncated or damaged); "
            "download it again",
            path=str(path),
        )
    elif _TRADE_RE.match(path.name):
        single = path.name
        members = _members_of_folder(path.parent)
    else:
        raise DataFileError(
            "expected a BACI release zip (BACI_HS22_V202501.zip), its extracted folder, or a "
            "yearly file named like BACI_HS22_Y2022_V202501.csv",
            path=str(path),
        )
    trade: dict[int, BaciMember] = {}
    revisions: set[tuple[str, str]] = set()
    for member in members:
        match = _TRADE_RE.match(member.name)
        if not match or (single is not None and member.name != single):
            continue
        hs, year, version = match.group(1), int(match.group(2)), match.group(3)
        revisions.add((hs, version))
        if year in trade:
            raise DataFileError(
                f"two trade files for year {year}: {trade[year].display} and {member.display}",
                path=str(path),
            )
        trade[year] = member
    if not trade:
        raise DataFileError(
            "no BACI trade file (BACI_HS??_Y????_V??????.csv) found", path=str(path)
        )
    if len(revisions) > 1:
        listed = ", ".join(f"{h} {v}" for h, v in sorted(revisions))
        raise DataFileError(
            f"files of several releases or HS revisions ({listed}); do not mix BACI versions: "
            "ingest each release separately",
            path=str(path),
        )
    hs, version = revisions.pop()
    countries = [m for m in members if (mt := _COUNTRY_RE.match(m.name)) and mt[1] == version]
    products = [
        m for m in members if (mt := _PRODUCT_RE.match(m.name)) and mt[1] == hs and mt[2] == version
    ]
    where = path if path.is_dir() or single is None else path.parent
    if not countries:
        raise DataFileError(
            f"country dictionary country_codes_{version}.csv of the same release not found "
            "(numeric country codes change between releases)",
            path=str(where),
        )
    if not products:
        raise DataFileError(
            f"product dictionary product_codes_{hs}_{version}.csv not found", path=str(where)
        )
    products.sort(key=lambda m: (len(m.name), m.name))  # the plain name before variants
    if path.is_file() and single is None:
        sources: tuple[Path, ...] = (path,)
    else:
        sources = tuple(m.path for m in (*trade.values(), countries[0], products[0]))
    release = BaciRelease(
        hs=hs,
        version=version,
        trade=dict(sorted(trade.items())),
        countries=countries[0],
        products=products[0],
        sources=sources,
        members=(*trade.values(), countries[0], products[0]),
    )
    name = release.default_name()
    if single is not None:
        name += f"-y{next(iter(trade))}"
    return release, name


def file_sha256(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, read in 4 MiB chunks (``progress`` gets the bytes of each chunk)."""
    return scan_file(path, progress, lines=False)[0]


def scan_file(
    path: Path, progress: Callable[[int], None] | None = None, *, lines: bool = True
) -> tuple[str, LineScan]:
    """SHA-256 of a file and, with ``lines``, its :class:`LineScan`, in one read.

    ``progress`` gets the bytes of each 4 MiB chunk. Refuses anything but a regular file.
    """
    _require_regular(path)
    digest = hashlib.sha256()
    scan = LineScan()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                if lines:
                    scan.update(chunk)
                if progress is not None:
                    progress(len(chunk))
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc}", path=str(path)) from exc
    return digest.hexdigest(), scan

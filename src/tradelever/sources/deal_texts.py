r"""The primary texts of the 2025-26 US trade deals, as packaged with tradelever.

Every deal fact in ``tradelever/data/us_deals/deals/`` quotes one of these texts: White House
fact sheets, joint statements, agreements, executive orders and proclamations, copied
unchanged (front matter included) from a public archive of whitehouse.gov by
``tools/build_us_deals.py``. ``SOURCES.json`` beside them records, for each file, its title,
public whitehouse.gov URL, the archive it came from and its sha256.

A quote is checked against its text *verbatim after normalisation*: the archived pages are
Markdown converted from HTML, so HTML tags and comments (a block tag counts as a space),
Markdown emphasis (``*``), Markdown backslash escapes (``\(a\)``), zero-width spaces and HTML
entities are dropped or decoded, typographic quotes and apostrophes are read as straight
ones, and every run of white space counts as one space. Nothing else is forgiven: a quote
must be the words of the text.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from tradelever.errors import DataFileError

__all__ = [
    "SOURCES_FILE",
    "DealText",
    "TextLibrary",
    "normalise_text",
    "packaged_library",
]

SOURCES_FILE = "SOURCES.json"
_REQUIRED = ("file", "title", "url", "archive", "sha256", "date", "kind")

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:td|th|tr|p|br|li|ul|ol|div|table|thead|tbody|h\d)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_SPACE = re.compile(r"\s+")
# (character, replacement): typographic quotes straightened, no-break and zero-width spaces.
_CHARACTERS = (
    ("‘", "'"),
    ("’", "'"),
    ("“", '"'),
    ("”", '"'),
    ("\u00a0", " "),
    ("\u200b", ""),
    ("\u200c", ""),
    ("\u200d", ""),
    ("\ufeff", ""),
)


def normalise_text(text: str) -> str:
    """Text as compared with quotes: markup dropped, quotes straightened, spaces collapsed.

    Parameters
    ----------
    text
        A passage of an archived page, or a quote from it.

    Returns
    -------
    str
        HTML comments and block tags (cells, paragraphs, line breaks) replaced by a space,
        inline tags (spans, links, superscripts) removed, Markdown backslash escapes and emphasis
        asterisks removed, HTML entities decoded, zero-width characters removed, typographic
        quotes and apostrophes straightened, and every run of white space replaced by one
        space (leading and trailing space removed).
    """
    text = _COMMENT.sub(" ", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = text.replace("*", "")
    text = html.unescape(text)
    for old, new in _CHARACTERS:
        if old in text:
            text = text.replace(old, new)
    return _SPACE.sub(" ", text).strip()


def _body(text: str) -> str:
    """The text without its YAML front matter (quotes come from the page, not the metadata)."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


@dataclass(frozen=True)
class DealText:
    """One packaged primary text and its record in ``SOURCES.json``.

    Attributes
    ----------
    file
        File name inside ``us_deals/texts/``.
    title
        Title of the page on whitehouse.gov.
    url
        Public whitehouse.gov URL of the page (or of the PDF the text was extracted from).
    archive
        The public archive the copy came from (repository and snapshot).
    sha256
        Checksum of the packaged file.
    date
        Date of the page (ISO, from its front matter).
    kind
        Kind of instrument (fact sheet, joint statement, agreement, executive order, ...).
    """

    file: str
    title: str
    url: str
    archive: str
    sha256: str
    date: str
    kind: str


class TextLibrary:
    """The packaged texts, read once, with their normalised bodies for quote checks.

    Parameters
    ----------
    root
        The ``us_deals`` folder (a path or an ``importlib.resources`` traversable) holding
        ``SOURCES.json`` and ``texts/``.
    verify
        Check each file's sha256 against ``SOURCES.json`` when it is first read.

    Raises
    ------
    DataFileError
        If ``SOURCES.json`` is missing or malformed, or a file is missing or altered.
    """

    def __init__(self, root: Traversable | Any, *, verify: bool = True) -> None:
        self._root = root
        self._verify = verify
        where = f"{root}/{SOURCES_FILE}"
        try:
            raw = json.loads(root.joinpath(SOURCES_FILE).read_text("utf-8"))
        except FileNotFoundError:
            raise DataFileError("the list of packaged deal texts is missing", path=where) from None
        except json.JSONDecodeError as exc:
            raise DataFileError(f"not valid JSON: {exc.msg}", path=where, line=exc.lineno) from None
        entries = raw.get("texts") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise DataFileError("expected an object with a 'texts' list", path=where)
        records: dict[str, DealText] = {}
        for index, entry in enumerate(entries):
            missing = [key for key in _REQUIRED if not isinstance(entry, dict) or key not in entry]
            if missing:
                raise DataFileError(f"entry {index} lacks {missing}", path=where, field="texts")
            records[entry["file"]] = DealText(**{key: str(entry[key]) for key in _REQUIRED})
        self._records = records
        self._bodies: dict[str, str] = {}

    def __contains__(self, file: object) -> bool:
        return file in self._records

    def __iter__(self) -> Iterator[DealText]:
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    @property
    def records(self) -> Mapping[str, DealText]:
        """Records by file name."""
        return self._records

    def record(self, file: str) -> DealText:
        """The ``SOURCES.json`` record of a packaged file.

        Raises
        ------
        DataFileError
            If no packaged text has that name (with close names when there are some).
        """
        try:
            return self._records[file]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(file, list(self._records), n=2, cutoff=0.8)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise DataFileError(
                f"{file!r} is not a packaged deal text (see {SOURCES_FILE}){hint}"
            ) from None

    def url(self, file: str) -> str:
        """Public URL of a packaged text."""
        return self.record(file).url

    def body(self, file: str) -> str:
        """The normalised body of a packaged text (front matter removed).

        Raises
        ------
        DataFileError
            If the file is missing from the package or its sha256 differs from the record.
        """
        if file not in self._bodies:
            record = self.record(file)
            path = self._root.joinpath("texts").joinpath(file)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise DataFileError("packaged deal text is missing", path=str(path)) from None
            if self._verify and hashlib.sha256(data).hexdigest() != record.sha256:
                raise DataFileError(
                    f"sha256 differs from {SOURCES_FILE}: the text was altered; "
                    "rebuild with tools/build_us_deals.py",
                    path=str(path),
                )
            self._bodies[file] = normalise_text(_body(data.decode("utf-8")))
        return self._bodies[file]

    def contains(self, file: str, quote: str) -> bool:
        """Whether ``quote`` occurs in ``file`` (both normalised with :func:`normalise_text`)."""
        wanted = normalise_text(quote)
        return bool(wanted) and wanted in self.body(file)


def package_root() -> Traversable:
    """The ``us_deals`` folder shipped in the package."""
    return resources.files("tradelever.data").joinpath("us_deals")


@cache
def packaged_library() -> TextLibrary:
    """The packaged texts (read and checked once per process)."""
    return TextLibrary(package_root())

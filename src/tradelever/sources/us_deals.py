"""The 2025-26 US trade deals as sourced facts: schema, reader and summary tables.

One YAML file per deal in ``tradelever/data/us_deals/deals/`` records what the primary texts
say: the partner(s), dates, instruments, the US rates before and after, the rates in force
later, sector outcomes, the partner's commitments, economic-security clauses and the
exemptions obtained. Every fact carries its sources, each a packaged text (file name and
public whitehouse.gov URL) and a short passage quoted verbatim; the reader checks each quote
against its text (see :mod:`tradelever.sources.deal_texts` for the normalisation). A fact
the texts do not give stays empty and is listed under ``missing`` with the texts that were
checked; the reader rejects a file where an empty field is not so listed, or a listed field
is not empty.

Rates are percent ad valorem. ``basis`` says how to read them: ``additional`` (on top of the
MFN duty), ``all_in_ceiling`` (MFN plus the additional duty together, e.g. the EU's 15%: the
additional duty is ``ceiling - MFN`` and zero when MFN is at least the ceiling) or ``total``
(one combined rate, e.g. the UK's 10% on autos within the quota). Amounts are US dollars in
billions (``USD bn``) with the quoted wording; the reader checks that the number in the
wording equals the value.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tradelever.errors import DataFileError, UnknownCountryError
from tradelever.reference.countries import resolve_country
from tradelever.sources.deal_texts import (
    TextLibrary,
    normalise_text,
    package_root,
    packaged_library,
)

# libyaml when available (about ten times faster than the pure-Python loader).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "LIBERATION_DAY",
    "AmountFact",
    "CoverageFact",
    "DateFact",
    "Deal",
    "ExemptionFact",
    "Missing",
    "RateChange",
    "RateFact",
    "SectorFact",
    "Source",
    "TextFact",
    "annualised_usd_bn",
    "days_since_liberation_day",
    "deal_date",
    "deals_for_partner",
    "deals_table",
    "headline_total_usd_bn",
    "load_deals",
    "missing_table",
    "parse_deal",
    "partner_name",
    "rate_change",
    "read_deal_file",
]

#: Executive Order 14257, the reciprocal tariffs: the day from which "first in line" counts.
LIBERATION_DAY = _dt.date(2025, 4, 2)
#: Partner code of the European Union (the EU-27 negotiates as one).
EU_CODE = "EUU"

Commitment = Literal["obligation", "commitment", "intention", "commercial_deal", "fact_sheet"]
RateBasis = Literal["additional", "all_in_ceiling", "total"]
Authority = Literal[
    "IEEPA reciprocal", "IEEPA other", "section 122", "section 301", "section 232", "other"
]
Sector = Literal[
    "autos",
    "auto_parts",
    "pharmaceuticals",
    "semiconductors",
    "aircraft",
    "steel_aluminium",
    "copper",
    "lumber",
    "section_232_general",
]
DealKind = Literal[
    "agreement", "framework", "general_terms", "arrangement", "sectoral_agreement", "announcement"
]
InstrumentType = Literal[
    "agreement",
    "joint statement",
    "joint fact sheet",
    "fact sheet",
    "executive order",
    "proclamation",
    "memorandum",
    "memorandum of understanding",
    "framework",
    "general terms",
    "leaders' document",
    "annex",
]
Precision = Literal["day", "month", "on_or_before"]
Treatment = Literal["zero_reciprocal", "mfn_only", "duty_free", "tariff_free", "excluded_from_duty"]

# Fields that must either hold a fact or be listed under `missing` (dotted paths).
SCALAR_FIELDS = (
    "dates.announced",
    "dates.signed",
    "dates.effective",
    "rates.annex_i",
    "rates.july_letter",
    "rates.eo_14326",
    "rates.section_122",
    "rates.section_301",
)
LIST_FIELDS = (
    "rates.announced",
    "sectors",
    "commitments.tariff_elimination",
    "commitments.purchases",
    "commitments.investment",
    "commitments.non_tariff_barriers",
    "commitments.digital_trade",
    "commitments.agriculture",
    "economic_security.export_controls",
    "economic_security.investment_screening",
    "economic_security.duty_evasion",
    "economic_security.third_country",
    "exemptions",
)
TRACKED_FIELDS = SCALAR_FIELDS + LIST_FIELDS

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(trillion|billion|million)", re.I)
_SCALE = {"trillion": 1000.0, "billion": 1.0, "million": 0.001}
_MAX_QUOTE = 600


def _library(info: ValidationInfo) -> TextLibrary:
    context = info.context if isinstance(info.context, Mapping) else {}
    library = context.get("library")
    return library if isinstance(library, TextLibrary) else packaged_library()


def _number(value: float) -> str:
    return f"{value:g}"


def _states_percent(text: str, value: float) -> bool:
    """Whether normalised ``text`` states ``value`` as ``N%`` or ``N percent``."""
    pattern = rf"(?<![\d.]){re.escape(_number(value))}(?:\.0+)?\s*(?:%|percent\b)"
    return re.search(pattern, text) is not None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A packaged text and a short passage quoted verbatim from it.

    Attributes
    ----------
    file
        File name of the packaged text (``us_deals/texts/``).
    url
        Its public whitehouse.gov URL (must be the one recorded in ``SOURCES.json``).
    quote
        A passage of the text, verbatim (see :func:`~tradelever.sources.deal_texts.normalise_text`),
        at most 600 characters.
    """

    file: str
    url: str
    quote: str = Field(min_length=8, max_length=_MAX_QUOTE)

    @model_validator(mode="after")
    def _in_text(self, info: ValidationInfo) -> Source:
        library = _library(info)
        if self.file not in library:
            library.record(self.file)  # raises DataFileError with close names
        expected = library.url(self.file)
        if self.url != expected:
            raise ValueError(f"url {self.url!r} is not the URL of {self.file} ({expected})")
        if not library.contains(self.file, self.quote):
            raise ValueError(f"quote not found verbatim in {self.file}: {self.quote[:80]!r}")
        return self


class TextRef(_Strict):
    """A packaged text named once at the top of a deal file (for YAML anchors)."""

    file: str
    url: str

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> TextRef:
        library = _library(info)
        if self.url != library.url(self.file):
            raise ValueError(f"url {self.url!r} is not the URL of {self.file}")
        return self


class _Fact(_Strict):
    sources: list[Source] = Field(min_length=1)
    note: str | None = None

    def quotes(self) -> str:
        """All quotes of the fact, normalised and joined (for checks on stated numbers)."""
        return " | ".join(normalise_text(s.quote) for s in self.sources)


class DateFact(_Fact):
    """A date stated in the texts.

    ``precision`` is ``day``, ``month`` (``value`` is then the first of the month) or
    ``on_or_before`` (the texts prove the event had happened by ``value``).
    """

    value: _dt.date
    precision: Precision = "day"
    what: str | None = None

    @model_validator(mode="after")
    def _month(self) -> DateFact:
        if self.precision == "month" and self.value.day != 1:
            raise ValueError("a month-precision date is written as the first of the month")
        return self


class RateFact(_Fact):
    """A US tariff rate on goods of the partner, in percent ad valorem.

    Attributes
    ----------
    value
        The rate, percent.
    basis
        ``additional`` (on top of MFN), ``all_in_ceiling`` (MFN + additional capped at the
        value) or ``total``.
    authority
        Legal basis of the duty.
    applies_to
        What the rate covers, in a few words.
    effective_from, effective_to
        Dates of application stated in (or computed from) the quoted text, when known.
    first_posted
        For Annex I of EO 14257 only: the rate in the annex as first posted on 2 April 2025
        (the quoted text), when ``value`` is the revised rate of 3 April 2025.
    """

    value: float = Field(ge=0, le=200)
    basis: RateBasis = "additional"
    authority: Authority
    applies_to: str
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    first_posted: float | None = None

    @model_validator(mode="after")
    def _stated(self) -> RateFact:
        stated = self.value if self.first_posted is None else self.first_posted
        if not _states_percent(self.quotes(), stated):
            raise ValueError(f"no quote states {_number(stated)}% (or '{stated:g} percent')")
        if self.first_posted is not None and self.first_posted != self.value and not self.note:
            raise ValueError("a revised Annex I rate needs a note saying where the revision is")
        return self


class TextFact(_Fact):
    """A commitment or clause, summarised in a few words and quoted."""

    summary: str = Field(min_length=3)
    commitment: Commitment


class CoverageFact(TextFact):
    """Tariff elimination by the partner, with the coverage as stated.

    ``share`` is the stated share of goods or tariff lines (0.99 for "approximately 99
    percent"), when the text gives one.
    """

    share: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _stated(self) -> CoverageFact:
        if self.share is not None and not _states_percent(self.quotes(), self.share * 100):
            raise ValueError(f"no quote states {self.share * 100:g}%")
        return self


class Amount(_Strict):
    """An amount in US$ billions with the wording that states it."""

    value: float = Field(gt=0)
    unit: Literal["USD bn"] = "USD bn"
    wording: str = Field(min_length=3)
    qualifier: Literal["exact", "approximately", "at_least", "over", "up_to", "estimated"]

    @model_validator(mode="after")
    def _parsed(self) -> Amount:
        found = _AMOUNT.search(self.wording)
        if found is None:
            raise ValueError(f"wording {self.wording!r} states no amount in millions/billions")
        number = float(found.group(1).replace(",", "")) * _SCALE[found.group(2).lower()]
        if abs(number - self.value) > 1e-9 * max(1.0, abs(number)):
            raise ValueError(f"value {self.value:g} differs from the wording ({number:g} bn)")
        return self


class AmountFact(TextFact):
    """A purchase or investment pledge.

    Attributes
    ----------
    category
        What is bought or where the money goes.
    amount
        US$ bn with its wording; ``None`` when the text gives only a count or a volume.
    quantity
        Non-monetary wording (aircraft, tonnes), verbatim.
    per_year
        Whether the amount is per year.
    period
        The period as worded (``"over the next 10 years"``), verbatim.
    years
        Length of the period in years when the text states it.
    scope
        ``government`` (a pledge of the partner's government), ``companies`` (an aggregate
        of the partner's companies) or ``company`` (one named company).
    headline
        Whether this figure counts towards the deal's total; headline figures of one deal
        never overlap (a later restatement of the same pledge is not a headline).
    """

    category: str
    amount: Amount | None = None
    quantity: str | None = None
    per_year: bool = False
    period: str | None = None
    years: float | None = Field(default=None, gt=0)
    scope: Literal["government", "companies", "company"] = "government"
    headline: bool = False

    @model_validator(mode="after")
    def _stated(self) -> AmountFact:
        quotes = self.quotes()
        for label, wording in (
            ("amount.wording", self.amount.wording if self.amount else None),
            ("quantity", self.quantity),
            ("period", self.period),
        ):
            if wording is not None and normalise_text(wording) not in quotes:
                raise ValueError(f"{label} {wording!r} is not in the quoted passage")
        if self.headline and self.amount is None:
            raise ValueError("a headline pledge needs an amount")
        return self


class SectorFact(TextFact):
    """A sector outcome (Section 232 and similar), with its rate when one is stated."""

    sector: Sector
    rate: float | None = Field(default=None, ge=0, le=200)
    basis: RateBasis | None = None

    @model_validator(mode="after")
    def _stated(self) -> SectorFact:
        if self.rate is not None and not _states_percent(self.quotes(), self.rate):
            raise ValueError(f"no quote states {_number(self.rate)}%")
        return self


class ExemptionFact(TextFact):
    """Products the partner obtained at a 0% reciprocal rate (or MFN only).

    ``treatment``: ``zero_reciprocal`` (no reciprocal duty), ``mfn_only`` (MFN duty only),
    ``duty_free`` (no duty at all, e.g. within a quota), ``tariff_free`` (free of the
    reciprocal and named Section 232 duties) or ``excluded_from_duty`` (excluded from one
    named duty, e.g. Section 301 exclusions). ``conditional``: whether the text makes it
    depend on a later step (a final agreement, a list still to be identified, a legislative
    proposal).
    """

    products: str
    treatment: Literal[
        "zero_reciprocal", "mfn_only", "duty_free", "tariff_free", "excluded_from_duty"
    ]
    conditional: bool = False


class Instrument(_Strict):
    """A text of the deal: title, type, date, URL, and the packaged file when there is one.

    An instrument not among the packaged texts (a PDF annex, a text published elsewhere)
    has no ``file``; ``cited_in`` then quotes the packaged text that names it.
    """

    title: str
    type: InstrumentType
    date: _dt.date | None = None
    url: str | None = None
    file: str | None = None
    cited_in: Source | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _located(self, info: ValidationInfo) -> Instrument:
        if self.file is not None:
            library = _library(info)
            expected = library.url(self.file)
            if self.url is not None and self.url != expected:
                raise ValueError(f"url {self.url!r} is not the URL of {self.file}")
        elif self.cited_in is None:
            raise ValueError("an instrument without a packaged file needs 'cited_in'")
        if self.url is None and self.file is None:
            raise ValueError("give the instrument's url")
        return self


class Missing(_Strict):
    """A fact the texts do not give: which field, which texts were checked, and why.

    ``evidence`` may quote what the texts do say (e.g. that an agreement was signed, with no
    date).
    """

    field: str
    checked: list[str] = Field(min_length=1)
    note: str = Field(min_length=10)
    evidence: list[Source] = Field(default_factory=list)

    @field_validator("field")
    @classmethod
    def _tracked(cls, value: str) -> str:
        if value not in TRACKED_FIELDS:
            raise ValueError(f"{value!r} is not a tracked field; one of {list(TRACKED_FIELDS)}")
        return value

    @model_validator(mode="after")
    def _files(self, info: ValidationInfo) -> Missing:
        library = _library(info)
        for file in self.checked:
            library.record(file)
        return self


class Dates(_Strict):
    """Announced, signed and effective dates (``None`` when the texts do not give them)."""

    announced: DateFact | None = None
    signed: DateFact | None = None
    effective: DateFact | None = None


class Rates(_Strict):
    """US rates on the partner's goods before, as announced, and in force later.

    ``annex_i``: EO 14257 Annex I (2 April 2025; the revised value where it differs from the
    first posting); ``july_letter``: the letters of 7 July 2025; ``eo_14326``: Annex I of
    EO 14326 (31 July 2025, applied from 7 August 2025); ``announced``: as announced in the
    deal; ``additional``: other country-specific IEEPA duties; ``section_122``: the
    temporary surcharge of 24 February - 24 July 2026; ``section_301``: the forced-labour
    tier of the memorandum of 23 July 2026.
    """

    annex_i: RateFact | None = None
    july_letter: RateFact | None = None
    eo_14326: RateFact | None = None
    announced: list[RateFact] = Field(default_factory=list)
    additional: list[RateFact] = Field(default_factory=list)
    section_122: RateFact | None = None
    section_301: RateFact | None = None


class Commitments(_Strict):
    """What the partner committed to (``other``: labour, environment, IP and the like)."""

    tariff_elimination: list[CoverageFact] = Field(default_factory=list)
    purchases: list[AmountFact] = Field(default_factory=list)
    investment: list[AmountFact] = Field(default_factory=list)
    non_tariff_barriers: list[TextFact] = Field(default_factory=list)
    digital_trade: list[TextFact] = Field(default_factory=list)
    agriculture: list[TextFact] = Field(default_factory=list)
    other: list[TextFact] = Field(default_factory=list)


class EconomicSecurity(_Strict):
    """Economic-security clauses (``critical_minerals`` is optional, not tracked)."""

    export_controls: list[TextFact] = Field(default_factory=list)
    investment_screening: list[TextFact] = Field(default_factory=list)
    duty_evasion: list[TextFact] = Field(default_factory=list)
    third_country: list[TextFact] = Field(default_factory=list)
    critical_minerals: list[TextFact] = Field(default_factory=list)


def _check_partner(code: str) -> str:
    if code == EU_CODE:
        return code
    key = resolve_country(code, parameter="partners")
    if key != code:
        raise ValueError(f"{code!r}: write partner codes as upper-case ISO3 ({key})")
    return key


class Deal(_Strict):
    """One US trade deal with one partner (or one group negotiating together).

    See the module docstring for units; every fact has sources; every tracked field is
    either filled or listed in ``missing``.
    """

    id: str
    title: str
    partners: list[Annotated[str, Field(min_length=3, max_length=3)]] = Field(min_length=1)
    kind: DealKind
    summary: str = Field(min_length=20)
    texts: dict[str, TextRef] = Field(default_factory=dict)
    instruments: list[Instrument] = Field(min_length=1)
    dates: Dates
    rates: Rates
    sectors: list[SectorFact] = Field(default_factory=list)
    commitments: Commitments
    economic_security: EconomicSecurity
    exemptions: list[ExemptionFact] = Field(default_factory=list)
    missing: list[Missing] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits and '-'")
        return value

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: list[str]) -> list[str]:
        try:
            out = [_check_partner(code) for code in value]
        except UnknownCountryError as exc:
            raise ValueError(str(exc)) from None
        if len(set(out)) != len(out):
            raise ValueError("a partner is listed twice")
        return out

    @model_validator(mode="after")
    def _missing_matches(self) -> Deal:
        empty = {name for name in TRACKED_FIELDS if _is_empty(self, name)}
        listed = [m.field for m in self.missing]
        twice = {f for f in listed if listed.count(f) > 1}
        if twice:
            raise ValueError(f"missing lists {sorted(twice)} more than once")
        unlisted = empty - set(listed)
        if unlisted:
            raise ValueError(
                f"empty but not listed under 'missing' (say which texts were checked): "
                f"{sorted(unlisted)}"
            )
        filled = set(listed) - empty
        if filled:
            raise ValueError(f"listed under 'missing' but filled: {sorted(filled)}")
        return self

    def get(self, field: str) -> Any:
        """The value of a dotted field path (``"rates.annex_i"``)."""
        value: Any = self
        for part in field.split("."):
            value = getattr(value, part)
        return value

    def missing_fields(self) -> list[str]:
        """The tracked fields the texts do not give."""
        return [m.field for m in self.missing]


def _is_empty(deal: Deal, field: str) -> bool:
    value = deal.get(field)
    return value is None or (isinstance(value, list) and not value)


# --- reading ---------------------------------------------------------------------------


def _node_line(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (best effort)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pairs = list(node.value)
            for key, value in node.value:  # keys merged in with '<<' live in the merged map
                if key.value == "<<" and isinstance(value, yaml.MappingNode):
                    pairs.extend(value.value)
            child = next((v for k, v in pairs if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _loc(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "list[", "str")):
            out += ("." if out else "") + str(part)
    return out


def parse_deal(text: str, *, where: str, library: TextLibrary | None = None) -> Deal:
    """Parse and validate the YAML text of one deal file.

    Parameters
    ----------
    text
        The YAML document.
    where
        The file name used in messages.
    library
        Packaged texts to check sources against (default: those shipped in the package).

    Raises
    ------
    DataFileError
        Naming the file, the line and the field of the first problem (and how many more).
    """
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(f"not valid YAML: {problem}", path=where, line=line) from None
    if not isinstance(data, dict):
        raise DataFileError("a deal file must be a YAML mapping", path=where)
    context = {"library": library or packaged_library()}
    try:
        return Deal.model_validate(data, context=context)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise DataFileError(
            message + more,
            path=where,
            line=_node_line(yaml.compose(text, Loader=_LOADER), loc),
            field=_loc(loc) or None,
        ) from None
    except DataFileError as exc:  # a source names a file that is not packaged
        raise DataFileError(str(exc), path=where) from None


def read_deal_file(path: str | Path, library: TextLibrary | None = None) -> Deal:
    """Read and validate one deal file; its ``id`` must be the file name without ``.yaml``.

    Raises
    ------
    DataFileError
        If the file is missing, not YAML, invalid, or quotes a text that does not say so.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DataFileError(f"cannot read the deal file: {exc.strerror}", path=str(path)) from None
    deal = parse_deal(text, where=str(path), library=library)
    if deal.id != path.stem:
        raise DataFileError(f"id {deal.id!r} differs from the file name", path=str(path))
    return deal


def _deal_files(folder: Traversable | Path) -> list[tuple[str, str]]:
    items = sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    return [(p.name, p.read_text("utf-8")) for p in items]


@cache
def _packaged_deals() -> tuple[Deal, ...]:
    folder = package_root().joinpath("deals")
    deals = []
    for name, text in _deal_files(folder):
        deal = parse_deal(text, where=f"us_deals/deals/{name}")
        if f"{deal.id}.yaml" != name:
            raise DataFileError(f"id {deal.id!r} differs from the file name", path=name)
        deals.append(deal)
    return tuple(deals)


def load_deals(folder: str | Path | None = None, library: TextLibrary | None = None) -> list[Deal]:
    """All deals, ordered by announcement date (then id).

    Parameters
    ----------
    folder
        A folder of deal YAML files (default: the files shipped in the package, read and
        checked once per process).
    library
        Packaged texts to check sources against (default: those shipped in the package).
    """
    if folder is None and library is None:
        deals = list(_packaged_deals())
    else:
        root = Path(folder) if folder is not None else package_root().joinpath("deals")
        deals = [
            read_deal_file(Path(str(root)) / name, library=library) for name, _ in _deal_files(root)
        ]
    ids = [d.id for d in deals]
    if len(set(ids)) != len(ids):
        raise DataFileError(f"deal ids are not unique: {ids}")
    return sorted(deals, key=lambda d: (_sort_date(d), d.id))


def deals_for_partner(code: str, deals: Iterable[Deal] | None = None) -> list[Deal]:
    """The deals of one partner (ISO3, or ``EUU`` for the EU).

    Raises
    ------
    UnknownCountryError
        If the code is not a country code (nor ``EUU``).
    """
    key = code.strip().upper()
    if key != EU_CODE:
        key = resolve_country(key, parameter="partner")
    pool = load_deals() if deals is None else list(deals)
    return [d for d in pool if key in d.partners]


def partner_name(code: str) -> str:
    """Display name of a deal partner code."""
    from tradelever.reference.countries import country_name

    return "European Union" if code == EU_CODE else country_name(code)


# --- derived measures (pure) -------------------------------------------------------------


def deal_date(deal: Deal) -> DateFact | None:
    """The date a deal counts from: announced, else signed, else effective."""
    return deal.dates.announced or deal.dates.signed or deal.dates.effective


def _sort_date(deal: Deal) -> _dt.date:
    found = deal_date(deal)
    return found.value if found is not None else _dt.date.max


def days_since_liberation_day(deal: Deal) -> int | None:
    """Days from 2 April 2025 (EO 14257) to :func:`deal_date`.

    A ``month`` date counts from the first of the month and an ``on_or_before`` date is an
    upper bound; read ``deal_date(deal).precision`` before comparing partners.
    """
    found = deal_date(deal)
    return None if found is None else (found.value - LIBERATION_DAY).days


@dataclass(frozen=True)
class RateChange:
    """The rate before (EO 14257 Annex I) and the rate announced in the deal.

    ``cut_points`` is ``before - after`` in percentage points when both are on the same
    basis (``additional``); an ``all_in_ceiling`` rate includes the MFN duty, so its cut
    against an additional rate is not a like-for-like number and is ``None`` (see
    ``note``).
    """

    before: float | None
    after: float | None
    after_basis: str | None
    cut_points: float | None
    note: str


def rate_change(deal: Deal) -> RateChange:
    """Rate before (Annex I) and after (first announced rate) of a deal."""
    before = deal.rates.annex_i.value if deal.rates.annex_i else None
    after_fact = deal.rates.announced[0] if deal.rates.announced else None
    after = after_fact.value if after_fact else None
    basis = after_fact.basis if after_fact else None
    if before is None or after is None:
        return RateChange(before, after, basis, None, "rate before or after not in the texts")
    if basis != "additional":
        return RateChange(
            before,
            after,
            basis,
            None,
            f"the announced rate is {basis.replace('_', ' ')} (MFN included); "
            "the Annex I rate was additional to MFN",
        )
    return RateChange(before, after, basis, before - after, "percentage points, additional")


def annualised_usd_bn(fact: AmountFact) -> float | None:
    """US$ bn per year: the amount if per year, amount / years when the period is stated.

    ``None`` when there is no amount or the period is not stated in years.
    """
    if fact.amount is None:
        return None
    if fact.per_year:
        return fact.amount.value
    return fact.amount.value / fact.years if fact.years else None


def headline_total_usd_bn(facts: Iterable[AmountFact], *, per_year: bool = False) -> float:
    """Sum of the headline amounts in US$ bn, one-off/period totals or per-year amounts.

    Parameters
    ----------
    facts
        Purchase or investment facts of one deal.
    per_year
        ``False`` sums the amounts that are totals (for a stated period or none),
        ``True`` the amounts stated per year; the two are never added together.

    Returns
    -------
    float
        The sum, 0.0 when there is none.
    """
    return float(
        sum(
            f.amount.value
            for f in facts
            if f.headline and f.amount is not None and f.per_year == per_year
        )
    )


def deals_table(deals: Iterable[Deal] | None = None) -> pd.DataFrame:
    """One row per deal and partner with the headline facts.

    Columns: ``deal``, ``partner``, ``partner_name``, ``title``, ``kind``; ``deal_date`` (the
    date of :func:`deal_date`), ``deal_date_is`` (``announced``, ``signed`` or
    ``effective``), ``deal_date_precision``, ``days_since_2025_04_02``; ``announced``,
    ``signed``, ``effective``; rates in percent: ``annex_i_rate``, ``july_letter_rate``,
    ``eo_14326_rate``, ``announced_rate``, ``announced_basis``, ``rate_cut_points`` (Annex I
    minus announced, when both are additional rates), ``section_122_rate``,
    ``section_301_rate``, ``section_301_basis``; headline pledges in US$ bn:
    ``purchases_usd_bn`` and ``investment_usd_bn`` (totals), ``purchases_usd_bn_a_year`` and
    ``investment_usd_bn_a_year`` (per year); ``missing`` (number of tracked fields the texts
    do not give).
    """
    rows = []
    for deal in load_deals() if deals is None else deals:
        change = rate_change(deal)
        when = deal_date(deal)
        when_is = next(
            (k for k in ("announced", "signed", "effective") if getattr(deal.dates, k) is when),
            None,
        )
        r, c, d = deal.rates, deal.commitments, deal.dates
        for partner in deal.partners:
            rows.append(
                {
                    "deal": deal.id,
                    "partner": partner,
                    "partner_name": partner_name(partner),
                    "title": deal.title,
                    "kind": deal.kind,
                    "deal_date": when.value if when else None,
                    "deal_date_is": when_is,
                    "deal_date_precision": when.precision if when else None,
                    "days_since_2025_04_02": days_since_liberation_day(deal),
                    "announced": d.announced.value if d.announced else None,
                    "signed": d.signed.value if d.signed else None,
                    "effective": d.effective.value if d.effective else None,
                    "annex_i_rate": r.annex_i.value if r.annex_i else None,
                    "july_letter_rate": r.july_letter.value if r.july_letter else None,
                    "eo_14326_rate": r.eo_14326.value if r.eo_14326 else None,
                    "announced_rate": change.after,
                    "announced_basis": change.after_basis,
                    "rate_cut_points": change.cut_points,
                    "section_122_rate": r.section_122.value if r.section_122 else None,
                    "section_301_rate": r.section_301.value if r.section_301 else None,
                    "section_301_basis": r.section_301.basis if r.section_301 else None,
                    "purchases_usd_bn": headline_total_usd_bn(c.purchases),
                    "purchases_usd_bn_a_year": headline_total_usd_bn(c.purchases, per_year=True),
                    "investment_usd_bn": headline_total_usd_bn(c.investment),
                    "investment_usd_bn_a_year": headline_total_usd_bn(c.investment, per_year=True),
                    "missing": len(deal.missing),
                }
            )
    return pd.DataFrame(rows)


def missing_table(deals: Iterable[Deal] | None = None) -> pd.DataFrame:
    """The facts the texts do not give: columns ``deal``, ``field``, ``checked``, ``note``."""
    rows = [
        {"deal": d.id, "field": m.field, "checked": list(m.checked), "note": m.note}
        for d in (load_deals() if deals is None else deals)
        for m in d.missing
    ]
    return pd.DataFrame(rows, columns=["deal", "field", "checked", "note"])

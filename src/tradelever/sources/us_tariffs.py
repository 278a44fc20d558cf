"""The US tariff schedule of 2025-26 as data: schema, validation and loading.

The schedule lives in ``tradelever/data/us_tariffs/``: ``measures.yaml`` (written by hand
from the instruments) and ``lists/*.csv`` (product and country lists built by
``tools/build_us_tariffs.py``, provenance in ``SOURCES.json``). This module reads them into
frozen pydantic models; :mod:`tradelever.analysis.tariffs` applies them to trade lines.

A *measure* is one duty: authority (IEEPA, s232, s122, s301, s338), instrument (title,
number, public URL), inclusive dates, exporters, products, a rate (additional ad valorem,
an all-in ceiling including MFN, or a rate per exporter from a country list) and a stacking
class (*stack*). An *exemption* removes products from every measure of the stacks it names
while it is in force (Annex II of EO 14257, the April 11 memorandum, the Section 122
annexes...). A *stack* names the stacks it yields to: a line covered by a measure of those
stacks pays nothing in this one (Section 232 goods pay neither the reciprocal duty nor the
Section 122 surcharge).

Errors are one line, naming the file, the measure and the field, e.g.::

    tradelever/data/us_tariffs/measures.yaml, field 'effective_from': measure 'x':
    '2025-13-01' is not a date (write YYYY-MM-DD)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tradelever.errors import DataFileError, UnknownCountryError

__all__ = [
    "AUTHORITIES",
    "CountryList",
    "ExemptionRule",
    "ExporterScope",
    "Group",
    "Instrument",
    "LeftOut",
    "Measure",
    "ProductList",
    "ProductScope",
    "Rate",
    "Schedule",
    "Stack",
    "load_schedule",
    "parse_schedule",
]

AUTHORITIES = ("IEEPA", "s232", "s122", "s301", "s338")
Authority = Literal["IEEPA", "s232", "s122", "s301", "s338"]
USMCA_COUNTRIES = frozenset({"CAN", "MEX"})
MAX_RATE = 5.0  # 500%: above that a percentage was almost surely typed as a fraction

_PACKAGE = "tradelever.data"
_FOLDER = "us_tariffs"
_MEASURES = "measures.yaml"
_SOURCES = "SOURCES.json"
_ISO3 = re.compile(r"^[A-Z]{3}$")
_HTS = re.compile(r"^\d{2,10}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (write YYYY-MM-DD)")


class Instrument(_Frozen):
    """The legal text a measure comes from, with its public URL."""

    title: str = Field(min_length=3)
    number: str = ""
    url: str
    url_note: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://\S+$", value.strip()):
            raise ValueError(f"{value!r} is not a public URL (https://...)")
        return value.strip()


class ProductScope(_Frozen):
    """Products as HTS prefixes: named lists, explicit prefixes, chapters, or all."""

    all: bool = False
    lists: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()

    @field_validator("prefixes", "chapters")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not _HTS.match(c) or len(c) % 2]
        if bad:
            raise ValueError(f"{bad} are not HTS codes (2, 4, 6, 8 or 10 digits, as strings)")
        return value

    def describe(self) -> str:
        """Short text for tables: ``all`` or the lists, prefixes and chapters."""
        if self.all:
            return "all"
        parts = [*self.lists, *self.prefixes, *(f"ch.{c}" for c in self.chapters)]
        return ", ".join(parts) if len(parts) <= 6 else ", ".join(parts[:6]) + ", ..."


class ExporterScope(_Frozen):
    """Exporters: all, all except some, listed countries or groups, or a country list."""

    all: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    table: str | None = None

    def describe(self) -> str:
        """Short text for tables."""
        if self.table:
            return f"countries of {self.table}"
        if self.all:
            return "all" + (f" except {', '.join(self.exclude)}" if self.exclude else "")
        return ", ".join(self.include)


class Rate(_Frozen):
    """An additional ad valorem rate, an all-in ceiling including MFN, or a country list.

    ``additional``: the duty is ``value`` (a fraction, 0.25 = 25%). ``all_in``: MFN + duty
    = ``value``, so the duty is ``max(0, value - MFN)``. ``table``: the duty is the
    exporter's ``rate_percent / 100`` in the named country list.
    """

    kind: Literal["additional", "all_in", "table"]
    value: float | None = None
    table: str | None = None

    def describe(self) -> str:
        """Short text for tables: ``+25%``, ``15% all-in``, ``by eo14326-annex-i``."""
        if self.kind == "table":
            return f"by {self.table}"
        pct = f"{100 * (self.value or 0):g}%"
        return f"{pct} all-in" if self.kind == "all_in" else f"+{pct}"


class Measure(_Frozen):
    """One duty of the schedule (see the module docstring)."""

    id: str
    authority: Authority
    instrument: Instrument
    effective_from: dt.date
    effective_to: dt.date | None = None
    exporters: ExporterScope
    products: ProductScope
    exclude: ProductScope | None = None
    rate: Rate
    stack: str
    priority: int = 0
    usmca: Literal["exempt", "applies"] = "applies"
    notes: str = ""

    def in_force(self, date: dt.date) -> bool:
        """Whether the measure applies to entries of ``date`` (both ends inclusive)."""
        return self.effective_from <= date and (
            self.effective_to is None or date <= self.effective_to
        )


class ExemptionRule(_Frozen):
    """Products excused from every measure of the named stacks while in force."""

    id: str
    instrument: Instrument
    effective_from: dt.date
    effective_to: dt.date | None = None
    applies_to: tuple[str, ...] = Field(min_length=1)
    exporters: ExporterScope = ExporterScope(all=True)
    products: ProductScope
    notes: str = ""

    def in_force(self, date: dt.date) -> bool:
        """Whether the exemption applies to entries of ``date`` (both ends inclusive)."""
        return self.effective_from <= date and (
            self.effective_to is None or date <= self.effective_to
        )


class Stack(_Frozen):
    """A stacking class: one measure per line within it; yields to the stacks named."""

    name: str
    description: str = ""
    yields_to: tuple[str, ...] = ()


class Group(_Frozen):
    """A named set of exporters (the EU) and the aggregate codes that stand for it."""

    name: str
    members: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    source: str = ""


class ProductList(_Frozen):
    """HTS prefixes of one list file, with its instrument."""

    id: str
    instrument: str
    url: str
    codes: tuple[str, ...]
    file: str = ""


class CountryList(_Frozen):
    """Rates per exporter (fractions), keyed by ISO3 code or group name."""

    id: str
    instrument: str
    url: str
    rates: dict[str, float]
    file: str = ""


class LeftOut(_Frozen):
    """An action of the period that the schedule does not model, and why."""

    action: str
    reason: str


class Schedule(_Frozen):
    """The whole schedule: measures, exemptions, stacks, lists, groups and provenance."""

    name: str
    importer: str
    title: str
    valid_from: dt.date
    valid_to: dt.date
    mfn_proxy: str
    groups: dict[str, Group]
    stacks: dict[str, Stack]
    measures: tuple[Measure, ...]
    exemptions: tuple[ExemptionRule, ...] = ()
    product_lists: dict[str, ProductList] = {}
    country_lists: dict[str, CountryList] = {}
    left_out: tuple[LeftOut, ...] = ()
    notes: tuple[str, ...] = ()
    provenance: dict[str, Any] = {}

    def measure(self, measure_id: str) -> Measure:
        """The measure with this id (``KeyError`` naming the known ids otherwise)."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(f"{measure_id}: no such measure; known: {[m.id for m in self.measures]}")

    def expand(self, codes: Iterable[str]) -> frozenset[str]:
        """ISO3 codes and group names -> the codes lines may carry (members and aliases)."""
        out: set[str] = set()
        for code in codes:
            group = self.groups.get(code)
            if group is None:
                out.add(code)
            else:
                out.update(group.members)
                out.update(group.aliases)
        return frozenset(out)

    def exporter_set(self, scope: ExporterScope) -> tuple[bool, frozenset[str]]:
        """``(True, excluded)`` for all-but scopes, ``(False, included)`` otherwise."""
        if scope.table:
            return False, self.expand(self.country_lists[scope.table].rates)
        if scope.all:
            return True, self.expand(scope.exclude)
        return False, self.expand(scope.include)

    def table_rates(self, table: str) -> dict[str, float]:
        """Rate per exporter code (group members and aliases expanded) of a country list."""
        out: dict[str, float] = {}
        for code, rate in self.country_lists[table].rates.items():
            for c in self.expand([code]):
                out[c] = rate
        return out

    def product_prefixes(self, scope: ProductScope) -> frozenset[str] | None:
        """All HTS prefixes of a scope (``None`` for all products)."""
        if scope.all:
            return None
        codes: set[str] = set(scope.prefixes) | set(scope.chapters)
        for name in scope.lists:
            codes.update(self.product_lists[name].codes)
        return frozenset(codes)


# ---------------------------------------------------------------------------------- loading


def _packaged() -> Path:
    return Path(str(resources.files(_PACKAGE).joinpath(_FOLDER)))


def _where(path: Path) -> str:
    """A path shown in messages: relative to the package for packaged files."""
    try:
        return "tradelever/data/" + str(path.relative_to(_packaged().parent))
    except ValueError:
        return str(path)


@cache
def _load_packaged() -> Schedule:
    return _load(_packaged() / _MEASURES)


def load_schedule(path: str | Path | None = None) -> Schedule:
    """Read and validate a schedule (default: the packaged US schedule 2025-26).

    Parameters
    ----------
    path
        A ``measures.yaml``; product and country lists are read from the ``SOURCES.json``
        beside it and from its own ``lists:`` section.

    Raises
    ------
    DataFileError
        One line naming the file, the measure or list, and the field at fault.
    """
    if path is None:
        return _load_packaged()
    return _load(Path(path))


def _load(path: Path) -> Schedule:
    where = _where(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"cannot read the schedule ({exc.strerror})", path=where) from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(
            f"not valid YAML ({exc})".splitlines()[0], path=where, line=line
        ) from None
    schedule = parse_schedule(doc, base_dir=path.parent, where=where)
    digest = hashlib.sha256(text.encode("utf-8"))
    sources = path.parent / _SOURCES
    if sources.is_file():
        digest.update(sources.read_bytes())
    provenance = {
        **schedule.provenance,
        "file": where,
        "sha256": digest.hexdigest(),
    }
    return schedule.model_copy(update={"provenance": provenance})


def parse_schedule(doc: Any, *, base_dir: Path | None = None, where: str = "schedule") -> Schedule:
    """Validate a schedule given as a mapping (the parsed YAML).

    Lists come from ``SOURCES.json`` in ``base_dir`` (when present) and from the
    document's ``lists:`` section, whose entries are ``{file: lists/x.csv}``, inline
    ``{codes: [...]}`` product lists or inline ``{rates: {ISO3: percent}}`` country lists.
    """
    if not isinstance(doc, Mapping):
        raise DataFileError("the schedule must be a YAML mapping", path=where)
    for key in ("schedule", "importer", "valid_from", "valid_to", "stacks", "measures"):
        if key not in doc:
            raise DataFileError(f"missing key {key!r}", path=where, field=key)

    product_lists, country_lists = _read_lists(doc.get("lists") or {}, base_dir, where)
    groups = {
        name: _model(
            Group,
            {"name": spec.get("name", name), **_without(spec, "name")},
            where,
            f"group {name!r}",
            "groups",
        )
        for name, spec in (doc.get("groups") or {}).items()
    }
    stacks = {
        name: _model(Stack, {"name": name, **(spec or {})}, where, f"stack {name!r}", "stacks")
        for name, spec in doc["stacks"].items()
    }
    for stack in stacks.values():
        unknown = [s for s in stack.yields_to if s not in stacks]
        if unknown:
            raise DataFileError(
                f"stack {stack.name!r}: yields to unknown stacks {unknown}",
                path=where,
                field="yields_to",
            )

    measures = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["measures"] or []):
        mid = raw.get("id") if isinstance(raw, Mapping) else None
        label = f"measure {mid!r}" if mid else f"measures[{i}]"
        if not isinstance(raw, Mapping):
            raise DataFileError(f"{label}: must be a mapping", path=where)
        if not mid or not _ID.match(str(mid)):
            raise DataFileError(
                f"{label}: id {mid!r} must be lower-case letters, digits, .-_",
                path=where,
                field="id",
            )
        if mid in seen:
            raise DataFileError(f"{label}: duplicate id", path=where, field="id")
        seen.add(mid)
        data = _measure_fields(raw, label, where)
        measures.append(_model(Measure, data, where, label, None))
    exemptions = []
    for i, raw in enumerate(doc.get("exemptions") or []):
        eid = raw.get("id") if isinstance(raw, Mapping) else None
        label = f"exemption {eid!r}" if eid else f"exemptions[{i}]"
        if not eid or eid in seen:
            raise DataFileError(f"{label}: a unique id is required", path=where, field="id")
        seen.add(eid)
        data = dict(raw)
        for key in ("effective_from", "effective_to"):
            if data.get(key) is not None:
                data[key] = _field_date(data[key], label, where, key)
        if not isinstance(raw.get("instrument"), Mapping) or not raw["instrument"].get("url"):
            raise DataFileError(
                f"{label}: the instrument's public URL is missing",
                path=where,
                field="instrument.url",
            )
        data["products"] = _product_scope(raw.get("products"), label, where, "products")
        data["exporters"] = _exporter_scope(raw.get("exporters", "all"), label, where)
        data["applies_to"] = tuple(raw.get("applies_to") or ())
        exemptions.append(_model(ExemptionRule, data, where, label, None))

    left_out = tuple(
        _model(LeftOut, dict(item), where, f"left_out[{i}]", "left_out")
        for i, item in enumerate(doc.get("left_out") or [])
    )
    schedule = _model(
        Schedule,
        {
            "name": str(doc["schedule"]),
            "importer": str(doc["importer"]),
            "title": str(doc.get("title", doc["schedule"])),
            "valid_from": _field_date(doc["valid_from"], "schedule", where, "valid_from"),
            "valid_to": _field_date(doc["valid_to"], "schedule", where, "valid_to"),
            "mfn_proxy": str(doc.get("mfn_proxy", "")),
            "groups": groups,
            "stacks": stacks,
            "measures": tuple(measures),
            "exemptions": tuple(exemptions),
            "product_lists": product_lists,
            "country_lists": country_lists,
            "left_out": left_out,
            "notes": tuple(str(n) for n in doc.get("notes") or ()),
            "provenance": {
                "source": f"{doc.get('title', doc['schedule'])} (tradelever schedule "
                f"{doc['schedule']})",
                "version": f"{doc['valid_from']} to {doc['valid_to']}",
                "lists": f"{len(product_lists)} product lists, {len(country_lists)} country lists",
            },
        },
        where,
        "schedule",
        None,
    )
    _check_references(schedule, where)
    _check_contradictions(schedule, where)
    return schedule


# ------------------------------------------------------------------------------- helpers


def _without(spec: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in keys}


def _model(cls: type[BaseModel], data: Any, where: str, label: str, default_field: str | None):
    """Build a model; a validation error becomes one DataFileError line."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or default_field
        msg = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        if err["type"] == "missing":
            msg = "missing (required)"
        elif err["type"] in ("extra_forbidden",):
            msg = "unknown key"
        elif not isinstance(value, (dict, list)) and "is not" not in msg:
            msg = f"{msg} (got {value!r})"
        raise DataFileError(f"{label}: {msg}", path=where, field=loc) from None


def _field_date(value: Any, label: str, where: str, field: str) -> dt.date:
    try:
        return _date(value)
    except ValueError as exc:
        raise DataFileError(f"{label}: {exc}", path=where, field=field) from None


def _measure_fields(raw: Mapping[str, Any], label: str, where: str) -> dict[str, Any]:
    data = dict(raw)
    for key in ("effective_from", "effective_to"):
        if data.get(key) is not None:
            data[key] = _field_date(data[key], label, where, key)
    instrument = raw.get("instrument")
    if not isinstance(instrument, Mapping) or not instrument.get("url"):
        raise DataFileError(
            f"{label}: the instrument's public URL is missing (every measure needs its source)",
            path=where,
            field="instrument.url",
        )
    data["products"] = _product_scope(raw.get("products"), label, where, "products")
    if raw.get("exclude") is not None:
        data["exclude"] = _product_scope(raw["exclude"], label, where, "exclude")
    data["exporters"] = _exporter_scope(raw.get("exporters"), label, where)
    data["rate"] = _rate(raw.get("rate"), label, where)
    return data


def _product_scope(value: Any, label: str, where: str, field: str) -> ProductScope:
    if value == "all":
        return ProductScope(all=True)
    if not isinstance(value, Mapping) or not value:
        raise DataFileError(
            f"{label}: write 'all' or a mapping of lists/prefixes/chapters", path=where, field=field
        )
    data = {k: tuple(str(c) for c in (v or ())) for k, v in value.items()}
    return _model(ProductScope, data, where, label, field)


def _exporter_scope(value: Any, label: str, where: str) -> ExporterScope:
    if value == "all":
        return ExporterScope(all=True)
    if isinstance(value, (list, tuple)) and value:
        return ExporterScope(include=tuple(str(c) for c in value))
    if isinstance(value, Mapping) and set(value) == {"all_except"}:
        return ExporterScope(all=True, exclude=tuple(str(c) for c in value["all_except"] or ()))
    if isinstance(value, Mapping) and set(value) == {"table"}:
        return ExporterScope(table=str(value["table"]))
    raise DataFileError(
        f"{label}: write 'all', a list of ISO3 codes or groups, {{all_except: [...]}} or "
        f"{{table: <country list>}} (got {value!r})",
        path=where,
        field="exporters",
    )


def _rate(value: Any, label: str, where: str) -> Rate:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise DataFileError(
            f"{label}: write {{additional: 0.25}}, {{all_in: 0.15}} or {{table: <country list>}}"
            f" (got {value!r})",
            path=where,
            field="rate",
        )
    ((kind, amount),) = value.items()
    if kind == "table":
        return _model(Rate, {"kind": "table", "table": str(amount)}, where, label, "rate")
    if kind not in ("additional", "all_in"):
        raise DataFileError(f"{label}: unknown rate kind {kind!r}", path=where, field="rate")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount != amount:
        raise DataFileError(
            f"{label}: {kind} must be a number (got {amount!r})", path=where, field="rate"
        )
    if not 0 <= amount <= MAX_RATE:
        raise DataFileError(
            f"{label}: {kind} {amount} is outside 0-{MAX_RATE:g}: rates are fractions "
            "(0.25 = 25 percent)",
            path=where,
            field="rate",
        )
    return Rate(kind=kind, value=float(amount))


def _read_lists(
    section: Mapping[str, Any], base_dir: Path | None, where: str
) -> tuple[dict[str, ProductList], dict[str, CountryList]]:
    products: dict[str, ProductList] = {}
    countries: dict[str, CountryList] = {}
    if base_dir is not None and (base_dir / _SOURCES).is_file():
        sources_path = base_dir / _SOURCES
        try:
            sources = json.loads(sources_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"unreadable ({exc})", path=_where(sources_path)) from None
        for entry in sources.get("files", []):
            spec = {
                "file": entry["output"],
                "instrument": entry["instrument"],
                "url": entry["url"],
                "sha256": entry["sha256"],
                "kind": entry["kind"],
            }
            _add_list(entry["list"], spec, base_dir, _where(sources_path), products, countries)
    for list_id, spec in section.items():
        if not isinstance(spec, Mapping):
            raise DataFileError(f"list {list_id!r}: must be a mapping", path=where, field="lists")
        _add_list(str(list_id), spec, base_dir, where, products, countries)
    return products, countries


def _add_list(
    list_id: str,
    spec: Mapping[str, Any],
    base_dir: Path | None,
    where: str,
    products: dict[str, ProductList],
    countries: dict[str, CountryList],
) -> None:
    label = f"list {list_id!r}"
    instrument = str(spec.get("instrument", list_id))
    url = str(spec.get("url", ""))
    if "codes" in spec:
        codes = tuple(str(c) for c in spec["codes"])
        bad = [c for c in codes if not _HTS.match(c)]
        if bad:
            raise DataFileError(f"{label}: {bad[:5]} are not HTS codes", path=where, field="codes")
        products[list_id] = ProductList(id=list_id, instrument=instrument, url=url, codes=codes)
        return
    if "rates" in spec:
        rates = {str(k): float(v) / 100 for k, v in (spec["rates"] or {}).items()}
        countries[list_id] = CountryList(id=list_id, instrument=instrument, url=url, rates=rates)
        return
    if "file" not in spec or base_dir is None:
        raise DataFileError(f"{label}: give file:, codes: or rates:", path=where, field="lists")
    path = base_dir / str(spec["file"])
    shown = _where(path)
    try:
        raw = path.read_bytes()
    except OSError:
        raise DataFileError(f"{label}: list file not found", path=shown) from None
    if spec.get("sha256") and hashlib.sha256(raw).hexdigest() != spec["sha256"]:
        raise DataFileError(
            f"{label}: sha256 differs from SOURCES.json (altered; rebuild with "
            "tools/build_us_tariffs.py)",
            path=shown,
        )
    lines = [ln for ln in raw.decode("utf-8").splitlines() if ln and not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    header_line = next(
        i
        for i, ln in enumerate(raw.decode("utf-8").splitlines(), 1)
        if ln and not ln.startswith("#")
    )
    if spec.get("kind", "products") == "countries":
        rates: dict[str, float] = {}
        for n, row in enumerate(rows, start=header_line + 1):
            code = (row.get("iso3") or "").strip()
            try:
                rates[code] = float(row["rate_percent"]) / 100
            except (KeyError, TypeError, ValueError):
                raise DataFileError(
                    f"{label}: bad rate_percent", path=shown, line=n, field="rate_percent"
                ) from None
        countries[list_id] = CountryList(
            id=list_id, instrument=instrument, url=url, rates=rates, file=str(spec["file"])
        )
        return
    codes_list = []
    for n, row in enumerate(rows, start=header_line + 1):
        code = (row.get("code") or "").strip()
        if not _HTS.match(code):
            raise DataFileError(
                f"{label}: {code!r} is not an HTS code", path=shown, line=n, field="code"
            )
        codes_list.append(code)
    products[list_id] = ProductList(
        id=list_id, instrument=instrument, url=url, codes=tuple(codes_list), file=str(spec["file"])
    )


def _check_exporters(
    schedule: Schedule, codes: Iterable[str], label: str, where: str, field: str
) -> None:
    from tradelever.reference.countries import resolve_country

    aliases = {a for g in schedule.groups.values() for a in g.aliases}
    for code in codes:
        if code in schedule.groups or code in aliases:
            continue
        if not _ISO3.match(code):
            raise DataFileError(
                f"{label}: {code!r} is not an ISO3 code or a group ({sorted(schedule.groups)})",
                path=where,
                field=field,
            )
        try:
            resolve_country(code, parameter=f"{label}: {field}")
        except UnknownCountryError as exc:
            raise DataFileError(f"{label}: {exc}", path=where, field=field) from None


def _check_references(schedule: Schedule, where: str) -> None:
    products, countries = schedule.product_lists, schedule.country_lists
    for group in schedule.groups.values():
        _check_exporters(schedule, group.members, f"group {group.name!r}", where, "members")
    items: list[tuple[str, Measure | ExemptionRule]] = [
        *((f"measure {m.id!r}", m) for m in schedule.measures),
        *((f"exemption {e.id!r}", e) for e in schedule.exemptions),
    ]
    for label, item in items:
        if item.effective_to is not None and item.effective_to < item.effective_from:
            raise DataFileError(
                f"{label}: effective_to {item.effective_to} is before effective_from "
                f"{item.effective_from}",
                path=where,
                field="effective_to",
            )
        scopes = [("products", item.products)]
        if isinstance(item, Measure) and item.exclude is not None:
            scopes.append(("exclude", item.exclude))
        for field, scope in scopes:
            for name in scope.lists:
                if name not in products:
                    kind = "a country list" if name in countries else "an unknown list file"
                    raise DataFileError(
                        f"{label}: {field}.lists: {name!r} is {kind}; product lists: "
                        f"{', '.join(sorted(products)) or '(none)'}",
                        path=where,
                        field=f"{field}.lists",
                    )
        ex = item.exporters
        if ex.table is not None and ex.table not in countries:
            raise DataFileError(
                f"{label}: exporters.table: {ex.table!r} is not a country list",
                path=where,
                field="exporters.table",
            )
        _check_exporters(schedule, [*ex.include, *ex.exclude], label, where, "exporters")
        if isinstance(item, Measure):
            if item.stack not in schedule.stacks:
                raise DataFileError(
                    f"{label}: stack {item.stack!r} is not one of {sorted(schedule.stacks)}",
                    path=where,
                    field="stack",
                )
            if item.rate.kind == "table" and item.rate.table not in countries:
                raise DataFileError(
                    f"{label}: rate.table: {item.rate.table!r} is not a country list",
                    path=where,
                    field="rate.table",
                )
        else:
            unknown = [s for s in item.applies_to if s not in schedule.stacks]
            if unknown:
                raise DataFileError(
                    f"{label}: applies_to unknown stacks {unknown}", path=where, field="applies_to"
                )
    for cl in countries.values():
        _check_exporters(schedule, cl.rates, f"list {cl.id!r}", where, "iso3")
        bad = {c: r for c, r in cl.rates.items() if not 0 <= r <= MAX_RATE}
        if bad:
            raise DataFileError(
                f"list {cl.id!r}: rates out of range {bad}", path=where, field="rate_percent"
            )


def _dates_overlap(a: Measure, b: Measure) -> bool:
    end_a = a.effective_to or dt.date.max
    end_b = b.effective_to or dt.date.max
    return a.effective_from <= end_b and b.effective_from <= end_a


def _exporters_overlap(schedule: Schedule, a: Measure, b: Measure) -> bool:
    all_a, set_a = schedule.exporter_set(a.exporters)
    all_b, set_b = schedule.exporter_set(b.exporters)
    if all_a and all_b:
        return True
    if all_a:
        return bool(set_b - set_a)
    if all_b:
        return bool(set_a - set_b)
    return bool(set_a & set_b)


def _products_overlap(schedule: Schedule, a: Measure, b: Measure) -> bool:
    pa, pb = schedule.product_prefixes(a.products), schedule.product_prefixes(b.products)
    if pa is None or pb is None:
        return True

    def covered(codes: frozenset[str], by: frozenset[str]) -> bool:
        return any(c[:n] in by for c in codes for n in range(2, len(c) + 1, 2))

    return covered(pa, pb) or covered(pb, pa)


def _check_contradictions(schedule: Schedule, where: str) -> None:
    """Two measures of one stack and priority may not cover the same cell with other rates."""
    by_stack: dict[tuple[str, int], list[Measure]] = {}
    for m in schedule.measures:
        by_stack.setdefault((m.stack, m.priority), []).append(m)
    for (stack, priority), group in by_stack.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.rate == b.rate or not _dates_overlap(a, b):
                    continue
                if _exporters_overlap(schedule, a, b) and _products_overlap(schedule, a, b):
                    start = max(a.effective_from, b.effective_from)
                    raise DataFileError(
                        f"measures {a.id!r} and {b.id!r} overlap (stack {stack}, priority "
                        f"{priority}, from {start}) with different rates "
                        f"({a.rate.describe()} vs {b.rate.describe()}); end one earlier, "
                        "narrow its scope or give one a higher priority",
                        path=where,
                        field="measures",
                    )

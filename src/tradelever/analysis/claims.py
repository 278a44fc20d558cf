"""Quantitative claims of research notes, and their check against recomputed figures.

A claims file (YAML) lists the figures a note states, each with the measure that would
reproduce it, that measure's parameters (countries, products, year, preferred data sets), the
claimed value with its unit, a tolerance and why, and where the claim was made. This module
holds the schema and the pure comparison; computing the figure from data is the caller's
job (:func:`check_claims` takes it as a function), so the same check runs on any data set.

Measures (``V(i,j,k)``: value of product ``k`` shipped from ``i`` to ``j`` in the year):

``share_of_partner_imports``
    ``sum_{i in home} V(i,p,K) / M(p,K)``, with ``M(p,K) = sum_{i != p} V(i,p,K)``; a share.
``partner_imports``
    ``M(p,K)``, US dollars.
``world_export_share``
    ``X(home,K) / W(K)``, ``X(i,K) = sum_{j != i} V(i,j,K)``, ``W(K) = sum_i X(i,K)``; a share.
``export_share``
    ``X(home,K) / X(home, all products)``; a share.
``balance``
    ``X(home -> partner, K) - X(partner -> home, K)``, US dollars (all goods when no products).
``other``
    Production, capacity or rankings that trade data cannot settle; optionally with a
    ``proxy`` trade measure reported for information.

Verdicts: ``supported`` (the recomputed value is within the tolerance of the claimed one),
``contradicted`` (outside it) or ``not_checkable`` (no recomputed value, a measure that trade
data cannot settle, a different year or basis). The notes say why and what data would settle
it; ambiguities of scope recorded with the claim are always repeated.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradelever.errors import DataFileError, InputError, UnknownCountryError
from tradelever.formatting import fmt_usd
from tradelever.reference.countries import resolve_country
from tradelever.reference.hs import normalise_revision

# libyaml when available (about ten times faster than the pure-Python loader).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "MEASURE_UNITS",
    "Claim",
    "ClaimCheck",
    "ClaimsFile",
    "Parameters",
    "Products",
    "Recomputed",
    "check_claim",
    "check_claims",
    "checks_frame",
    "format_value",
    "parse_claims",
    "read_claims_file",
]

Measure = Literal[
    "share_of_partner_imports",
    "partner_imports",
    "world_export_share",
    "export_share",
    "balance",
    "other",
]
Unit = Literal["share", "USD", "rank"]
Verdict = Literal["supported", "contradicted", "not_checkable"]
Basis = Literal["value", "quantity"]

#: Unit of each trade measure.
MEASURE_UNITS: Mapping[str, str] = {
    "share_of_partner_imports": "share",
    "partner_imports": "USD",
    "world_export_share": "share",
    "export_share": "share",
    "balance": "USD",
}
# Parameters each measure needs (besides the year).
_NEEDS: Mapping[str, tuple[str, ...]] = {
    "share_of_partner_imports": ("partner", "home", "products"),
    "partner_imports": ("partner", "products"),
    "world_export_share": ("home", "products"),
    "export_share": ("home", "products"),
    "balance": ("partner", "home"),
}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HS = re.compile(r"^\d{2}(\d{2}){0,2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _country(code: str, parameter: str) -> str:
    try:
        key = resolve_country(code, parameter=parameter)
    except UnknownCountryError as exc:
        raise ValueError(str(exc)) from None
    if key != code:
        raise ValueError(f"{code!r}: write country codes as upper-case ISO3 ({key})")
    return key


class Products(_Strict):
    """The products a claim is about: a named group or HS codes, and the note's own words.

    Attributes
    ----------
    description
        The words of the note ("chips", "gloves").
    group
        A product group of ``tradelever/data/product_groups.yaml`` (defined per HS revision).
    hs
        HS chapters, headings or subheadings (2, 4 or 6 digits), with ``revision``.
    revision
        HS revision of ``hs`` (``HS17``, ``HS22``, ...).
    exclude
        Headings or subheadings removed from ``hs``.
    """

    description: str
    group: str | None = None
    hs: list[str] | None = None
    revision: str | None = None
    exclude: list[str] = Field(default_factory=list)

    @field_validator("hs", "exclude", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        for code in value:
            if not isinstance(code, str):
                raise ValueError(
                    f"{code!r}: write HS codes as quoted strings ('{code}'), so that leading "
                    "zeros are kept"
                )
            if not _HS.match(code):
                raise ValueError(f"{code!r}: HS codes are strings of 2, 4 or 6 digits")
        return value

    @field_validator("revision")
    @classmethod
    def _revision(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalise_revision(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from tradelever.analysis.groups import default_groups

        known = default_groups()
        if value not in known:
            raise ValueError(f"{value!r}: unknown product group; known groups: {sorted(known)}")
        return value

    @model_validator(mode="after")
    def _one_selector(self) -> Products:
        if (self.group is None) == (self.hs is None):
            raise ValueError("give either 'group' or 'hs' (with 'revision')")
        if self.hs is not None and self.revision is None:
            raise ValueError("HS codes need their 'revision' (e.g. HS22)")
        if self.exclude and self.hs is None:
            raise ValueError("'exclude' applies to 'hs' codes; a group has its own exclusions")
        return self


class Parameters(_Strict):
    """What to recompute: countries, products, year, basis and preferred data sets.

    ``partner`` is the importer of ``share_of_partner_imports`` and ``partner_imports`` and the
    counterpart of ``balance``; ``home`` is the supplier(s) or exporter(s) (several codes are
    summed, e.g. China with Hong Kong). ``datasets`` are names or name prefixes, best first
    (``baci-hs22`` matches ``baci-hs22-v202501``).
    """

    partner: str | None = None
    home: list[str] | None = None
    products: Products | None = None
    year: int = Field(ge=1988, le=2100)
    basis: Basis = "value"
    datasets: list[str] = Field(min_length=1)

    @field_validator("partner")
    @classmethod
    def _partner(cls, value: str | None) -> str | None:
        return None if value is None else _country(value, "partner")

    @field_validator("home")
    @classmethod
    def _home(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("give at least one country code")
        return [_country(code, "home") for code in value]

    def check_for(self, measure: str) -> None:
        """Raise ``ValueError`` naming the parameters ``measure`` needs and lacks."""
        lacking = [name for name in _NEEDS[measure] if getattr(self, name) is None]
        if lacking:
            raise ValueError(f"measure {measure!r} needs parameters {lacking}")


class Claimed(_Strict):
    """The value as the note states it: number, unit, and its wording."""

    value: float
    unit: Unit
    wording: str
    also_stated: str | None = None


class Tolerance(_Strict):
    """How far a recomputed value may be from the claim and still support it, and why.

    ``absolute`` is in the claim's unit (share points as a fraction, US dollars);
    ``relative`` is a fraction of the claimed value.
    """

    kind: Literal["absolute", "relative"]
    value: float = Field(gt=0)
    why: str = Field(min_length=10)


class Where(_Strict):
    """Where the claim was made."""

    publication: str
    url: str
    date: _dt.date
    attributed_to: str

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r}: give the public URL")
        return value


class Proxy(_Strict):
    """A trade measure reported beside a claim that trade data cannot settle."""

    measure: Measure
    parameters: Parameters
    note: str

    @model_validator(mode="after")
    def _trade_measure(self) -> Proxy:
        if self.measure == "other":
            raise ValueError("a proxy must be a trade measure")
        self.parameters.check_for(self.measure)
        return self


class Claim(_Strict):
    """One quantitative claim of a note (see the module docstring for the measures)."""

    id: str
    text: str
    where: Where
    measure: Measure
    parameters: Parameters | None = None
    claimed: Claimed
    tolerance: Tolerance | None = None
    scope_notes: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    settle_with: str
    proxy: Proxy | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits and '-'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Claim:
        if self.measure == "other":
            if self.parameters is not None:
                raise ValueError("a claim of measure 'other' has no parameters (use 'proxy')")
            return self
        if self.proxy is not None:
            raise ValueError("only a claim of measure 'other' takes a proxy")
        if self.parameters is None:
            raise ValueError(f"measure {self.measure!r} needs 'parameters'")
        self.parameters.check_for(self.measure)
        if self.tolerance is None:
            raise ValueError("give a 'tolerance' (and say why)")
        unit = MEASURE_UNITS[self.measure]
        if self.claimed.unit != unit:
            raise ValueError(f"measure {self.measure!r} is in {unit!r}, not {self.claimed.unit!r}")
        if unit == "share" and not 0 <= self.claimed.value <= 1:
            raise ValueError("a share is a fraction between 0 and 1 (0.2 for 20%)")
        return self

    @property
    def year(self) -> int | None:
        """The year the claim refers to (of its parameters or proxy)."""
        params = self.parameters or (self.proxy.parameters if self.proxy else None)
        return params.year if params else None


class ClaimsFile(_Strict):
    """A claims file: the note it checks and its claims (ids unique)."""

    title: str
    source: str
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ClaimsFile:
        ids = [c.id for c in self.claims]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"claim ids are not unique: {twice}")
        return self


# --- reading ---------------------------------------------------------------------------


def _node_line(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def parse_claims(text: str, *, where: str) -> ClaimsFile:
    """Parse and validate the YAML text of a claims file.

    Raises
    ------
    DataFileError
        Naming the file, line and field of the first problem (and how many more).
    """
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(f"not valid YAML: {problem}", path=where, line=line) from None
    if not isinstance(data, dict):
        raise DataFileError("a claims file must be a YAML mapping", path=where)
    try:
        return ClaimsFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        loc = tuple(errors[0]["loc"])
        message = str(errors[0]["msg"]).removeprefix("Value error, ")
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc)
        raise DataFileError(
            message + more,
            path=where,
            line=_node_line(yaml.compose(text, Loader=_LOADER), loc),
            field=dotted.replace(".[", "[") or None,
        ) from None


def read_claims_file(path: str | Path) -> ClaimsFile:
    """Read and validate a claims file (see ``examples/claims/``).

    Raises
    ------
    DataFileError
        If the file is missing, not YAML or invalid (with the line and field).
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DataFileError(
            f"cannot read the claims file: {exc.strerror}", path=str(path)
        ) from None
    return parse_claims(text, where=str(path))


# --- checking (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recomputed:
    """A figure recomputed from data for a claim, with its provenance.

    Attributes
    ----------
    value
        The recomputed value in ``unit``; ``None`` when the data could not give it.
    unit
        ``share`` (a fraction) or ``USD``.
    year
        The year of the data used.
    dataset
        The data set name (``baci-hs22-v202501``, ``census-us-2024``).
    provenance
        Source, release, classification, licence and checksum of the data set.
    products
        The product codes actually summed (after resolving a group).
    basis
        ``value`` or ``quantity``.
    notes
        What the computation assumed (e.g. "HS22 definition of the group").
    missing_reason
        Why there is no value (e.g. "2024 is not in the store").
    """

    value: float | None
    unit: str
    year: int | None = None
    dataset: str | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    products: tuple[str, ...] = ()
    basis: str = "value"
    notes: tuple[str, ...] = ()
    missing_reason: str | None = None


@dataclass(frozen=True)
class ClaimCheck:
    """The verdict on one claim, with the numbers and the reasons.

    ``difference`` is ``recomputed - claimed`` in the claim's unit (``None`` when not
    compared).
    """

    id: str
    verdict: Verdict
    claimed: float
    unit: str
    recomputed: float | None
    difference: float | None
    year: int | None
    dataset: str | None
    provenance: Mapping[str, Any]
    tolerance: Tolerance | None
    notes: tuple[str, ...]

    def to_row(self) -> dict[str, Any]:
        """A JSON-ready row: ``id``, ``verdict``, ``claimed``, ``recomputed`` and the rest."""
        return {
            "id": self.id,
            "verdict": self.verdict,
            "claimed": self.claimed,
            "recomputed": self.recomputed,
            "unit": self.unit,
            "difference": self.difference,
            "year": self.year,
            "dataset": self.dataset,
            "tolerance": None
            if self.tolerance is None
            else {"kind": self.tolerance.kind, "value": self.tolerance.value},
            "provenance": dict(self.provenance),
            "notes": list(self.notes),
        }


def format_value(value: float | None, unit: str) -> str:
    """A value for a sentence: shares as percent (one decimal), US dollars with a scale."""
    if value is None:
        return "-"
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "USD":
        return fmt_usd(value)
    return f"{value:g}"


def _preferred(dataset: str | None, preferred: Sequence[str]) -> bool:
    return dataset is not None and any(dataset.startswith(p) for p in preferred)


def check_claim(claim: Claim, recomputed: Recomputed | None) -> ClaimCheck:
    """Compare a claim with a recomputed value.

    Rules, in order: a claim of measure ``other`` is ``not_checkable`` (a proxy value, if
    given, is reported and labelled as such); no recomputed value is ``not_checkable``; a
    recomputed value for another year or basis (value/quantity) is ``not_checkable``;
    otherwise ``supported`` if ``|recomputed - claimed| <= tolerance`` (absolute, or relative
    to ``|claimed|``), else ``contradicted``. The claim's scope notes are always added.

    Raises
    ------
    InputError
        If the recomputed unit is not the claim's (a wiring error, not a verdict).
    """
    notes: list[str] = []
    params = claim.parameters or (claim.proxy.parameters if claim.proxy else None)
    expected_unit = (
        MEASURE_UNITS[claim.proxy.measure]
        if claim.measure == "other" and claim.proxy is not None
        else claim.claimed.unit
    )
    if recomputed is not None and recomputed.unit != expected_unit:
        raise InputError(
            f"claim {claim.id}: recomputed unit {recomputed.unit!r} is not {expected_unit!r}"
        )
    value = None if recomputed is None else recomputed.value
    verdict: Verdict = "not_checkable"
    difference: float | None = None

    if claim.measure == "other":
        notes.append(
            "not a trade measure (production, capacity or ranking): trade data cannot settle "
            f"it; would settle it: {claim.settle_with}"
        )
        if claim.proxy is not None and value is not None and recomputed is not None:
            notes.append(
                f"proxy, not the claimed measure: {claim.proxy.measure} = "
                f"{format_value(value, recomputed.unit)} ({recomputed.dataset}, "
                f"{recomputed.year}); {claim.proxy.note}"
            )
        elif claim.proxy is not None:
            reason = recomputed.missing_reason if recomputed is not None else None
            notes.append(
                f"proxy {claim.proxy.measure} not computed" + (f": {reason}" if reason else "")
            )
    elif value is None:
        reason = recomputed.missing_reason if recomputed and recomputed.missing_reason else None
        notes.append(
            f"no recomputed value{': ' + reason if reason else ''}; "
            f"would settle it: {claim.settle_with}"
        )
    elif recomputed is not None and params is not None and recomputed.year != params.year:
        got = "an unstated year" if recomputed.year is None else str(recomputed.year)
        notes.append(
            f"year differs: claimed for {params.year}, recomputed for {got} "
            f"({format_value(value, recomputed.unit)}); data for {params.year} would settle it"
        )
    elif recomputed is not None and params is not None and recomputed.basis != params.basis:
        notes.append(
            f"basis differs: the claim is by {params.basis}, the recomputation by "
            f"{recomputed.basis}"
        )
    else:
        assert claim.tolerance is not None  # guaranteed by Claim for trade measures
        difference = value - claim.claimed.value
        limit = claim.tolerance.value
        if claim.tolerance.kind == "relative":
            limit *= abs(claim.claimed.value)
        verdict = "supported" if abs(difference) <= limit * (1 + 1e-9) else "contradicted"
        notes.append(
            f"claimed {format_value(claim.claimed.value, claim.claimed.unit)} "
            f"({claim.claimed.wording}); recomputed {format_value(value, claim.claimed.unit)}; "
            f"tolerance {_tolerance_text(claim)}"
        )

    if recomputed is not None and params is not None and recomputed.dataset is not None:
        if not _preferred(recomputed.dataset, params.datasets):
            notes.append(
                f"data set differs: {recomputed.dataset} is not among the preferred "
                f"{', '.join(params.datasets)}"
            )
        wanted = params.products
        if wanted is not None and wanted.hs is not None and recomputed.products:
            used = set(recomputed.products)
            if not all(any(u.startswith(c) for c in wanted.hs) for u in used):
                notes.append(
                    f"product scope differs: the data summed codes outside {', '.join(wanted.hs)}"
                )
    notes.extend(f"scope: {note}" for note in claim.scope_notes)
    if recomputed is not None:
        notes.extend(recomputed.notes)
    return ClaimCheck(
        id=claim.id,
        verdict=verdict,
        claimed=claim.claimed.value,
        unit=claim.claimed.unit,
        recomputed=value,
        difference=difference,
        year=None if recomputed is None else recomputed.year,
        dataset=None if recomputed is None else recomputed.dataset,
        provenance={} if recomputed is None else dict(recomputed.provenance),
        tolerance=claim.tolerance,
        notes=tuple(notes),
    )


def _tolerance_text(claim: Claim) -> str:
    assert claim.tolerance is not None
    if claim.tolerance.kind == "relative":
        return f"±{claim.tolerance.value * 100:g}%"
    if claim.claimed.unit == "share":
        return f"±{claim.tolerance.value * 100:g} points"
    return f"±{format_value(claim.tolerance.value, claim.claimed.unit)}"


def check_claims(
    claims: ClaimsFile | Iterable[Claim],
    recompute: Callable[[str, Parameters], Recomputed | None],
) -> list[ClaimCheck]:
    """Check every claim with figures from ``recompute``.

    Parameters
    ----------
    claims
        A claims file or claims.
    recompute
        Called as ``recompute(measure, parameters)`` for each trade-measure claim and for
        the proxy of an ``other`` claim; returns a :class:`Recomputed` (with ``value=None``
        and ``missing_reason`` when the data cannot give it) or ``None``. It should not
        raise for missing data.

    Returns
    -------
    list of ClaimCheck
        In the order of the claims.
    """
    items = claims.claims if isinstance(claims, ClaimsFile) else list(claims)
    out = []
    for claim in items:
        if claim.measure != "other":
            assert claim.parameters is not None
            figure = recompute(claim.measure, claim.parameters)
        elif claim.proxy is not None:
            figure = recompute(claim.proxy.measure, claim.proxy.parameters)
        else:
            figure = None
        out.append(check_claim(claim, figure))
    return out


def checks_frame(checks: Iterable[ClaimCheck]) -> pd.DataFrame:
    """The verdicts as a table (one row per claim, columns of :meth:`ClaimCheck.to_row`)."""
    return pd.DataFrame([c.to_row() for c in checks])

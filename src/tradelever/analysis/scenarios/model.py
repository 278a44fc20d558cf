"""Tariff scenarios as data: the YAML schema, its validation and loading.

A scenario is a list of *measures*, each a row of (importer, exporters, products, rate,
basis, source, effective date), plus optional elasticities, baseline rates and named
exemptions. Example (the minimum accepted)::

    name: us-chips-vietnam-example
    description: The United States raises its tariff on Vietnamese processors to 25 percent.
    elasticities:
      substitution: 1.5
      import_demand: -1.2
    measures:
      - importer: USA
        exporters: [VNM]
        products: ["854231"]
        new_rate: 0.25
        basis: reciprocal
        source: "EO 14257 Annex I"

Rates are ad valorem fractions (0.25 = 25 percent). ``new_rate`` sets the duty of that
basis; ``change`` adds to it; ``all_in: true`` makes ``new_rate`` a ceiling on the total
including the baseline (MFN) rate, as in the EU row of the July 31, 2025 order ("15% minus
Column 1 Duty Rate").

Stacking: duties of different bases add; within one basis a later measure replaces an
earlier one for the cells it covers; a ``section232`` duty replaces the ``reciprocal`` and
``section122`` duties on the goods it covers (EO 14257 s.3(b)(ii)-(iii), Section 122
proclamation of February 20, 2026, clause (4)); ``exempt`` lists remove products from one
measure (Annex II of EO 14257, the April 11, 2025 semiconductor list).

Dates: ``date`` is the day whose schedule the scenario describes; a measure whose
``effective`` date is after it is not applied (noted in the assumptions). A scenario that
``extends`` another and is dated before measures it inherits is an error, unless the file
states ``carry_forward: true``, which applies every measure whatever its date.

The schedule of a date: ``on: DATE`` makes the US tariff schedule in force on DATE
(:mod:`tradelever.sources.us_tariffs`) the base of the scenario. On a data set with US tariff
lines (``census-us-2024``: HS10 lines with their 2024 duty) the rate of each exporter and
product is the 2024-value-weighted mean of its lines' additional rates on DATE, per basis;
the scenario's own measures then apply on top (``new_rate`` replaces the duty of its basis,
``change`` adds to it; ``only_where_charged: true`` limits a measure to the cells where the
schedule already charges a duty of that basis, e.g. a deal rate replacing the reciprocal
duty but not its exemptions). The presets named for a date state ``on`` and
``restates_schedule: true``: their measures restate that schedule with selectors, and are
used only on data without tariff lines (ICIO, BACI), as the assumptions then say; on data
with the lines the schedule replaces them. A user scenario with ``on`` on such data takes
the measures of the latest preset dated on or before DATE as its schedule.

Baseline: effects are measured against no additional tariffs (the ``baseline`` rates, 0
unless set) or, with ``relative_to: OTHER``, against the schedule of scenario OTHER.

Invalid input raises :class:`tradelever.errors.InputError` naming the file and the key
path, e.g. ``measures[0].new_rate: 25.0 is above 5 (500%): rates are fractions, write
0.25 for 25 percent``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradelever.errors import InputError

__all__ = [
    "BASES",
    "BaselineRate",
    "Elasticities",
    "ElasticityOverride",
    "Measure",
    "Scenario",
    "Uncertainty",
    "format_validation_error",
    "parse_scenario",
    "read_scenario_file",
]

BASES = (
    "mfn",
    "reciprocal",
    "section232",
    "section301",
    "fentanyl",
    "section122",
    "other",
)
Basis = Literal["mfn", "reciprocal", "section232", "section301", "fentanyl", "section122", "other"]
MAX_RATE = 5.0  # 500 percent: anything above is almost surely a percentage typed as a number
# The largest substitution elasticity accepted: above the largest sectoral estimate in
# Caliendo and Parro (2015) (petroleum, theta 64.85, sigma 65.85) and the bound under which
# the CES solver's exponentials stay finite for any tariff factor.
MAX_SIGMA = 100.0
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HS = re.compile(r"^\d{2,10}$")
_INDUSTRY = re.compile(r"^[A-T](\d{2,3}([A-Z0-9_]*)?)?$")
_SET_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def _check_rate(value: float, what: str = "rate") -> float:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{what} must be a finite number")
    if value > MAX_RATE:
        raise ValueError(
            f"{value} is above {MAX_RATE:g} ({MAX_RATE:.0%}): rates are fractions, "
            f"write {value / 100:g} for {value:g} percent"
        )
    return value


def _check_tokens(values: list[str]) -> list[str]:
    """Check each token; a failure names its list index (moved into the key path)."""
    out = []
    for n, v in enumerate(values):
        try:
            out.append(_check_product_token(v))
        except ValueError as exc:
            raise ValueError(f"@[{n}]@{exc}") from None
    return out


def _check_product_token(token: str) -> str:
    token = str(token).strip()
    if token == "all":
        return token
    if _HS.match(token) or _INDUSTRY.match(token) or _SET_NAME.match(token):
        return token
    raise ValueError(
        f"{token!r} is not a product selector: use HS codes or prefixes of 2 to 10 digits "
        "(e.g. '854231', '8542'), ICIO industry codes (e.g. 'C26'), a product-set name "
        "(see `tradelever scenario list`) or 'all'"
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AllExcept(_Strict):
    """Every exporter except the listed ISO3 codes or groups."""

    all_except: list[str] = Field(min_length=1)


ExporterSpec = str | list[str] | AllExcept


def _normalise_countries(value: Any) -> Any:
    """Upper-case ISO3 codes and groups; leave 'all' and objects alone."""
    if isinstance(value, str):
        return "all" if value.strip().lower() == "all" else value.strip().upper()
    if isinstance(value, list):
        return [str(v).strip().upper() for v in value]
    return value


class ElasticityOverride(_Strict):
    """Elasticities for the products matching one HS prefix or industry code."""

    substitution: float | None = Field(default=None, gt=0, le=MAX_SIGMA, allow_inf_nan=False)
    import_demand: float | None = Field(default=None, lt=0, allow_inf_nan=False)
    export_supply: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class Uncertainty(_Strict):
    """Distributions of the Monte Carlo draws (``--draws N``).

    Each elasticity is multiplied, in each draw, by one log-normal factor common to all
    products (perfect correlation across products: the conservative choice for aggregate
    ranges). A factor is given by its 5th and 95th percentiles; its median is their
    geometric mean. For the substitution elasticity the factor scales the trade elasticity
    sigma - 1, so that sigma stays above 1.
    """

    substitution: tuple[float, float] = (0.5, 2.0)
    import_demand: tuple[float, float] = (0.5, 2.0)
    export_supply: tuple[float, float] = (0.5, 2.0)
    seed: int = Field(default=20250402, ge=0)

    @field_validator("substitution", "import_demand", "export_supply")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
            raise ValueError(f"expected [p5, p95] with 0 < p5 <= p95, got {list(value)}")
        return value


class Elasticities(_Strict):
    """Elasticities of the partial-equilibrium models.

    Attributes
    ----------
    substitution
        sigma > 0, between suppliers of one product (Armington). Default: per product or
        industry from Caliendo and Parro (2015), sigma = 1 + theta (WITS-SMART's own
        default is 1.5; set it here to reproduce a WITS run).
    import_demand
        epsilon_m < 0, of the importer's total demand for the product. Default -1.0.
    export_supply
        epsilon_x > 0, of each supplier's export supply; omitted = perfectly elastic
        (SMART's default of 99 is treated as infinite).
    products
        Overrides per HS prefix or industry code; the longest matching prefix wins.
    uncertainty
        Distributions for ``--draws``.
    """

    substitution: float | None = Field(default=None, gt=0, le=MAX_SIGMA, allow_inf_nan=False)
    import_demand: float | None = Field(default=None, lt=0, allow_inf_nan=False)
    export_supply: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    products: dict[str, ElasticityOverride] = Field(default_factory=dict)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)

    @field_validator("products")
    @classmethod
    def _codes(cls, value: dict[str, ElasticityOverride]) -> dict[str, ElasticityOverride]:
        for code in value:
            if not (_HS.match(str(code)) or _INDUSTRY.match(str(code))):
                raise ValueError(f"{code!r}: expected an HS prefix or an ICIO industry code")
        return value


class BaselineRate(_Strict):
    """A baseline (pre-scenario) ad valorem rate, e.g. the MFN duty; default 0."""

    importer: ExporterSpec
    exporters: ExporterSpec = "all"
    products: str | list[str] = "all"
    rate: float = Field(ge=0, allow_inf_nan=False)
    source: str = Field(min_length=1)

    _norm_imp = field_validator("importer", mode="before")(_normalise_countries)
    _norm_exp = field_validator("exporters", mode="before")(_normalise_countries)

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: float) -> float:
        return _check_rate(value)

    @field_validator("products")
    @classmethod
    def _products(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, str):
            return _check_product_token(value)
        return _check_tokens(value)


class Measure(_Strict):
    """One tariff action: who, on what, how much, under which law, from which document.

    ``importer`` and ``exporters`` take ISO3 codes, group names (``ASEAN``, ``EU27``,
    ``G20``), ``all`` or ``{all_except: [...]}``.
    """

    importer: ExporterSpec
    exporters: ExporterSpec
    products: str | list[str]
    exempt: list[str] = Field(default_factory=list)
    new_rate: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    change: float | None = Field(default=None, allow_inf_nan=False)
    all_in: bool = False
    basis: Basis
    source: str = Field(min_length=1)
    effective: dt.date | None = None
    note: str | None = None
    only_where_charged: bool = False
    restates_schedule: bool = False

    _norm_imp = field_validator("importer", mode="before")(_normalise_countries)
    _norm_exp = field_validator("exporters", mode="before")(_normalise_countries)

    @field_validator("new_rate", "change")
    @classmethod
    def _rate(cls, value: float | None) -> float | None:
        return None if value is None else _check_rate(value)

    @field_validator("products")
    @classmethod
    def _products(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, str):
            return _check_product_token(value)
        if not value:
            raise ValueError("list is empty; give product codes or 'all'")
        return _check_tokens(value)

    @field_validator("exempt")
    @classmethod
    def _exempt(cls, value: list[str]) -> list[str]:
        out = _check_tokens(value)
        if "all" in out:
            raise ValueError("'all' cannot be exempt; drop the measure instead")
        return out

    @model_validator(mode="after")
    def _one_rate(self) -> Measure:
        if (self.new_rate is None) == (self.change is None):
            raise ValueError("give exactly one of new_rate (the duty) or change (added to it)")
        if self.all_in and self.new_rate is None:
            raise ValueError("all_in needs new_rate (the all-in ceiling)")
        return self


class Scenario(_Strict):
    """A tariff scenario (see the module docstring for the YAML form).

    ``carry_forward: true`` applies every measure whatever its ``effective`` date (the
    inherited ones included); without it a measure dated after ``date`` is not applied, and
    an inherited one is an error (:func:`tradelever.analysis.scenarios.presets.resolve_scenario`).
    """

    name: str
    description: str = ""
    date: dt.date | None = None
    on: dt.date | None = None
    restates_schedule: bool = False
    carry_forward: bool = False
    extends: str | None = None
    relative_to: str | None = None
    elasticities: Elasticities = Field(default_factory=Elasticities)
    baseline: list[BaselineRate] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"{value!r}: use lower-case letters, digits, '-', '_' or '.' (e.g. us-2025-04-02)"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _mark_restating(cls, data: Any) -> Any:
        """``restates_schedule: true`` marks every measure of the file as restating ``on``.

        YAML 1.1 (PyYAML) reads the key ``on`` as the boolean true: it is taken back as ``on``.
        """
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        if isinstance(data, dict) and data.get("restates_schedule") is True:
            if not data.get("on"):
                raise ValueError("restates_schedule: true needs 'on: DATE' (the schedule's date)")
            measures = data.get("measures")
            if isinstance(measures, list):
                data = {
                    **data,
                    "measures": [
                        {**m, "restates_schedule": True} if isinstance(m, dict) else m
                        for m in measures
                    ],
                }
        return data

    @model_validator(mode="after")
    def _has_measures(self) -> Scenario:
        if not self.measures and self.extends is None and self.on is None:
            raise ValueError(
                "a scenario needs at least one measure (or 'extends: NAME', or 'on: DATE' for "
                "the US schedule in force on a date)"
            )
        return self


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part) in ("str", "list[str]", "AllExcept", "function-after[_ordered(), tuple]"):
            continue  # union-branch labels that pydantic inserts; not key names
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def format_validation_error(exc: ValidationError, where: str) -> str:
    """One readable message from a pydantic error: ``file: key.path: problem (got value)``."""
    lines = []
    seen: set[str] = set()
    for err in exc.errors():
        path = _loc(tuple(err["loc"]))
        if path in seen:
            continue  # one message per key path (unions report each branch)
        seen.add(path)
        msg = str(err["msg"]).removeprefix("Value error, ")
        got = err.get("input")
        if msg.startswith("@["):  # an item of a list: put its index into the key path
            index, msg = msg[1:].split("@", 1)
            path += index
            got = got[int(index[1:-1])] if isinstance(got, list) else got
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{path}: {msg}{shown}")
    head = f"{where}: invalid scenario: " if where else "invalid scenario: "
    return head + "; ".join(lines[:5]) + (f"; and {len(lines) - 5} more" if len(lines) > 5 else "")


def parse_scenario(data: Any, *, where: str = "") -> Scenario:
    """Validate a mapping (parsed YAML or built in Python) as a :class:`Scenario`.

    Raises
    ------
    InputError
        Naming ``where`` (the file) and the key path of every problem.
    """
    if not isinstance(data, dict):
        raise InputError(f"{where}: a scenario must be a mapping, got {type(data).__name__}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, where)) from None


def read_scenario_file(path: str | Path) -> Scenario:
    """Read and validate one scenario YAML file.

    Raises
    ------
    InputError
        If the file is missing, is not YAML (with the line), or fails validation.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the scenario file: {exc.strerror}") from None
    return parse_scenario_text(text, where=str(path))


def parse_scenario_text(text: str, *, where: str) -> Scenario:
    """Parse YAML text and validate it; YAML syntax errors name the line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{where}{line}: not valid YAML: {problem}") from None
    return parse_scenario(data, where=where)


def is_hs_token(token: str) -> bool:
    """Whether a product token is an HS code or prefix."""
    return bool(_HS.match(token))


def is_industry_token(token: str) -> bool:
    """Whether a product token looks like an ICIO industry code (C26, C24A, D)."""
    return bool(_INDUSTRY.match(token))


def is_iso3(token: str) -> bool:
    """Whether a string looks like an ISO3 code."""
    return bool(_ISO3.match(token))

"""Options, declared once: allowed values, bounds, help text and their spellings.

Every enumerated option has a ``Literal`` alias here (:data:`Level`, :data:`Mode`,
:data:`Format`, :data:`BriefFormat`) and one validator, :func:`choice`, that names the
parameter at fault. Every option of an analysis is an :class:`Option` (name, type, default,
bounds, help, command-line flag and HTTP query name), gathered in the analysis'
:class:`Analysis` record next to its formulas; the command line, the HTTP routes and their
OpenAPI schema are generated from those records, and :meth:`Option.check` enforces the
bounds in the library itself, so a Python caller gets the same answer as the interfaces.

>>> choice("hs4", LEVELS, "level")
'hs4'
>>> Option("share_lost", float, 1.0, "Fraction lost.", ge=0.0, le=1.0).check(1.5)
Traceback (most recent call last):
...
tradelever.errors.InputError: share_lost: must be a number >= 0 and <= 1, got 1.5
"""

from __future__ import annotations

import math
import types
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, Union, get_args, get_origin

from tradelever.errors import InputError

__all__ = [
    "BRIEF_FORMATS",
    "FORMATS",
    "LEVELS",
    "MODES",
    "REQUIRED",
    "Analysis",
    "BriefFormat",
    "Format",
    "Level",
    "Mode",
    "Option",
    "choice",
]

Level = Literal["industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group", "total"]
"""Product level: ICIO ``industry``; HS ``hs10``/``hs8`` (national tariff lines), ``hs6``,
``hs4``, ``hs2``; named product ``group``; or ``total`` (a data set of totals by partner)."""
Mode = Literal["ces", "smart"]
"""Partial-equilibrium model of a tariff scenario: CES/Armington or the WITS-SMART formulas."""
Format = Literal["table", "json", "csv"]
"""Output format of a command."""
BriefFormat = Literal["html", "md", "pdf", "json"]
"""Format of a brief."""

LEVELS: Final[tuple[Level, ...]] = get_args(Level)
MODES: Final[tuple[Mode, ...]] = get_args(Mode)
FORMATS: Final[tuple[Format, ...]] = get_args(Format)
BRIEF_FORMATS: Final[tuple[BriefFormat, ...]] = get_args(BriefFormat)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an option that must be given.
REQUIRED: Final = _Required()


def choice(value: Any, allowed: Sequence[str], parameter: str) -> str:
    """Check ``value`` against the allowed values of an enumerated option.

    Raises
    ------
    InputError
        ``"<value> is not one of <allowed>"``, with ``parameter`` as the parameter.
    """
    if isinstance(value, str) and value in allowed:
        return value
    raise InputError(f"{value!r} is not one of {', '.join(allowed)}", parameter=parameter)


def _literal_values(annotation: Any) -> tuple[str, ...] | None:
    """The values of a ``Literal`` annotation, also inside ``X | None``."""
    if get_origin(annotation) is Literal:
        return tuple(get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            values = _literal_values(arg)
            if values is not None:
                return values
    return None


def _accepts_none(annotation: Any) -> bool:
    return annotation is None or (
        get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)
    )


def _number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Option:
    """One option of an analysis, as every interface shows it.

    Attributes
    ----------
    name
        Python spelling: the keyword of the Session method and the error's ``parameter``.
    annotation
        Python type (``float | None``, ``Level | None``, ...).
    default
        Default value, or :data:`REQUIRED`.
    help
        One sentence for ``--help``, the OpenAPI description and the docstring.
    flag, short
        Command-line spelling (default ``--`` + name with dashes) and short flag.
    query
        HTTP query name (default: ``name``).
    argument
        Positional on the command line (``HOME``).
    cli, http
        Whether the option is offered on the command line and over HTTP.
    gt, ge, lt, le
        Bounds of a number (checked by :meth:`check` and the HTTP schema).
    min_length, max_length
        Lengths of a text (HTTP schema).
    examples
        Example values (OpenAPI).
    cli_annotation, http_annotation
        Another type for one interface (``--industry`` repeatable on the command line).
    hint
        Appended to a bound violation ("the CES cost needs sigma > 1").
    http_le
        An upper bound the HTTP API adds (a shared server caps the work one request asks).
    """

    name: str
    annotation: Any
    default: Any = REQUIRED
    help: str = ""
    flag: str | None = None
    short: str | None = None
    query: str | None = None
    argument: bool = False
    cli: bool = True
    http: bool = True
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    examples: tuple[Any, ...] = ()
    cli_annotation: Any = None
    http_annotation: Any = None
    hint: str = ""
    http_le: float | None = None

    @property
    def required(self) -> bool:
        """Whether the option must be given."""
        return self.default is REQUIRED

    @property
    def flag_name(self) -> str:
        """The command-line flag (``--min-rca``)."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def query_name(self) -> str:
        """The HTTP query parameter name."""
        return self.query or self.name

    @property
    def choices(self) -> tuple[str, ...] | None:
        """Allowed values when the type is a ``Literal``."""
        return _literal_values(self.annotation)

    @property
    def bounds(self) -> str:
        """The bounds as text (``>= 0 and <= 1``), empty when there are none."""
        parts = [
            f"{op} {_number(v)}"
            for op, v in ((">", self.gt), (">=", self.ge), ("<", self.lt), ("<=", self.le))
            if v is not None
        ]
        return " and ".join(parts)

    def but(self, **changes: Any) -> Option:
        """A copy with some attributes changed (a shared option adapted to one analysis)."""
        return replace(self, **changes)

    def check(self, value: Any) -> Any:
        """Validate a value against the option's type and bounds; return it.

        ``None`` passes when the type allows it; a ``Literal`` type goes to :func:`choice`;
        a number must be finite and within the bounds.

        Raises
        ------
        InputError
            Naming this option as the parameter.
        """
        if value is None:
            if _accepts_none(self.annotation) or (not self.required and self.default is None):
                return None
            raise InputError("a value is required", parameter=self.name)
        choices = self.choices
        if choices is not None:
            return choice(value, choices, self.name)
        if self.bounds or self.annotation in (float, float | None, int, int | None):
            if isinstance(value, bool):
                raise InputError(f"{value!r} is not a number", parameter=self.name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise InputError(f"{value!r} is not a number", parameter=self.name) from None
            ok = math.isfinite(number) and all(
                test
                for bound, test in (
                    (self.gt, self.gt is None or number > self.gt),
                    (self.ge, self.ge is None or number >= self.ge),
                    (self.lt, self.lt is None or number < self.lt),
                    (self.le, self.le is None or number <= self.le),
                )
            )
            if not ok:
                rule = f"a number {self.bounds}" if self.bounds else "a finite number"
                hint = f"; {self.hint}" if self.hint else ""
                raise InputError(f"must be {rule}, got {value!r}{hint}", parameter=self.name)
        return value


@dataclass(frozen=True)
class Analysis:
    """What an analysis offers: its options and the requests it accepts.

    Attributes
    ----------
    name
        Python name: the :class:`tradelever.api.Session` method.
    command
        Command-line command and HTTP path (``/api/<command>``).
    summary
        One line: the question the analysis answers.
    options
        Its options, in the order of the Session method's signature.
    levels
        Levels it can run at (None: every level of the data set).
    datasets
        Data sets it can run on (None: any).
    home_groups
        ``home`` may be a country group (summed over its members).
    rival_required
        The rival must be given.
    """

    name: str
    command: str
    summary: str
    options: tuple[Option, ...]
    levels: tuple[Level, ...] | None = None
    datasets: tuple[str, ...] | None = None
    home_groups: bool = False
    rival_required: bool = False

    def option(self, name: str) -> Option:
        """The option called ``name``."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)

    def has(self, name: str) -> bool:
        """Whether the analysis has an option called ``name``."""
        return any(opt.name == name for opt in self.options)

    def check(self, **values: Any) -> None:
        """Check values of this analysis' options against their declared types and bounds."""
        for name, value in values.items():
            self.option(name).check(value)

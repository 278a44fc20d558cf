"""UN Comtrade requests, validated before any call: areas, HS codes, periods, flow.

A :class:`ComtradeQuery` checks every option locally (pydantic) and says which command-line
option is wrong, because the API answers malformed parameters with an empty table rather
than an error (comtradeapicall #18, #21). Area codes are Comtrade's own (USA 842, France
251, India 699), mapped through ``data/comtrade_areas.csv``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from tradelever.errors import InputError
from tradelever.reference.package_data import read_code_list

__all__ = [
    "HS_REVISIONS",
    "ComtradeQuery",
    "area_iso3",
    "comtrade_area_table",
    "comtrade_code",
]

#: Comtrade classificationCode -> HS revision label used in the store.
HS_REVISIONS: Final = {
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
}
_REVISION_TO_CL: Final = {v: k for k, v in HS_REVISIONS.items()}


@cache
def comtrade_area_table() -> pd.DataFrame:
    """The packaged Comtrade area code table: ``code, iso3, name, kind``."""
    return read_code_list("comtrade_areas.csv", ["code", "iso3", "name", "kind"])


@cache
def area_iso3() -> dict[int, str]:
    """Comtrade area code -> ISO3, for the areas that have one."""
    t = comtrade_area_table()
    return {int(c): i for c, i in zip(t["code"], t["iso3"], strict=True) if i}


@cache
def _iso3_to_code() -> dict[str, int]:
    t = comtrade_area_table()
    current = t[t["kind"] == "country"]
    return {i: int(c) for c, i in zip(current["code"], current["iso3"], strict=True)}


def comtrade_code(iso3: str, *, parameter: str = "reporter") -> int:
    """Comtrade area code of an ISO3 country (``USA`` -> 842, ``FRA`` -> 251).

    Raises
    ------
    InputError
        If the code is not an ISO3 code Comtrade reports under.
    """
    key = str(iso3).strip().upper()
    table = _iso3_to_code()
    if key not in table:
        import difflib

        close = difflib.get_close_matches(key, list(table), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise InputError(f"{parameter}: {iso3!r} is not an ISO3 country known to UN Comtrade{hint}")
    return table[key]


def _split(value: str | Sequence[str] | Sequence[int]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return [s.strip() for s in items if s.strip()]


class ComtradeQuery(BaseModel):
    """A Comtrade request, validated locally before any call is made.

    Parameters
    ----------
    reporters
        ISO3 codes of the reporting countries (``USA``), converted to Comtrade codes.
    partners
        ISO3 codes, or None / ``"all"`` for every partner (World, partner 0, is then used
        only to check totals).
    hs
        HS codes, all of one length: 2, 4 or 6 digits (``8542``, ``854231``). Records come
        back at the level asked: to get 6-digit detail, list 6-digit codes.
    periods
        Years ``YYYY``; with ``freq="M"`` also months ``YYYYMM`` (a year means its 12
        months).
    flow
        ``M`` imports or ``X`` exports, as declared by the reporter.
    freq
        ``A`` annual or ``M`` monthly.
    classification
        ``HS`` (as reported, the default) or a revision (``HS22`` / ``H6`` ... ``HS92`` /
        ``H0``).
    """

    model_config = ConfigDict(frozen=True)

    reporters: tuple[str, ...]
    partners: tuple[str, ...] | None = None
    hs: tuple[str, ...]
    periods: tuple[str, ...]
    flow: Literal["M", "X"] = "M"
    freq: Literal["A", "M"] = "A"
    classification: str = "HS"

    @field_validator("reporters", mode="before")
    @classmethod
    def _reporters(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one reporter as ISO3 (e.g. USA)")
        for item in items:
            comtrade_code(item, parameter="reporter")
        return tuple(dict.fromkeys(i.upper() for i in items))

    @field_validator("partners", mode="before")
    @classmethod
    def _partners(cls, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        items = _split(value)
        if not items or [i.lower() for i in items] == ["all"]:
            return None
        for item in items:
            if item.lower() == "all":
                raise ValueError("'all' cannot be combined with country codes")
            if item.upper() in ("WLD", "W00", "WORLD", "0"):
                raise ValueError(
                    "World (partner 0) is not a trading partner; use 'all' (World totals "
                    "are then used to check the partner rows)"
                )
            comtrade_code(item, parameter="partner")
        return tuple(dict.fromkeys(i.upper() for i in items))

    @field_validator("hs", mode="before")
    @classmethod
    def _hs(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one HS code (e.g. 8542,4015)")
        for item in items:
            if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", item):
                raise ValueError(
                    f"{item!r} is not an HS code of 2, 4 or 6 digits (write chapters 01-09 "
                    "with their leading zero)"
                )
        if len({len(i) for i in items}) > 1:
            raise ValueError(
                f"codes {', '.join(items)} mix levels; give codes of one length so that the "
                "data set has one product level"
            )
        return tuple(dict.fromkeys(items))

    @field_validator("periods", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one year (YYYY)")
        this_year = datetime.now(UTC).year
        for item in items:
            if not re.fullmatch(r"\d{4}(\d{2})?", item):
                raise ValueError(f"{item!r} is not a period YYYY (annual) or YYYYMM (monthly)")
            year = int(item[:4])
            if not 1962 <= year <= this_year:
                raise ValueError(f"{item!r}: year outside 1962-{this_year}")
            if len(item) == 6 and not 1 <= int(item[4:]) <= 12:
                raise ValueError(f"{item!r}: month must be 01-12")
        return tuple(dict.fromkeys(items))

    @field_validator("classification", mode="before")
    @classmethod
    def _classification(cls, value: Any) -> str:
        key = str(value or "HS").strip().upper()
        if key == "HS" or key in HS_REVISIONS:
            return key
        if key in _REVISION_TO_CL:
            return _REVISION_TO_CL[key]
        raise ValueError(
            f"{value!r} is not HS (as reported) or an HS revision ({', '.join(_REVISION_TO_CL)})"
        )

    @model_validator(mode="after")
    def _period_matches_freq(self) -> ComtradeQuery:
        monthly = [p for p in self.periods if len(p) == 6]
        if self.freq == "A" and monthly:
            raise ValueError(
                f"--years: periods {', '.join(monthly)} are months (YYYYMM) but freq is A "
                "(annual); give years YYYY or use freq M"
            )
        return self

    @classmethod
    def build(cls, **kwargs: Any) -> ComtradeQuery:
        """Validate and return a query; errors become :class:`InputError` naming the field."""
        try:
            return cls(**kwargs)
        except ValidationError as exc:
            raise InputError(_validation_message(exc)) from None

    # -- derived --------------------------------------------------------------------------
    def api_periods(self) -> list[list[str]]:
        """Period groups, one per year: ``[["2023"]]`` or the 12 months of each year."""
        if self.freq == "A":
            return [[p] for p in self.periods]
        groups: dict[str, list[str]] = {}
        for p in self.periods:
            months = [p] if len(p) == 6 else [f"{p}{m:02d}" for m in range(1, 13)]
            groups.setdefault(p[:4], []).extend(months)
        return [list(dict.fromkeys(v)) for v in groups.values()]

    def years(self) -> list[int]:
        """Calendar years covered."""
        return sorted({int(p[:4]) for p in self.periods})

    def default_name(self) -> str:
        """``comtrade-usa-m-2023`` (reporters, flow, years; monthly adds ``-monthly``)."""
        reporters = "-".join(r.lower() for r in self.reporters)
        years = "-".join(str(y) for y in self.years())
        name = f"comtrade-{reporters}-{self.flow.lower()}-{years}"
        return name + ("-monthly" if self.freq == "M" else "")


#: Query field -> command-line option named in error messages.
_OPTIONS: Final = {
    "reporters": "--reporter",
    "partners": "--partner",
    "hs": "--hs",
    "periods": "--years",
    "flow": "--flow",
    "freq": "--freq",
    "classification": "--classification",
}


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"][:1])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{_OPTIONS.get(loc, loc)}: {msg}" if loc else msg)
    return "; ".join(parts)

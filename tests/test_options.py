"""Options declared once: one validator for enumerated values, bounds checked in the library."""

from __future__ import annotations

import math
from typing import get_args

import pytest

from tradelever.errors import InputError
from tradelever.options import (
    LEVELS,
    MODES,
    REQUIRED,
    Analysis,
    Level,
    Option,
    choice,
)


def test_literal_aliases_and_their_tuples() -> None:
    assert get_args(Level) == LEVELS
    assert LEVELS == ("industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group", "total")
    assert MODES == ("ces", "smart")


def test_choice_names_the_parameter() -> None:
    assert choice("hs4", LEVELS, "level") == "hs4"
    with pytest.raises(InputError) as info:
        choice("hs5", LEVELS, "level")
    assert info.value.parameter == "level"
    assert info.value.message == (
        "'hs5' is not one of industry, hs10, hs8, hs6, hs4, hs2, group, total"
    )


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0.0, True), (1.0, True), (0.5, True), (-0.01, False), (1.01, False), (math.nan, False)],
)
def test_bounds(value: float, ok: bool) -> None:
    share = Option("share_lost", float, 1.0, "Fraction lost.", ge=0.0, le=1.0)
    if ok:
        assert share.check(value) == value
    else:
        with pytest.raises(InputError, match=r"^share_lost: must be a number >= 0 and <= 1"):
            share.check(value)


def test_none_booleans_text_and_hints() -> None:
    sigma = Option("sigma", float | None, None, "", gt=1.0, hint="sigma must exceed 1")
    assert sigma.check(None) is None
    with pytest.raises(InputError, match="sigma must exceed 1"):
        sigma.check(1.0)
    with pytest.raises(InputError, match="is not a number"):
        sigma.check("four")
    with pytest.raises(InputError, match="is not a number"):
        sigma.check(True)
    required = Option("year", int, REQUIRED, "")
    with pytest.raises(InputError, match=r"^year: a value is required"):
        required.check(None)
    level = Option("level", Level | None, None, "")
    assert level.choices == LEVELS and level.check(None) is None
    with pytest.raises(InputError, match=r"^level: 'x' is not one of"):
        level.check("x")


def test_spellings() -> None:
    m = Option("imports_usd", float | None, None, "", flag="--imports", query="imports")
    assert (m.flag_name, m.query_name) == ("--imports", "imports")
    rca = Option("min_rca", float, 1.0, "")
    assert (rca.flag_name, rca.query_name, rca.required) == ("--min-rca", "min_rca", False)
    assert Option("sigma", float, 2.0, "", gt=1, le=1000).bounds == "> 1 and <= 1000"


def test_analysis_checks_its_options() -> None:
    spec = Analysis("x", "x", "x", (Option("top", int, 5, "", ge=1),))
    spec.check(top=3)
    with pytest.raises(InputError, match=r"^top: "):
        spec.check(top=0)
    assert spec.has("top") and not spec.has("other")
    with pytest.raises(KeyError):
        spec.option("other")

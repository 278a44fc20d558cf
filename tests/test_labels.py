"""One label registry for the command line, the brief and the dashboard."""

from __future__ import annotations

import math

import pytest

from tradelever import schema
from tradelever.analysis.concessions import CONCESSION_COLUMNS
from tradelever.analysis.exposure import EXPOSURE_COLUMNS
from tradelever.analysis.formula import ANNEX_COLUMNS
from tradelever.analysis.network import SUPPLY_CHAIN_COLUMNS
from tradelever.analysis.peers import PEER_COLUMNS
from tradelever.analysis.substitution import SUBSTITUTION_COLUMNS
from tradelever.brief.figures import unit_for
from tradelever.labels import LABELS, fmt, label, registry


@pytest.mark.parametrize(
    ("value", "kind", "digits", "text"),
    [
        (2.47e9, "usd", 1, "US$2.47 bn"),
        (math.inf, "usd", 1, "unbounded"),
        (None, "usd", 1, "-"),
        (0.0231, "share", 1, "2.3%"),
        (0.0231, "share", 2, "2.31%"),
        (0.24, "share", 0, "24%"),
        (math.nan, "share", 1, "-"),
        (1169.4, "ratio", 1, "1,169.4"),
        (0.1432, "ratio", 3, "0.143"),
        (12345, "count", 1, "12,345"),
        (2022.0, "year", 1, "2022"),
        (True, "flag", 1, "yes"),
        (
            "Manufacture of rubber and plastic products",
            "text",
            1,
            "Manufacture of rubber and plastic products",
        ),
    ],
)
def test_formats(value: object, kind: str, digits: int, text: str) -> None:
    assert fmt(value, kind, digits) == text  # type: ignore[arg-type]


def test_every_public_field_has_a_label() -> None:
    fields = {
        *schema.LEVERAGE_FIELDS,
        *schema.LEVERAGE_EXTRA_FIELDS,
        *SUBSTITUTION_COLUMNS,
        *EXPOSURE_COLUMNS,
        *CONCESSION_COLUMNS,
        *PEER_COLUMNS,
        *SUPPLY_CHAIN_COLUMNS,
        *ANNEX_COLUMNS,
    }
    assert sorted(f for f in fields if f not in LABELS) == []


def test_units_agree_with_the_brief() -> None:
    # The brief reads the same registry: a share is a share everywhere, dollars are dollars.
    for name, item in LABELS.items():
        expected = {"usd": "usd", "share": "share"}.get(item.kind, "number")
        assert unit_for(name) == expected, name
    assert unit_for("value_usd") == "usd"  # unknown fields keep the name rules


def test_unknown_field_and_registry_json() -> None:
    assert label("tariff_revenue_change_usd").kind == "usd"
    data = registry()
    assert data["home_share_of_partner_imports"]["short"] == "home share"
    assert data["partner_cost_of_losing_home_usd"]["kind"] == "usd"

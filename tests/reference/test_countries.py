"""Country codes, names and groups."""

from __future__ import annotations

import pytest

from tradelever.errors import InputError, UnknownCountryError
from tradelever.reference import countries as c


def test_resolve_iso3_case_insensitive() -> None:
    assert c.resolve_country(" mys ") == "MYS"


def test_unknown_code_suggests_close_match() -> None:
    # MAS is Malaysia's IOC code: the suggestion must name MYS first.
    with pytest.raises(UnknownCountryError) as info:
        c.resolve_country("MAS")
    message = str(info.value)
    assert message.startswith("MAS: unknown country; did you mean MYS (Malaysia)")


def test_known_country_outside_dataset() -> None:
    with pytest.raises(UnknownCountryError, match="Timor-Leste is not covered by this data set"):
        c.resolve_country("TLS", ["MYS", "USA"])


def test_empty_code_is_input_error() -> None:
    with pytest.raises(InputError, match="home: a country code is required"):
        c.resolve_country("", parameter="home")


def test_groups() -> None:
    asean = c.group_members("asean")
    assert len(asean) == 11 and "TLS" in asean and "MYS" in asean
    assert len(c.group_members("EU27")) == 27
    g20 = c.group_members("G20")
    assert {"USA", "CHN", "IND", "BRA", "ZAF"} <= set(g20)
    with pytest.raises(UnknownCountryError, match="unknown country group"):
        c.group_members("NAFTA")


def test_resolve_countries_group_restricted_to_available() -> None:
    available = ["MYS", "THA", "USA", "VNM"]
    assert c.resolve_countries("ASEAN", available) == ["MYS", "THA", "VNM"]
    assert c.resolve_countries("vnm, tha", available) == ["VNM", "THA"]


def test_country_table_has_namibia_not_missing() -> None:
    table = c.country_table()
    assert table.loc[table.iso3 == "NAM", "name"].item() == "Namibia"
    assert table.loc[table.iso3 == "MYS", "groups"].item() == "ASEAN"
    assert table.iso3.is_unique


def test_one_naming_source_with_common_short_names() -> None:
    """The names a negotiator expects (issue 12): Vietnam, Türkiye, South Korea, Brunei."""
    from tradelever.analysis.formula import annex_entries
    from tradelever.reference.countries import country_name, possessive

    assert [country_name(c) for c in ("VNM", "TUR", "KOR", "BRN", "LAO")] == [
        "Vietnam",
        "Türkiye",
        "South Korea",
        "Brunei",
        "Laos",
    ]
    assert country_name("VNM", style="official") == "Socialist Republic of Vietnam"
    assert country_name("EU27") == "European Union"
    # Annex I's own spellings ("Viet Nam", "Turkey") are never shown
    names = {e.code: e.partner_name for e in annex_entries()}
    assert names["VNM"] == "Vietnam" and names["TUR"] == "Türkiye"
    assert names["EU27"] == "European Union"
    assert possessive("United States") == "United States'" and possessive("Malaysia") == (
        "Malaysia's"
    )

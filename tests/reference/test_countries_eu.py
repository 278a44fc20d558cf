"""The European Union as one economy (EUU) and as the group of its 27 member states."""

from __future__ import annotations

import pytest

from tradelever.errors import UnknownCountryError
from tradelever.reference import countries as c

CENSUS = ["CHN", "EUU", "MYS", "TWN", "USA"]  # the EU only as an aggregate, like census-us-2024
ICIO_LIKE = ["DEU", "FRA", "ITA", "MYS", "USA"]  # member states only, like icio2022 or BACI


@pytest.mark.parametrize("spelling", ["EU", "eu", "EU27", "EUU", " euu ", "EU-27"])
def test_eu_spellings_resolve_to_the_aggregate(spelling: str) -> None:
    assert c.resolve_country(spelling, CENSUS, parameter="home") == "EUU"
    assert c.resolve_country(spelling, None) == "EUU"


def test_eu_without_aggregate_says_what_to_do() -> None:
    with pytest.raises(
        UnknownCountryError, match=r"EU: this data set has no EU-27 aggregate.*EU27"
    ):
        c.resolve_country("EU", ICIO_LIKE, parameter="home")


def test_eu_aggregate_has_a_name() -> None:
    assert c.country_name("EUU") == "European Union (EU-27)"


def test_group_eu27_still_lists_member_states() -> None:
    members = c.resolve_countries("EU27", None)
    assert len(members) == 27 and "DEU" in members and "EUU" not in members
    assert c.resolve_countries("ASEAN,EU27", ICIO_LIKE) == ["MYS", "DEU", "FRA", "ITA"]


def test_group_eu27_is_the_aggregate_where_only_the_aggregate_exists() -> None:
    assert c.resolve_countries("EU27", CENSUS) == ["EUU"]
    assert c.resolve_countries("EU,MYS", CENSUS) == ["EUU", "MYS"]
    assert c.resolve_countries("EUU,TWN", CENSUS) == ["EUU", "TWN"]


def test_eu_in_a_list_is_the_members_where_only_members_exist() -> None:
    assert c.resolve_countries("EU", ICIO_LIKE) == ["DEU", "FRA", "ITA"]
    with pytest.raises(UnknownCountryError, match="no EU-27 aggregate"):
        c.resolve_countries("EU", ["MYS", "USA"])

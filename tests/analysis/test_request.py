"""One request, resolved once: every check in one place, each error naming its parameter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA
from tradelever.analysis.leverage import LEVERAGE
from tradelever.analysis.request import DEFAULT_DATASET, resolve
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.api import Session
from tradelever.errors import InputError, TradeleverError, UnknownCountryError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_defaults_are_resolved_once(session: Session) -> None:
    r = resolve(session, LEVERAGE, dataset="hand-hs17", home="mys", partner=" usa ")
    assert (r.home, r.partner, r.rival) == ("MYS", "USA", None)
    assert (r.dataset, r.year, r.level) == ("hand-hs17", 2023, "hs6")  # latest year, native
    assert r.classification == "HS17" and r.provenance["year"] == 2023
    assert r.assumptions == ["synthetic test data"]
    assert r.descriptions["854231"].startswith("Electronic integrated circuits")
    assert "code" in r.coded.columns
    assert r.view is session.view("hand-hs17")  # the session keeps one view per data set
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.year = 2022  # type: ignore[misc]
    icio = resolve(session, LEVERAGE, home="MYS", partner="CHN")
    assert (icio.dataset, icio.level) == (DEFAULT_DATASET, "industry")
    assert icio.dataset_choice is not None and "partner is not the United States" in (
        icio.dataset_choice
    )


def test_data_set_by_question(session: Session) -> None:
    """No data set given: product questions to the USA read census-us-2024 at hs6."""
    us = resolve(session, LEVERAGE, home="MYS", partner="usa")
    assert (us.dataset, us.level, us.year) == ("census-us-2024", "hs6", 2024)
    assert us.assumptions[0].startswith("data set census-us-2024 chosen by default")
    assert us.provenance["dataset_choice"] == us.assumptions[0]
    assert resolve(session, FORMULA, home="MYS", partner="USA").dataset == "census-us-trade"
    # exposure needs home's total exports: not in a data set of US imports
    ex = resolve(session, EXPOSURE, home="MYS", partner="USA")
    assert ex.dataset == DEFAULT_DATASET and "total exports" in str(ex.dataset_choice)
    # a data set given is never second-guessed, and says nothing about a choice
    given = resolve(session, LEVERAGE, dataset="icio2022", home="MYS", partner="USA")
    assert given.dataset_choice is None and "dataset_choice" not in given.provenance


@pytest.mark.parametrize(
    ("given", "parameter", "text"),
    [
        ({"dataset": "nope"}, "dataset", "unknown data set"),
        ({"level": "hs5"}, "level", "'hs5' is not one of"),
        ({"level": "industry"}, "level", "supports level hs6, hs4, hs2 or group, not industry"),
        ({"home": "MAS"}, "home", "did you mean MYS (Malaysia)"),
        ({"partner": "MYS"}, "partner", "must be a different country from home (MYS)"),
        ({"rival": "USA"}, "rival", "must be a different country from home and partner (USA)"),
        ({"year": 2019}, "year", "2019 is not in data set hand-hs17 (years: 2022, 2023)"),
        ({"groups": "x.yaml"}, "groups", "only used with level group"),
    ],
)
def test_each_check_names_its_parameter(
    session: Session, given: dict[str, object], parameter: str, text: str
) -> None:
    request = {"dataset": "hand-hs17", "home": "MYS", "partner": "USA", "rival": "CHN", **given}
    with pytest.raises(TradeleverError) as info:
        resolve(session, LEVERAGE, **request)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    assert text in info.value.message


def test_analysis_rules(session: Session) -> None:
    with pytest.raises(InputError) as info:
        resolve(session, SUBSTITUTES, dataset="hand-hs17", home="MYS", partner="USA")
    assert info.value.parameter == "rival"
    # every product command has the group level (issue 12 item 5)
    grouped = resolve(session, SUBSTITUTES, dataset="hand-hs17", home="MYS", partner="USA",
                      rival="CHN", level="group")  # fmt: skip
    assert grouped.level == "group" and grouped.selector is not None
    with pytest.raises(InputError) as info:
        resolve(session, SUBSTITUTES, dataset="hand-hs17", home="MYS", partner="USA",
                rival="CHN", level="total")  # fmt: skip
    assert info.value.parameter == "level"  # substitutes has no total level
    with pytest.raises(InputError) as info:
        resolve(session, SUPPLY_CHAIN, dataset="hand-hs17", home="MYS", partner="USA")
    assert info.value.parameter == "dataset" and "input-output network" in info.value.message
    # A country group as home where the analysis allows it (the formula), members listed.
    eu = resolve(session, FORMULA, home="eu27", partner="USA")
    assert eu.home == "EU27" and eu.members is not None and "DEU" in eu.members
    with pytest.raises(UnknownCountryError):
        resolve(session, LEVERAGE, dataset="icio2022", home="EU27", partner="USA")
    # a data set with the EU aggregate reads it as one economy
    assert resolve(session, LEVERAGE, home="EU27", partner="USA").home == "EUU"
    with pytest.raises(InputError) as info:
        resolve(session, FORMULA, home="EU27", partner="DEU")
    assert info.value.parameter == "partner" and "member of EU27" in info.value.message


def test_group_level_carries_its_definitions(session: Session) -> None:
    r = resolve(session, LEVERAGE, dataset="hand-hs17", home="MYS", partner="USA", level="group")
    assert r.groups is not None and "semiconductors" in r.groups
    assert r.descriptions["gloves"] and r.group_notes[0].startswith("group level:")
    assert "member_sigma" in r.coded.columns
    peer = r.for_home("THA")
    assert (peer.home, peer.rival, peer.coded is r.coded) == ("THA", None, True)

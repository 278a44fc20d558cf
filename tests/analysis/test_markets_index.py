"""The in-memory pair index of the market tables (:class:`tradelever.analysis.markets.PairIndex`).

Slicing the index must give exactly what the queries over the Parquet files give: the
slice of a country equals the table filtered on it, and ``pair_sums`` is the same frame
either way (with trends, at a coarser level, and when a year is too large to hold its
flows).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.synthetic import write_hand_dataset
from tradelever.analysis import markets as mk
from tradelever.store import Store

HAND = "hand-hs17"
COUNTRIES = ["MYS", "USA", "CHN", "THA"]


@pytest.fixture
def hand_store(tmp_path: Path) -> Store:
    return write_hand_dataset(tmp_path / "store")


@pytest.fixture(autouse=True)
def _fresh_indexes():  # type: ignore[no-untyped-def]
    mk._INDEXES.clear()
    yield
    mk._INDEXES.clear()


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a["code"].tolist() == b["code"].tolist()
    for column in a.columns[1:]:
        np.testing.assert_allclose(
            a[column].to_numpy(dtype=float),
            b[column].to_numpy(dtype=float),
            rtol=1e-12,
            atol=0,
            equal_nan=True,
            err_msg=column,
        )


@pytest.mark.parametrize("level", ["hs6", "hs4"])
@pytest.mark.parametrize("base_year", [None, 2022])
def test_indexed_pair_sums_equal_the_queries(
    hand_store: Store, level: str, base_year: int | None
) -> None:
    tables = mk.market_indicators(hand_store, HAND, level)
    checked = 0
    for home, partner in itertools.permutations(COUNTRIES, 2):
        for rival in [None, *[c for c in COUNTRIES if c not in (home, partner)]]:
            kwargs = dict(home=home, partner=partner, rival=rival, year=2023, base_year=base_year)
            queried = mk.pair_sums(tables, indexed=False, **kwargs)  # type: ignore[arg-type]
            indexed = mk.pair_sums(tables, indexed=True, **kwargs)  # type: ignore[arg-type]
            _assert_same(indexed, queried)
            checked += len(queried)
    assert checked > 0


def test_unknown_countries_give_empty_or_zero_sums(hand_store: Store) -> None:
    tables = mk.market_indicators(hand_store, HAND, "hs6")
    for kwargs in (
        dict(home="MYS", partner="FRA", rival=None),  # imports nothing
        dict(home="FRA", partner="USA", rival="DEU"),  # home and rival ship nothing
    ):
        queried = mk.pair_sums(tables, year=2023, indexed=False, **kwargs)  # type: ignore[arg-type]
        indexed = mk.pair_sums(tables, year=2023, indexed=True, **kwargs)  # type: ignore[arg-type]
        _assert_same(indexed, queried)
    empty = mk.pair_sums(tables, home="MYS", partner="FRA", rival=None, year=2023, indexed=True)
    assert empty.empty


def test_a_year_too_large_for_its_flows_reads_them_by_query(
    hand_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mk, "INDEX_MAX_FLOWS", 0)
    tables = mk.market_indicators(hand_store, HAND, "hs6")
    index = tables.pair_index(2023)
    assert index is not None and index.flows is None
    kwargs = dict(home="MYS", partner="USA", rival="CHN", year=2023, base_year=2022)
    _assert_same(
        mk.pair_sums(tables, indexed=True, **kwargs),  # type: ignore[arg-type]
        mk.pair_sums(tables, indexed=False, **kwargs),  # type: ignore[arg-type]
    )


def test_lazy_index_is_built_on_the_second_ask_and_shared(hand_store: Store) -> None:
    tables = mk.market_indicators(hand_store, HAND, "hs6")
    assert tables.pair_index(2023, lazy=True) is None
    built = tables.pair_index(2023, lazy=True)
    assert built is not None
    again = mk.market_indicators(hand_store, HAND, "hs6")  # another session's instance
    assert again.pair_index(2023, lazy=True) is built
    # USA imports 854231 from MYS 50, CHN 30, THA 20 (the hand data)
    usa = built.markets.rows("USA")
    codes = built.codes[built.markets.code[usa]].tolist()
    assert built.markets.values["imports_usd"][usa][codes.index("854231")] == 100.0
    shipped = built.shipped("MYS", "USA")
    assert shipped[list(built.codes).index("854231")] == 50.0


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 7),
            st.floats(-1e12, 1e12, allow_nan=False),
        ),
        max_size=60,
    ),
    flows=st.booleans(),
)
def test_a_country_slice_is_the_filtered_table(
    rows: list[tuple[int, int, float]], flows: bool
) -> None:
    """rows(c) holds exactly c's rows, sorted by code id for the tables (any order: flows)."""
    names = np.array([f"C{i}" for i in range(6)], dtype=object)
    if not flows:  # the tables have one row per (country, code)
        rows = list({(c, k): (c, k, v) for c, k, v in rows}.values())
    country = np.array([r[0] for r in rows], dtype=np.int16 if flows else np.int32)
    code = np.array([r[1] for r in rows], dtype=np.int32)
    value = np.array([r[2] for r in rows], dtype=float)
    other = np.zeros(len(rows), dtype=np.int16) if flows else None
    slices = mk._grouped(country, code, {"v": value}, names, other=other)
    for i, name in enumerate(names):
        got = slices.rows(name)
        expected = sorted((k, v) for c, k, v in rows if c == i)
        pairs = list(zip(slices.code[got].tolist(), slices.values["v"][got].tolist(), strict=True))
        if flows:
            assert sorted(pairs) == expected
        else:
            assert pairs == expected
    assert slices.rows("nobody") == slice(0, 0)


def test_lazy_ask_does_not_wait_for_a_build_in_progress(hand_store: Store) -> None:
    import threading

    tables = mk.market_indicators(hand_store, HAND, "hs6")
    assert tables.pair_index(2023, lazy=True) is None
    key = (str(tables.folder), 2023)
    mk._INDEXES._building[key] = threading.Lock()  # another thread is building it
    try:
        assert tables.pair_index(2023, lazy=True) is None
    finally:
        mk._INDEXES._building.pop(key)
    assert tables.pair_index(2023, lazy=True) is not None

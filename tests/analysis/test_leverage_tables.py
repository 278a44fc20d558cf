"""Pair queries read the materialised market tables and give today's answers (issue 15).

``leverage`` (and ``peers``, which calls it, and the HTTP API) now takes its per-code sums
from the market tables of the data-set version (:func:`tradelever.analysis.markets.pair_sums`)
instead of one aggregation over the flows per call. The rows must equal those computed by
the query (``leverage_table`` without ``sums``) to 1e-9, field by field: on the SYNTHETIC
hand data (with trends), on the embedded icio2022 and on the embedded census-us-2024 (one
reporter: world indicators null).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.synthetic import write_hand_dataset
from tradelever.analysis import leverage as lev
from tradelever.analysis import markets


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path):  # type: ignore[no-untyped-def]
    from tradelever.api import Session

    target = tmp_path_factory.mktemp("pair-tables") / "store"
    shutil.copytree(icio_data_dir, target)
    write_hand_dataset(target)
    return Session(target)


def _by_query(session, result):  # type: ignore[no-untyped-def]
    """The same leverage rows computed the old way: one aggregation over the flows."""
    request = session.request(
        lev.LEVERAGE,
        dataset=result.dataset,
        home=result.home,
        partner=result.partner,
        rival=result.rival,
        year=result.year,
        level=result.level,
    )
    earlier = [y for y in request.view.years if result.year - lev.TREND_WINDOW <= y < result.year]
    return lev.leverage_table(
        request.coded,
        home=request.home,
        partner=request.partner,
        rival=request.rival,
        year=request.year,
        classification=request.classification,
        descriptions=dict(request.descriptions),
        flows=request.flows,
        base_year=earlier[0] if earlier else None,
    )


def _same(session, result) -> None:  # type: ignore[no-untyped-def]
    reference = _by_query(session, result)
    got = result.rows
    assert got["code"].tolist() == reference["code"].tolist()
    assert got["flags"].tolist() == reference["flags"].tolist()
    # coverage is added by Session.leverage after the table (census data sets only)
    numeric = [
        c for c in reference.select_dtypes("number").columns if c in got.columns and c != "coverage"
    ]
    assert len(numeric) >= 20
    _numbers_equal(got, reference, numeric)


def _numbers_equal(got, reference, columns) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(
        got[columns].to_numpy(dtype=float),
        reference[columns].to_numpy(dtype=float),
        rtol=1e-9,
        atol=1e-9,
        equal_nan=True,
    )


def _reads_tables(session, monkeypatch, call):  # type: ignore[no-untyped-def]
    """Run ``call`` with the flows query forbidden: the sums must come from the tables."""

    def forbidden(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("aggregate_market ran: the tables were not read")

    with monkeypatch.context() as patch:
        patch.setattr(lev, "aggregate_market", forbidden)
        return call()


@pytest.mark.parametrize(
    ("home", "partner", "rival", "level"),
    [
        ("MYS", "USA", "CHN", "hs6"),
        ("MYS", "USA", None, "hs4"),
        ("THA", "USA", "MYS", "hs2"),
        ("USA", "CHN", None, "hs6"),
    ],
)
def test_hand_data_with_trends(session, monkeypatch, home, partner, rival, level) -> None:  # type: ignore[no-untyped-def]
    result = _reads_tables(
        session,
        monkeypatch,
        lambda: session.leverage(home, partner, rival, dataset="hand-hs17", level=level),
    )
    assert result.rows["trend_base_year"].dropna().unique().tolist() == [2022]
    _same(session, result)


def test_hand_data_by_hand(session) -> None:  # type: ignore[no-untyped-def]
    rows = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17").rows.set_index("code")
    # tests/synthetic.py: USA imports 100 of 854231, MYS 50, CHN 30
    assert rows.loc["854231", "home_share_of_partner_imports"] == 0.5
    assert rows.loc["854231", "rival_share_of_partner_imports"] == 0.3
    assert rows.loc["854231", "partner_import_hhi"] == pytest.approx(0.25 + 0.09 + 0.04)
    assert rows.loc["854231", "home_share_change"] == pytest.approx(0.0)  # 2022 is half


def test_icio2022(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for home, partner, rival in [
        ("MYS", "USA", "CHN"),
        ("DEU", "CHN", None),
        ("VNM", "JPN", "KOR"),
    ]:
        fresh = type(session)(session.store.root)  # no cube yet: the tables are read
        result = _reads_tables(
            fresh,
            monkeypatch,
            lambda: fresh.leverage(home, partner, rival, dataset="icio2022"),  # noqa: B023
        )
        _same(fresh, result)
    # the README's intermediate-goods answer: C26, 2.7% of US$90.28 bn
    rows = (
        type(session)(session.store.root)
        .leverage("MYS", "USA", "CHN", dataset="icio2022")
        .rows.set_index("code")
    )
    assert rows.loc["C26", "partner_imports_usd"] == pytest.approx(90.28e9, rel=1e-3)


def test_census_us_2024_single_reporter(session) -> None:  # type: ignore[no-untyped-def]
    # census-us-2024 carries the duty paid: its sums (applied rates) come from the flows
    # query, never from the market tables, which hold values only.
    for level in ("hs6", "hs4"):
        result = session.leverage("MYS", "USA", "CHN", dataset="census-us-2024", level=level)
        _same(session, result)
        assert result.rows["home_world_export_share"].isna().all()  # one reporter: no world
        assert result.rows["applied_rate"].notna().any()


def test_partner_that_imports_nothing_is_still_an_error(session) -> None:  # type: ignore[no-untyped-def]
    from tradelever.errors import InputError

    with pytest.raises(InputError) as caught:
        session.leverage("USA", "MYS", dataset="census-us-2024", level="hs6")
    assert caught.value.parameter == "partner"


def test_group_level_still_queries(session) -> None:  # type: ignore[no-untyped-def]
    assert "group" not in markets.levels(dict(session.view("hand-hs17").manifest.raw))
    result = session.leverage("MYS", "USA", dataset="hand-hs17", level="group")
    assert len(result.rows)


@pytest.mark.parametrize(
    ("dataset", "home", "partner", "rival", "level"),
    [
        ("hand-hs17", "MYS", "USA", "CHN", "hs6"),
        ("hand-hs17", "THA", "USA", "MYS", "hs4"),
        ("icio2022", "MYS", "USA", "CHN", "industry"),
        ("icio2022", "VNM", "JPN", "KOR", "industry"),
        ("census-us-2024", "MYS", "USA", "CHN", "hs6"),
    ],
)
def test_substitution_sums_from_the_tables(session, dataset, home, partner, rival, level) -> None:  # type: ignore[no-untyped-def]
    """``substitutes`` reads the same per-code sums from the tables as its query gave."""
    from tradelever.analysis.bilateral import AGGREGATE_COLUMNS, code_aggregates
    from tradelever.analysis.substitution import SUBSTITUTES

    request = session.request(
        SUBSTITUTES, dataset=dataset, home=home, partner=partner, rival=rival, level=level
    )
    tables = markets.cached_market_indicators(request.view, level)
    got = markets.code_sums(tables, year=request.year, home=home, partner=partner, rival=rival)
    expected = code_aggregates(
        request.coded, year=request.year, home=home, partner=partner, rival=rival
    )
    assert got["code"].tolist() == expected["code"].tolist()
    np.testing.assert_allclose(
        got[list(AGGREGATE_COLUMNS)].to_numpy(dtype=float),
        expected[list(AGGREGATE_COLUMNS)].to_numpy(dtype=float),
        rtol=1e-9,
        atol=1e-9,
        equal_nan=True,
    )
    result = session.substitutes(home, partner, rival, dataset=dataset, level=level)
    assert result.summary["rival_exports_to_partner_usd"] == pytest.approx(
        expected["rival_to_partner_usd"].sum(), rel=1e-9
    )


def test_rows_from_the_index_equal_the_query_rows_in_every_column(session) -> None:  # type: ignore[no-untyped-def]
    """Sliced from the in-memory index, codes, names and sigma sources are taken by position
    from arrays kept per index: every column, text included, equals the query's."""
    markets._INDEXES.clear()
    for home, partner, rival, level in [("MYS", "USA", "CHN", "hs6"), ("USA", "CHN", None, "hs4")]:
        # the year's index is built when asked a second time, the base year's (trends) a
        # call later: the first two read the tables, the third slices both indexes
        asks = [
            session.leverage(home, partner, rival, dataset="hand-hs17", level=level)
            for _ in range(3)
        ]
        reference = _by_query(session, asks[-1])
        for result in asks:
            got = result.rows[reference.columns]
            for column in ("code", "description", "sigma_source", "flags"):
                assert got[column].tolist() == reference[column].tolist(), column
                assert str(got[column].dtype) == str(reference[column].dtype) == "str"
            _numbers_equal(got, reference, reference.select_dtypes("number").columns)
    table = session.market_tables("hand-hs17", "hs4")
    assert table.pair_index(2023, lazy=True) is not None  # the index was built
    assert lev._PerIndex._held  # and its rows were taken by position

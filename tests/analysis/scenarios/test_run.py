"""Scenarios run end to end on the synthetic hand data set (tests/synthetic.py) and icio2022.

hand-hs17, 2023, market (USA, 854231): MYS 50, CHN 30, THA 20 - the hand example of
test_pe.py, so a 25% US duty on Malaysian processors gives (SMART, sigma 1.5, em -1.2):
MYS creation -15, diversion -7.894736842; CHN +4.736842105; THA +3.157894737.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.scenarios import preset_names
from tradelever.api import Session
from tradelever.errors import InputError

L_HAND = 937.5 / 118.75

CHIPS = {
    "name": "chips-mys",
    "elasticities": {"substitution": 1.5, "import_demand": -1.2},
    "measures": [
        {
            "importer": "USA",
            "exporters": ["MYS"],
            "products": ["854231"],
            "new_rate": 0.25,
            "basis": "reciprocal",
            "source": "test",
        }
    ],
}


@pytest.fixture
def hand_session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_smart_on_hand_data(hand_session: Session) -> None:
    r = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="smart")
    rows = r.rows.set_index("exporter")
    assert set(rows.index) == {"MYS", "CHN", "THA"}  # only the changed market
    assert rows.loc["MYS", "trade_creation_usd"] == pytest.approx(-15.0)
    assert rows.loc["MYS", "trade_diversion_usd"] == pytest.approx(-L_HAND)
    assert rows.loc["CHN", "trade_diversion_usd"] == pytest.approx(0.6 * L_HAND)
    assert rows.loc["THA", "trade_diversion_usd"] == pytest.approx(0.4 * L_HAND)
    assert rows.loc["MYS", "total_effect_usd"] == pytest.approx(-15.0 - L_HAND)
    (market,) = r.markets.to_dict(orient="records")
    assert market["tariff_revenue_change_usd"] == pytest.approx(0.25 * (50 - 15 - L_HAND))
    assert market["welfare_usd"] == pytest.approx(-1.875)
    d = r.to_dict()
    for key in ("rows", "markets", "exporters", "provenance", "assumptions", "summary"):
        assert key in d
    assert d["scenario"] == "chips-mys" and d["mode"] == "smart" and d["year"] == 2023
    assert d["provenance"]["scenario"]["measures"][0]["source"] == "test"


def test_home_view_splits_own_and_rival_effects(hand_session: Session) -> None:
    both = dict(CHIPS, name="both")
    both["measures"] = [
        *CHIPS["measures"],
        {
            "importer": "USA",
            "exporters": ["CHN"],
            "products": "all",
            "new_rate": 1.25,
            "basis": "reciprocal",
            "source": "test",
        },
    ]
    r = hand_session.run_scenario(both, dataset="hand-hs17", year=2023, mode="ces", home="MYS")
    h = r.home
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"]
    )
    assert h["own_tariffs_alone_usd"] < 0 < h["rival_tariffs_alone_usd"]
    # CHN sells no gloves to the USA: the glove market does not change.
    assert "401519" not in set(r.home_rows["code"])
    # Rare earths: China at 125% diverts US purchases to Malaysia.
    rare = r.home_rows.set_index("code").loc["280530"]
    assert rare["total_effect_usd"] > 0


def test_compare_competitors_first(hand_session: Session, tmp_path: Path) -> None:
    import yaml

    deal = dict(CHIPS, name="deal")
    deal["measures"] = [dict(CHIPS["measures"][0], new_rate=0.10)]
    first = dict(CHIPS, name="first")  # MYS still at 25%
    (tmp_path / "deal.yaml").write_text(yaml.safe_dump(deal), "utf-8")
    (tmp_path / "first.yaml").write_text(yaml.safe_dump(first), "utf-8")
    r = hand_session.compare_scenarios(
        tmp_path / "first.yaml", tmp_path / "deal.yaml", home="MYS", dataset="hand-hs17", year=2023
    )
    row = r.rows.set_index("code").loc["854231"]
    assert row["baseline_exports_usd"] == pytest.approx(50.0)
    assert row["exports_a_usd"] < row["exports_b_usd"] < 50.0
    assert r.summary["difference_usd"] == pytest.approx(row["difference_usd"])


def test_draws_give_ordered_ranges(hand_session: Session) -> None:
    calls: list[tuple[int, int]] = []
    r = hand_session.run_scenario(
        CHIPS,
        dataset="hand-hs17",
        year=2023,
        home="MYS",
        draws=50,
        progress=lambda d, n: calls.append((d, n)),
    )
    u = r.uncertainty
    assert u["draws"] == 50 and calls[-1] == (50, 50)
    hp = u["home_total_effect_usd"]
    assert hp["p5"] <= hp["p50"] <= hp["p95"] < 0


def test_unknown_year_and_mode(hand_session: Session) -> None:
    with pytest.raises(InputError, match=r"^year: 1999 is not in data set hand-hs17"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=1999)
    with pytest.raises(InputError, match=r"^mode: 'gtap' is not one of ces, smart"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", mode="gtap")


def test_preset_on_icio(icio_session: Session) -> None:
    r = icio_session.run_scenario("us-2025-04-02", home="MYS")
    # The April 11 list exempts C26 from the reciprocal duty: Malaysia's C26 pays nothing
    # and gains from the fentanyl duty on China, which has no exemption.
    mys = r.rows[r.rows["exporter"] == "MYS"].set_index("code")
    assert mys.loc["C26", "new_rate"] == 0.0
    assert mys.loc["C26", "trade_diversion_usd"] > 0
    assert mys.loc["C22", "new_rate"] == pytest.approx(0.24)
    chn = r.rows[r.rows["exporter"] == "CHN"].set_index("code")
    assert chn.loc["C22", "new_rate"] == pytest.approx(0.54)  # 34% + 20% fentanyl
    assert chn.loc["C26", "new_rate"] == pytest.approx(0.20)  # fentanyl has no exemption
    # s232 steel replaces the reciprocal duty on C24A
    assert mys.loc["C24A", "new_rate"] == pytest.approx(0.25)
    assert any("intermediate goods only" in a for a in r.assumptions)
    assert r.summary["trade_diversion_usd"] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("importers", [None, ["USA"]])
def test_unique_keys_read_equals_summed_read(hand_session: Session, importers) -> None:  # type: ignore[no-untyped-def]
    """Reading rows as they are (unique keys) gives the same flows as summing by key."""
    from tradelever.analysis.scenarios import load_flows

    flows = hand_session.store.table("hand-hs17", "flows")
    keys = ["importer", "exporter", "code"]
    fast = load_flows(flows, year=2023, importers=importers, unique=True)
    summed = load_flows(flows, year=2023, importers=importers, unique=False)
    fast = fast.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    summed = summed.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    assert len(fast) == (17 if importers is None else 8)  # rows of tests/synthetic.py
    assert fast.equals(summed)


# -- issue 12: no-change runs, bounds on every preset, bands, flags, checks ---------------


@pytest.mark.parametrize("mode", ["smart", "ces"])
def test_no_rate_change_returns_zero_effects(icio_session: Session, mode: str) -> None:
    # HS 854231 has no industry equivalent on icio2022: nothing changes (this crashed).
    r = icio_session.run_scenario("us-2026-01-15-s232-semiconductors", mode=mode, home="MYS")
    assert r.summary["markets_changed"] == 0
    assert r.summary["total_effect_usd"] == 0.0
    assert r.summary["tariff_revenue_change_usd"] == 0.0
    assert r.rows.empty and r.markets.empty
    assert r.home["total_effect_usd"] == 0.0
    assert any(a.startswith("no rate changes") for a in r.assumptions)
    assert r.to_dict()["summary"]["markets_changed"] == 0


@pytest.mark.parametrize("name", preset_names())
def test_smart_on_every_preset_no_negative_imports(icio_session: Session, name: str) -> None:
    r = icio_session.run_scenario(name, mode="smart", home="MYS")
    rows = r.rows
    base = rows["baseline_imports_usd"].to_numpy()
    new = base + rows["total_effect_usd"].to_numpy()
    assert (new >= -1e-9 * base).all()
    # revenue = new rate x the rows' own new imports - old rate x baseline imports
    rev = (rows["new_rate"] * new - rows["old_rate"] * base).sum()
    assert r.summary["tariff_revenue_change_usd"] == pytest.approx(rev, rel=1e-9, abs=1.0)
    if (rows["old_rate"] == 0).all() and (rows["new_rate"] >= rows["old_rate"]).all():
        assert r.summary["tariff_revenue_change_usd"] >= 0
    # diversion sums to zero within every market
    by_market = rows.groupby(["importer", "code"], observed=True)["trade_diversion_usd"].sum()
    assert (by_market.abs() <= 1e-9 * rows["baseline_imports_usd"].sum()).all()
    h = r.home
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"], rel=1e-12, abs=1e-3
    )
    assert h["total_effect_usd"] >= -h["exports_in_changed_markets_usd"]


def test_china_at_145_percent_is_bounded(icio_session: Session) -> None:
    """The issue's run: 42 rows ended negative and revenue fell by US$103 bn."""
    r = icio_session.run_scenario("us-2025-04-10", mode="smart")
    assert r.summary["rows_flagged"]["bounded"] > 0
    assert r.summary["tariff_revenue_change_usd"] > 0
    chn = r.rows[(r.rows["exporter"] == "CHN") & (r.rows["flags"].str.contains("bounded"))]
    assert len(chn) and (chn["baseline_imports_usd"] + chn["total_effect_usd"]).abs().max() < 1.0
    assert any(a.startswith("bound: in") for a in r.assumptions)


def test_sigma_band_brackets_the_result(hand_session: Session) -> None:
    r = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="smart", home="MYS")
    rows = r.rows
    assert (rows["total_effect_low_usd"] <= rows["total_effect_usd"]).all()
    assert (rows["total_effect_usd"] <= rows["total_effect_high_usd"]).all()
    mys = rows.set_index("exporter").loc["MYS"]
    # sigma 1.5 -> 1.25 and 2.0; creation -15 in all three runs
    lo = 50 * 50 * 2.0 * 0.25 / (100 + 50 * 2.0 * 0.25)
    hi = 50 * 50 * 1.25 * 0.25 / (100 + 50 * 1.25 * 0.25)
    assert mys["total_effect_low_usd"] == pytest.approx(-15 - lo)
    assert mys["total_effect_high_usd"] == pytest.approx(-15 - hi)
    s = r.summary
    assert s["total_effect_low_usd"] <= s["total_effect_usd"] <= s["total_effect_high_usd"]
    assert r.home["total_effect_low_usd"] == pytest.approx(-15 - lo)
    assert any(a.startswith("sensitivity band") for a in r.assumptions)


def test_extreme_sigma_and_large_changes_are_flagged(hand_session: Session) -> None:
    # sigma 14 and 25% on MYS and CHN (80 of the 100 of US 854231 imports): THA's 20 more
    # than doubles (the case: Mexico's electrical exports +316% at sigma near 14).
    both = {**CHIPS["measures"][0], "exporters": ["MYS", "CHN"]}
    big = dict(
        CHIPS,
        name="big",
        elasticities={"substitution": 14.0, "import_demand": -1.2},
        measures=[both],
    )
    r = hand_session.run_scenario(big, dataset="hand-hs17", year=2023, mode="ces")
    rows = r.rows.set_index("exporter")
    assert all("extreme_sigma" in str(v) for v in rows["flags"])
    assert rows.loc["THA", "change_pct"] > 1
    assert rows.loc["THA", "flags"] == "extreme_sigma;large_change"
    assert rows.loc["MYS", "flags"] == "extreme_sigma"
    assert r.summary["rows_flagged"]["extreme_sigma"] == 3
    notes = [a for a in r.assumptions if a.startswith("plausibility:")]
    assert len(notes) == 2 and "above 10 (up to 14.0)" in notes[0]
    ok = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="ces")
    assert not any(a.startswith("plausibility:") for a in ok.assumptions)
    assert (ok.rows["flags"] == "").all()


@pytest.mark.parametrize("draws", [-1, 10_001, 2.5, True, "5"])
def test_bad_draws_name_the_parameter(hand_session: Session, draws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"^--draws: must be a whole number from 0 to 10000"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, draws=draws)


def test_compare_puts_both_on_one_base(hand_session: Session, tmp_path: Path) -> None:
    import yaml

    deal = dict(CHIPS, name="deal", measures=[dict(CHIPS["measures"][0], new_rate=0.10)])
    first = dict(CHIPS, name="first", relative_to="deal")  # measured against the deal
    (tmp_path / "deal.yaml").write_text(yaml.safe_dump(deal), "utf-8")
    (tmp_path / "first.yaml").write_text(yaml.safe_dump(first), "utf-8")
    alone = hand_session.run_scenario(tmp_path / "first.yaml", dataset="hand-hs17", year=2023)
    assert alone.params["baseline"]["scenario"] == "deal"
    r = hand_session.compare_scenarios(
        tmp_path / "first.yaml", tmp_path / "deal.yaml", home="MYS", dataset="hand-hs17", year=2023
    )
    assert r.params["baseline"]["kind"] == "no_additional_tariffs"
    assert r.summary["baseline"] == "no additional tariffs"
    row = r.rows.set_index("code").loc["854231"]
    assert row["exports_a_usd"] < row["exports_b_usd"] < row["baseline_exports_usd"]


# -- issue 15 item 4: markets in chunks of importers give the same results ----------------

WORLD = {
    "name": "world-chn-25-others-10",
    "description": "every importer: 25% on China, 10% on everyone else",
    "measures": [
        {
            "importer": "all",
            "exporters": {"all_except": ["CHN"]},
            "products": "all",
            "new_rate": 0.10,
            "basis": "other",
            "source": "test",
        },
        {
            "importer": "all",
            "exporters": ["CHN"],
            "products": "all",
            "new_rate": 0.25,
            "basis": "other",
            "source": "test",
        },
    ],
}


def _icio_flows(session: Session):  # type: ignore[no-untyped-def]
    from tradelever.analysis.scenarios import load_flows
    from tradelever.analysis.scenarios.simulate import RUN_SCENARIO

    request = session.request(RUN_SCENARIO, dataset="icio2022", home="MYS")
    frame = load_flows(
        request.flows,
        year=request.year,
        importers=None,
        unique=request.manifest.unique_flow_keys,
    )
    return request, frame


def _run(request, frame, spec=WORLD, **kw):  # type: ignore[no-untyped-def]
    from tradelever.analysis.scenarios import load_scenario, run_on_flows

    return run_on_flows(
        frame,
        load_scenario(spec),
        industry_level=request.manifest.is_industry,
        classification=request.classification,
        descriptions=dict(request.descriptions),
        **kw,
    )


def _close(a: object, b: object, scale: float, where: str) -> None:
    """Equal, numbers to 1e-9 of ``scale`` (a run's baseline imports), recursively."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _close(a[k], b[k], scale, f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, scale, f"{where}[{n}]")
    elif isinstance(a, float) and not isinstance(a, bool):
        assert b == pytest.approx(a, rel=1e-9, abs=1e-9 * scale, nan_ok=True), where
    else:
        assert a == b, where


def _same_frame(a, b, keys: list[str], scale: float, where: str) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    assert list(a.columns) == list(b.columns), where
    assert len(a) == len(b), where
    a = a.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    b = b.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x):
            np.testing.assert_allclose(
                y.to_numpy(), x.to_numpy(), rtol=1e-9, atol=1e-9 * scale, err_msg=column
            )
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), f"{where}.{column}"


def assert_same_result(one, chunked) -> None:  # type: ignore[no-untyped-def]
    """Two runs of one scenario on the same flows give the same result (to 1e-9)."""
    scale = max(one.summary["baseline_imports_usd"], 1.0)
    _close(one.summary, chunked.summary, scale, "summary")
    assert one.assumptions == chunked.assumptions
    assert one.params == chunked.params
    _same_frame(one.rows, chunked.rows, ["importer", "exporter", "code"], scale, "rows")
    _same_frame(one.markets, chunked.markets, ["importer", "code"], scale, "markets")
    # the markets table stays sorted by total effect, most negative first
    assert chunked.markets["total_effect_usd"].is_monotonic_increasing
    _same_frame(one.exporters, chunked.exporters, ["exporter"], scale, "exporters")
    _close(one.home, chunked.home, scale, "home")
    if one.home_rows is not None:
        _same_frame(one.home_rows, chunked.home_rows, ["importer", "code"], scale, "home_rows")
    if one.uncertainty is None:
        assert chunked.uncertainty is None
        return
    a, b = dict(one.uncertainty), dict(chunked.uncertainty)
    # lists ordered by p50: rows with equal p50 may come in either order
    for key, by in (("exporters", ("exporter",)), ("home_rows", ("importer", "code"))):
        if key in a:
            a[key] = sorted(a[key], key=lambda r: tuple(r[k] for k in by))  # type: ignore[misc]
            b[key] = sorted(b[key], key=lambda r: tuple(r[k] for k in by))  # type: ignore[misc]
    _close(a, b, scale, "uncertainty")


@pytest.mark.parametrize("mode", ["ces", "smart"])
def test_chunked_run_equals_one_pass(icio_session: Session, mode: str) -> None:
    request, frame = _icio_flows(icio_session)
    kw = dict(mode=mode, home="MYS", draws=20, max_rows=None)
    one = _run(request, frame, **kw)
    calls: list[tuple[int, int]] = []
    chunked = _run(
        request, frame, chunk_rows=40_000, progress=lambda d, n: calls.append((d, n)), **kw
    )
    # 'all' products on industry data: the goods industries (A, B, C); every such market
    goods = frame[frame["code"].astype(str).str[:1].isin(["A", "B", "C"])]
    markets = goods.groupby(["importer", "code"], observed=True).ngroups
    assert one.summary["markets_changed"] == markets > 2_000
    assert len(one.rows) == one.summary["rows"] == len(goods) > 100_000
    assert_same_result(one, chunked)
    # the draws advance to their number however many chunks there are
    done = [d for d, _ in calls]
    assert calls[-1] == (20, 20) and done == sorted(done)


@pytest.mark.parametrize(("mode", "draws"), [("ces", 0), ("smart", 0), ("ces", 5), ("smart", 5)])
def test_one_importer_per_chunk_equals_one_pass(
    icio_session: Session, mode: str, draws: int
) -> None:
    """The tiniest chunking (chunk_rows=1: every importer a chunk of its own) changes nothing."""
    request, frame = _icio_flows(icio_session)
    kw = dict(mode=mode, home="MYS", draws=draws, max_rows=None)
    one = _run(request, frame, **kw)
    chunked = _run(request, frame, chunk_rows=1, **kw)
    assert frame["importer"].nunique() > 50  # as many chunks
    assert_same_result(one, chunked)


def test_chunks_of_one_importer_equal_one_pass_with_a_band_and_flags(icio_session: Session) -> None:
    request, frame = _icio_flows(icio_session)
    spec = dict(WORLD, elasticities={"substitution": 12.0})  # extreme sigma: every row flagged
    one = _run(request, frame, spec, mode="ces", home="MYS", max_rows=None)
    chunked = _run(request, frame, spec, mode="ces", home="MYS", max_rows=None, chunk_rows=1)
    goods = frame["code"].astype(str).str[:1].isin(["A", "B", "C"])
    assert one.summary["rows_flagged"]["extreme_sigma"] == int(goods.sum())
    assert one.summary["total_effect_low_usd"] < one.summary["total_effect_high_usd"]
    assert_same_result(one, chunked)


def test_max_rows_keeps_the_largest_effects_in_any_chunking(icio_session: Session) -> None:
    import numpy as np

    request, frame = _icio_flows(icio_session)
    every = _run(request, frame, max_rows=None)
    top = _run(request, frame, max_rows=1000)
    top_chunked = _run(request, frame, max_rows=1000, chunk_rows=25_000)
    # worked out from every row: the 1000 largest absolute total effects, largest first
    expected = np.sort(np.abs(every.rows["total_effect_usd"].to_numpy()))[::-1][:1000]
    for res in (top, top_chunked):
        assert len(res.rows) == 1000
        np.testing.assert_array_equal(np.abs(res.rows["total_effect_usd"].to_numpy()), expected)
        assert res.summary["rows"] == len(every.rows) and res.summary["rows_returned"] == 1000
        assert any(
            a.startswith(
                f"rows: the 1,000 rows with the largest absolute total effect of "
                f"{len(every.rows):,} rows in changed markets"
            )
            for a in res.assumptions
        )
        # summaries, markets and exporters still cover every row
        _close(every.summary["total_effect_usd"], res.summary["total_effect_usd"], 1.0, "t")
        assert len(res.markets) == len(every.markets)
        assert len(res.exporters) == len(every.exporters)
    _same_frame(top.rows, top_chunked.rows, ["importer", "exporter", "code"], 1.0, "rows")
    assert "rows_returned" not in every.summary
    with pytest.raises(InputError, match="max_rows") as err:
        _run(request, frame, max_rows=0)
    assert err.value.parameter == "max_rows"


def test_session_run_reads_chunks_and_equals_one_pass(
    icio_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_scenario reads the importers a chunk at a time (one query each): same result."""
    from tradelever.analysis.scenarios import flows

    request, frame = _icio_flows(icio_session)
    one = _run(request, frame, home="MYS", max_rows=None, params=None)
    monkeypatch.setattr(flows, "CHUNK_ROWS", 30_000)
    chunked = icio_session.run_scenario(WORLD, dataset="icio2022", home="MYS", max_rows=None)
    scale = one.summary["baseline_imports_usd"]
    _close(one.summary, chunked.summary, scale, "summary")
    _close(one.home, chunked.home, scale, "home")
    _same_frame(one.rows, chunked.rows, ["importer", "exporter", "code"], scale, "rows")
    _same_frame(one.markets, chunked.markets, ["importer", "code"], scale, "markets")
    _same_frame(one.exporters, chunked.exporters, ["exporter"], scale, "exporters")


_IMPORTERS = ["DEU", "JPN", "MYS", "USA"]
_EXPORTERS = ["CHN", "DEU", "MYS", "THA", "USA"]
_CODES = ["010121", "847130", "854231"]


@st.composite
def _flows_frames(draw):  # type: ignore[no-untyped-def]
    import pandas as pd

    keys = [(i, e, c) for i in _IMPORTERS for e in _EXPORTERS for c in _CODES if i != e]
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=25, unique=True))
    values = draw(
        st.lists(st.floats(1.0, 1e9, allow_nan=False), min_size=len(chosen), max_size=len(chosen))
    )
    imp, exp, code = zip(*chosen, strict=True)
    return pd.DataFrame(
        {
            "importer": pd.Categorical(imp),
            "exporter": pd.Categorical(exp),
            "code": pd.Categorical(code),
            "value": values,
        }
    )


# per-product elasticities: every code of _CODES has its own (worked out by hand below)
_OVERRIDES = {
    "substitution": 2.0,
    "import_demand": -1.2,
    "products": {
        "01": {"substitution": 3.0},
        "8471": {"substitution": 4.0, "export_supply": 2.0},
        "854231": {"import_demand": -2.5},
    },
}
# code -> (sigma, import demand, export supply): override (longest prefix) > scenario value >
# default (export supply infinite)
_BY_HAND = {
    "010121": (3.0, -1.2, float("inf")),
    "847130": (4.0, -1.2, 2.0),
    "854231": (2.0, -2.5, float("inf")),
}


def _world(chn: float, others: float):  # type: ignore[no-untyped-def]
    from tradelever.analysis.scenarios import load_scenario

    return load_scenario(
        {
            **WORLD,
            "elasticities": _OVERRIDES,
            "measures": [
                dict(WORLD["measures"][0], new_rate=others),
                dict(WORLD["measures"][1], new_rate=chn),
            ],
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    frame=_flows_frames(),
    chunk_rows=st.integers(1, 30),
    chn=st.floats(0.0, 1.5),
    others=st.floats(0.0, 1.5),
    mode=st.sampled_from(["ces", "smart"]),
    max_rows=st.sampled_from([None, 1, 5]),
    draws=st.sampled_from([0, 4]),
)
def test_any_chunk_size_gives_the_same_result(  # type: ignore[no-untyped-def]
    frame, chunk_rows, chn, others, mode, max_rows, draws
) -> None:
    """Rows, markets, exporters, summary, home view and draws: the same in any chunking."""
    from tradelever.analysis.scenarios import run_on_flows

    sc = _world(chn, others)
    kw = dict(
        mode=mode,
        home="MYS",
        draws=draws,
        industry_level=False,
        classification="HS17",
        max_rows=max_rows,
    )
    one = run_on_flows(frame, sc, **kw)
    chunked = run_on_flows(frame, sc, chunk_rows=chunk_rows, **kw)
    assert_same_result(one, chunked)


@pytest.mark.parametrize("mode", ["ces", "smart"])
@pytest.mark.parametrize("chunk_rows", [None, 1])
def test_market_elasticities_are_those_of_each_code(mode: str, chunk_rows: int | None) -> None:
    """The markets table's per-code columns (filled in from the codes after the chunks)."""
    import numpy as np
    import pandas as pd

    from tradelever.analysis.scenarios import run_on_flows

    keys = [(i, e, c) for i in _IMPORTERS for e in _EXPORTERS for c in _CODES if i != e]
    imp, exp, code = zip(*keys, strict=True)
    frame = pd.DataFrame(
        {
            "importer": pd.Categorical(imp),
            "exporter": pd.Categorical(exp),
            "code": pd.Categorical(code),
            "value": np.arange(1.0, len(keys) + 1.0) * 1e6,
        }
    )
    r = run_on_flows(
        frame,
        _world(0.25, 0.10),
        mode=mode,
        industry_level=False,
        classification="HS17",
        max_rows=None,
        chunk_rows=chunk_rows,
    )
    markets = r.markets
    assert len(markets) == len(_IMPORTERS) * len(_CODES)  # every market changes
    assert list(markets.columns) == [
        "importer",
        "code",
        "description",
        "baseline_imports_usd",
        "total_effect_usd",
        "tariff_revenue_change_usd",
        "welfare_usd",
        "consumer_surplus_usd",
        "price_index_change",
        "sigma",
        "import_demand",
        "export_supply",
    ]
    for row in markets.itertuples():
        assert (row.sigma, row.import_demand, row.export_supply) == _BY_HAND[str(row.code)]
    # the rows carry the sigma of their own code too
    by_row = r.rows.groupby(["importer", "code"], observed=True)["sigma"].agg(["min", "max"])
    by_market = markets.set_index(["importer", "code"])["sigma"]
    assert (by_row["min"] == by_row["max"]).all()
    assert by_row["min"].sort_index().tolist() == by_market.sort_index().tolist()
    if mode == "smart":  # SMART has no consumer surplus or price index
        assert markets["consumer_surplus_usd"].isna().all()
        assert markets["price_index_change"].isna().all()
    else:  # CES: a higher price index in every market, welfare = surplus + revenue
        assert (markets["price_index_change"] > 0).all()
        np.testing.assert_allclose(
            markets["welfare_usd"],
            markets["consumer_surplus_usd"] + markets["tariff_revenue_change_usd"],
            rtol=1e-12,
        )
    assert markets["total_effect_usd"].is_monotonic_increasing


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 4)), unique=True,
             min_size=2, max_size=60),
    st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0, 7.0]), min_size=60, max_size=60),
    st.integers(1, 40),
    st.randoms(use_true_random=False),
)  # fmt: skip
def test_row_keeper_merge_ranks_as_one_sort_of_all_rows(keys, sizes, limit, rnd) -> None:  # type: ignore[no-untyped-def]
    """Placing candidates among kept rows gives the order of one lexsort of them all.

    Few distinct effect sizes, so most candidates tie with kept rows and with each other:
    the ties must go to the first (importer, exporter, code), as one sort gives.
    """
    import numpy as np
    import pandas as pd

    from tradelever.analysis.scenarios.run import _kept_keys, _RowKeeper

    rows = list(keys)
    rnd.shuffle(rows)
    split = rnd.randint(1, len(rows) - 1)
    imp, exp, code = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    total = np.array([sizes[i] * (-1) ** i for i in range(len(rows))])
    first = slice(0, split)
    # the kept rows: the first part, ranked by one sort (as the keeper holds them)
    rank = np.lexsort([code[first], exp[first], imp[first], -np.abs(total[first])])[:limit]
    current = {
        "importer": pd.Categorical.from_codes(imp[first][rank], categories=list("abcd")),
        "exporter": pd.Categorical.from_codes(exp[first][rank], categories=list("abcd")),
        "code": pd.Categorical.from_codes(code[first][rank], categories=list("vwxyz")),
        "total_effect_usd": total[first][rank],
    }
    rest = slice(split, None)
    cand = [code[rest], exp[rest], imp[rest], -np.abs(total[rest])]
    keeper = _RowKeeper(limit)
    got = keeper._merged(current, cand)
    both = [np.concatenate([a, b]) for a, b in zip(_kept_keys(current), cand, strict=True)]
    np.testing.assert_array_equal(got, np.lexsort(both)[:limit])


@pytest.mark.parametrize("max_rows", [None, 700])
def test_chunks_solved_in_parts_of_importers_equal_one_pass(
    icio_session: Session, monkeypatch: pytest.MonkeyPatch, max_rows: int | None
) -> None:
    """A chunk read solved in parts of whole importers (flows.SOLVE_ROWS) changes nothing."""
    from tradelever.analysis.scenarios import flows

    request, frame = _icio_flows(icio_session)
    kw = dict(mode="ces", home="MYS", draws=5, max_rows=max_rows)
    one = _run(request, frame, **kw)
    solved: list[int] = []
    parts = flows.importer_parts

    def counted(frame, rows):  # type: ignore[no-untyped-def]
        for part in parts(frame, rows):
            solved.append(len(part))
            yield part

    monkeypatch.setattr(flows, "SOLVE_ROWS", 5_000)
    monkeypatch.setattr("tradelever.analysis.scenarios.run.importer_parts", counted)
    in_parts = _run(request, frame, chunk_rows=40_000, **kw)
    assert len(solved) > 20 and sum(solved) == len(frame)  # every row solved once, in parts
    assert_same_result(one, in_parts)


def test_full_temporary_disk_is_a_clear_error(
    icio_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The markets table goes to temporary files chunk by chunk: a full disk names where."""
    import errno
    import tempfile

    from tradelever.errors import StoreError

    class Full:
        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            pass

    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **kw: Full())
    with pytest.raises(StoreError, match="No space left on device") as err:
        icio_session.run_scenario(WORLD, dataset="icio2022")
    assert tempfile.gettempdir() in str(err.value)
    assert "markets table" in str(err.value)

"""Building blocks of the HTTP app: error attribution, the result cache, loopback checks."""

from __future__ import annotations

import threading
import time

import pytest

from tradelever.errors import (
    DataFileError,
    FetchError,
    InputError,
    StoreError,
    UnknownCountryError,
    UnknownDatasetError,
)
from tradelever.interfaces.http.cache import ResultCache
from tradelever.interfaces.http.errors import error_for
from tradelever.interfaces.http.security import is_loopback


# -- error_for ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("exc", "params", "status", "parameter", "detail"),
    [
        (
            InputError("--year: 1999 is not in data set x"),
            {"year": 1999},
            422,
            "year",
            "year: 1999 is not in data set x",
        ),
        (
            InputError("--min-rca: must be >= 0"),
            {"min_rca": -1},
            422,
            "min_rca",
            "min_rca: must be >= 0",
        ),
        (
            UnknownCountryError("MAS: unknown country", parameter="home"),
            {"home": "MAS", "partner": "USA"},
            404,
            "home",
            "home: MAS: unknown country",
        ),
        (
            UnknownCountryError("mas: unknown country", parameter="partner"),
            {"partner": "mas"},
            404,
            "partner",
            "partner: mas: unknown country",
        ),
        (
            InputError("--fx, --fx-date: give all three"),
            {"fx": None, "fx_date": None},
            422,
            "fx",
            "fx, fx_date: give all three",
        ),
        (
            UnknownDatasetError("nope: unknown data set", parameter="dataset"),
            {"dataset": "other"},
            404,
            "dataset",
            "dataset: nope: unknown data set",
        ),
        (
            InputError("must be > 0", parameter="imports_usd"),
            {"imports": -5},
            422,
            "imports",
            "imports: must be > 0",
        ),
        (InputError("something odd"), {"home": "MYS"}, 422, None, "something odd"),
        (DataFileError("bad", path="x.csv", line=3), {}, 500, None, "x.csv, line 3: bad"),
        (StoreError("disk full"), {}, 500, None, "disk full"),
        (FetchError("timeout", url="u"), {}, 502, None, "timeout"),
    ],
)
def test_error_for(exc, params, status, parameter, detail) -> None:  # type: ignore[no-untyped-def]
    err = error_for(exc, params, names={"imports_usd": "imports"})
    assert (err.status, err.parameter, err.detail) == (status, parameter, detail)


def test_error_for_reads_the_parameter_never_the_message() -> None:
    # "C26" leads the message but is no parameter: only exc.parameter names one.
    err = error_for(UnknownCountryError("C26: unknown"), {"industry": "C26", "home": "MYS"})
    assert (err.parameter, err.detail) == (None, "C26: unknown")
    err = error_for(UnknownCountryError("C26: unknown", parameter="industry"), {"industry": "C26"})
    assert (err.parameter, err.detail) == ("industry", "industry: C26: unknown")
    # A parameter the request does not have is spelled out but not reported as the culprit.
    err = error_for(InputError("bad", parameter="trend_window"), {"home": "MYS"})
    assert (err.parameter, err.detail) == (None, "trend_window: bad")


# -- ResultCache ----------------------------------------------------------------------------
def test_cache_computes_once_for_concurrent_callers() -> None:
    cache = ResultCache(1_000)
    calls = 0
    gate = threading.Event()

    def compute() -> bytes:
        nonlocal calls
        calls += 1
        gate.wait(5)
        return b"answer"

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", compute)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    time.sleep(0.2)  # let every thread reach the cache before the computation ends
    gate.set()
    for t in threads:
        t.join()
    assert results == [b"answer"] * 8
    assert calls == 1
    assert cache.get_or_compute("k", compute) == b"answer" and calls == 1


def test_cache_does_not_keep_errors_and_shares_them_with_waiters() -> None:
    cache = ResultCache(1_000)
    attempts = 0

    def failing() -> bytes:
        nonlocal attempts
        attempts += 1
        raise InputError("home: bad")

    for _ in range(2):
        with pytest.raises(InputError):
            cache.get_or_compute("k", failing)
    assert attempts == 2 and len(cache) == 0


def test_cache_evicts_least_recently_used_by_size() -> None:
    cache = ResultCache(10)
    cache.get_or_compute("a", lambda: b"aaaa")
    cache.get_or_compute("b", lambda: b"bbbb")
    cache.get_or_compute("a", lambda: b"xxxx")  # hit: "a" becomes the most recent
    cache.get_or_compute("c", lambda: b"cccc")  # 12 bytes > 10: evict "b"
    assert cache.get_or_compute("a", lambda: b"new!") == b"aaaa"
    assert cache.get_or_compute("b", lambda: b"new!") == b"new!"
    # Values too large for the cache are returned but not kept; tuples count their bytes.
    assert cache.get_or_compute("big", lambda: (b"z" * 50, "name")) == (b"z" * 50, "name")
    assert cache.get_or_compute("big", lambda: (b"y", "name")) == (b"y", "name")


def test_cache_disabled_with_zero_bytes() -> None:
    cache = ResultCache(0)
    assert cache.get_or_compute("a", lambda: b"1") == b"1"
    assert cache.get_or_compute("a", lambda: b"2") == b"2"
    assert len(cache) == 0


# -- loopback -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_pool_warm_fills_every_session(http_data_dir) -> None:  # type: ignore[no-untyped-def]
    from tradelever.interfaces.http.sessions import SessionPool

    pool = SessionPool(http_data_dir, 3)
    pool.warm("hand-hs17")
    sessions = [pool._idle.get_nowait() for _ in range(3)]
    assert len({id(s) for s in sessions}) == 3
    # Each session's view of the data set holds its look-ups (issue 10: caches live in views).
    views = [s.view("hand-hs17") for s in sessions]
    assert all(v.remembered(("countries",)) for v in views)
    assert all(v.countries() == ["CHN", "MYS", "THA", "USA"] for v in views)


def test_unexpected_fault_is_a_json_500_without_internals(http_data_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tradelever.api import Session
    from tradelever.interfaces.http import create_app

    def broken(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(Session, "exposure", broken)
    app = create_app(http_data_dir, pool_size=1, cache_bytes=0)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        response = c.get("/api/exposure", params={"home": "MYS", "partner": "USA"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "internal error (ZeroDivisionError); see the server log",
        "parameter": None,
    }


def test_replaced_data_set_renews_sessions(hand_data_dir) -> None:  # type: ignore[no-untyped-def]
    """Re-ingesting a data set while serving: new answers, not the sessions' cached look-ups."""
    import pandas as pd
    from fastapi.testclient import TestClient

    from tests.synthetic import hand_flows, hand_products
    from tradelever.interfaces.http import create_app
    from tradelever.store import Store

    app = create_app(hand_data_dir, pool_size=2)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        before = c.get("/api/countries", params={"dataset": "hand-hs17"}).json()
        assert [x["iso3"] for x in before["countries"]] == ["CHN", "MYS", "THA", "USA"]
        lev = c.get(
            "/api/leverage", params={"home": "VNM", "partner": "USA", "dataset": "hand-hs17"}
        )
        assert lev.status_code == 404 and lev.json()["parameter"] == "home"

        # Replace hand-hs17 with a version where Viet Nam also sells processors to the USA.
        flows = hand_flows()
        extra = flows[(flows["exporter"] == "THA") & (flows["product"] == "854231")].copy()
        extra["exporter"] = "VNM"
        flows = pd.concat([flows, extra], ignore_index=True)
        store = Store(hand_data_dir)
        manifest = {**store.manifest("hand-hs17"), "sha256": "changed-for-the-test"}
        manifest.pop("name", None)
        with store.stage("hand-hs17", manifest) as staged:
            staged.write_table("flows", flows, partition_year=True)
            staged.write_table("products", hand_products())
            staged.manifest["rows"] = len(flows)

        after = c.get("/api/countries", params={"dataset": "hand-hs17"}).json()
        assert [x["iso3"] for x in after["countries"]] == ["CHN", "MYS", "THA", "USA", "VNM"]
        lev = c.get(
            "/api/leverage", params={"home": "VNM", "partner": "USA", "dataset": "hand-hs17"}
        )
        assert lev.status_code == 200
        rows = {r["code"]: r for r in lev.json()["rows"]}
        # 2023: USA imports 854231 for 100 + 20 (VNM) = 120; VNM supplies 20.
        assert rows["854231"]["home_share_of_partner_imports"] == pytest.approx(20 / 120)

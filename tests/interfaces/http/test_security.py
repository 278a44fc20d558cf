"""The server under hostile or slow clients (issue 13, item 5).

Each test reproduces a finding of issue 13 that the server before this change failed:
``text/plain`` POSTs started scenario runs, any web page could make the server compute,
12 heavy requests starved ``/api/datasets`` (it borrowed an analysis session), slow
clients were never timed out (uvicorn arms no timer while headers arrive), and ``fx=1e308``
rendered "RMinf".
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.interfaces.http.conftest import LiveServer
from tradelever.interfaces.http.security import allowed_host_names, host_allowed

PRESET = "us-2025-04-02"


class Gate:
    """Blocks ``Session.leverage`` until opened, counting the analyses it holds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from tradelever.api import Session

        self.open = threading.Event()
        self.held = 0
        self.calls = 0
        self._lock = threading.Lock()
        original = Session.leverage

        def blocked(session: Any, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.held += 1
                self.calls += 1
            try:
                assert self.open.wait(60), "the test never opened the gate"
                return original(session, *args, **kwargs)
            finally:
                with self._lock:
                    self.held -= 1

        monkeypatch.setattr(Session, "leverage", blocked)

    def wait_held(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.held < count:
            assert time.monotonic() < deadline, f"only {self.held} analyses started"
            time.sleep(0.01)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    found = Gate(monkeypatch)
    yield found
    found.open.set()


def _get_in_threads(url: str, queries: list[dict[str, str]]) -> tuple[list[Any], list[Any]]:
    answers: list[Any] = [None] * len(queries)

    def one(i: int) -> None:
        try:
            answers[i] = httpx.get(f"{url}/api/leverage", params=queries[i], timeout=120)
        except httpx.HTTPError as exc:  # pragma: no cover - reported by the assertions
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    return threads, answers


PAIRS = [
    {"home": h, "partner": p, "dataset": "hand-hs17"}
    for h in ("MYS", "USA", "CHN", "THA")
    for p in ("MYS", "USA", "CHN", "THA")
    if h != p
]


# -- Host check, other sites, media types ----------------------------------------------------
@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("localhost", True),
        ("[::1]:8000", True),
        ("trade.example:8000", True),
        ("a.corp.example", True),
        ("corp.example", False),
        ("evil.example", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_host_names(host: str, allowed: bool) -> None:
    names = allowed_host_names(["trade.example", "*.corp.example"])
    assert host_allowed(host, names) is allowed


@pytest.mark.parametrize("bad", ["*", "", "http://a.example", "a.example:80", "a b"])
def test_allowed_host_must_be_a_name(bad: str) -> None:
    from tradelever.errors import InputError

    with pytest.raises(InputError) as caught:
        allowed_host_names([bad])
    assert caught.value.parameter == "allowed_hosts"


@pytest.mark.parametrize(
    ("ctype", "status"),
    [
        ("text/plain", 415),  # what any web page can send without asking (no preflight)
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        (None, 415),
        ("application/json", 200),
    ],
)
def test_only_json_or_yaml_posts_start_scenario_runs(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctype: str | None, status: int
) -> None:
    from tradelever.api import Session

    runs: list[Any] = []
    original = Session.run_scenario

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Session, "run_scenario", counted)
    headers = {"content-type": ctype} if ctype else {}
    # a distinct query per case, so that no answer comes from the cache
    query = {"name": PRESET, "home": "MYS", "top": str(7 + len(ctype or ""))}
    response = client.post("/api/scenarios/run", params=query, headers=headers, content=b"")
    assert response.status_code == status, response.text
    if status == 415:
        assert response.json()["parameter"] == "body"
        assert response.json()["detail"].startswith("body: media type")
        assert runs == []
    else:
        assert len(runs) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "http://evil.example"},
        {"origin": "null"},
    ],
)
def test_requests_from_other_sites_are_refused_before_any_work(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, headers: dict[str, str]
) -> None:
    from tradelever.api import Session

    called: list[str] = []
    monkeypatch.setattr(Session, "brief", lambda *a, **k: called.append("brief"))
    response = client.get("/api/brief", params={"home": "MYS", "partner": "USA"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Origin: requests from other web sites")
    assert called == []
    # The dashboard itself (same origin) and clients that are not browsers are served.
    same = {"sec-fetch-site": "same-origin", "origin": "http://127.0.0.1"}
    assert client.get("/api/datasets", headers=same).status_code == 200
    assert client.get("/api/datasets").status_code == 200


# -- the bounded analysis pool ---------------------------------------------------------------
def test_heavy_requests_do_not_starve_the_catalogue(http_data_dir: Path, gate: Gate) -> None:
    """12 analyses hold the only session; /api/datasets answers while they all wait."""
    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1, cache_bytes=0)
    with LiveServer(app) as url:
        threads, answers = _get_in_threads(url, PAIRS[:12])
        gate.wait_held(1)  # one runs, eleven queue
        deadline = time.monotonic() + 60
        while app.state.engine.busy < 12:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        listed = httpx.get(f"{url}/api/datasets", timeout=30)
        assert listed.status_code == 200
        assert {d["name"] for d in listed.json()} >= {"hand-hs17", "icio2022"}
        assert all(d["status"] == "ok" for d in listed.json())
        labels = httpx.get(f"{url}/api/labels", timeout=30)
        scenarios = httpx.get(f"{url}/api/scenarios", timeout=30)
        assert labels.status_code == scenarios.status_code == 200
        assert app.state.engine.busy == 12 and gate.calls == 1  # still all waiting
        gate.open.set()
        for t in threads:
            t.join(120)
    assert [a.status_code for a in answers] == [200] * 12


def test_full_queue_is_refused_at_once(http_data_dir: Path, gate: Gate) -> None:
    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1, cache_bytes=0, queue_limit=2)
    with TestClient(app, base_url="http://127.0.0.1") as c, LiveServer(app) as url:
        threads, answers = _get_in_threads(url, PAIRS[:3])
        deadline = time.monotonic() + 60
        while app.state.engine.busy < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        refused = c.get("/api/leverage", params=PAIRS[3])
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["detail"].startswith("server: 3 analyses are running or waiting")
        gate.open.set()
        for t in threads:
            t.join(120)
    assert [a.status_code for a in answers] == [200] * 3


def test_time_limit_answers_503_and_keeps_the_answer(http_data_dir: Path, gate: Gate) -> None:
    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1, time_limit=1.0)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        late = c.get("/api/leverage", params=PAIRS[0])
        assert late.status_code == 503
        assert late.json()["detail"].startswith("server: the analysis did not finish within 1 s")
        gate.open.set()
        deadline = time.monotonic() + 60
        while app.state.engine.busy:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        again = c.get("/api/leverage", params=PAIRS[0])
    assert again.status_code == 200
    assert gate.calls == 1  # the second answer is the first analysis', kept


# -- slow clients ----------------------------------------------------------------------------
def _closed_by_server(sock: socket.socket) -> bytes:
    """Read until the server closes the connection (the socket's timeout fails the test)."""
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def test_client_that_stalls_in_its_headers_is_cut_off(http_app: Any) -> None:
    with LiveServer(http_app, header_timeout=0.5) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(b"GET /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # ... and stalls
            assert _closed_by_server(sock) == b""
        with socket.create_connection(("127.0.0.1", port), timeout=20) as idle:
            assert _closed_by_server(idle) == b""  # connects and sends nothing
        # after an answer, a keep-alive connection gets a new header deadline
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(b"GET /api/labels HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            first = sock.recv(65536)
            assert first.startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /api/labels HTTP/1.1\r\n")
            _closed_by_server(sock)
        assert httpx.get(f"{url}/api/labels", timeout=20).status_code == 200  # others served


def test_client_that_stalls_in_its_body_gets_408(http_data_dir: Path) -> None:
    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1, body_timeout=0.5)
    with LiveServer(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(
                b"POST /api/scenarios/run HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/yaml\r\nContent-Length: 1000\r\n\r\nname: x\n"
            )
            answer = _closed_by_server(sock)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b'"parameter":"body"' in answer.replace(b" ", b"")


# -- numeric inputs --------------------------------------------------------------------------
@pytest.mark.parametrize("fx", ["1e308", "1e8", "0", "-4.4", "inf", "nan"])
def test_absurd_exchange_rate_is_422(client: TestClient, fx: str) -> None:
    query = {
        "home": "MYS",
        "partner": "USA",
        "currency": "MYR",
        "fx": fx,
        "fx_date": "2025-04-02",
        "format": "md",
    }
    response = client.get("/api/brief", params=query)
    assert response.status_code == 422, response.text[:300]
    assert response.json()["parameter"] == "fx"
    assert "\n" not in response.json()["detail"]

"""``tradelever serve``: loopback by default, a warning elsewhere, a real server that answers."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tradelever.interfaces.cli import app


def _capture_run(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace uvicorn.run by a recorder: the command builds the app but opens no socket."""
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(application: Any, **kwargs: Any) -> None:
        seen["app"] = application
        seen.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_default_is_loopback_without_warning(
    monkeypatch: pytest.MonkeyPatch, http_data_dir: Path
) -> None:
    seen = _capture_run(monkeypatch)
    result = CliRunner().invoke(app, ["--data-dir", str(http_data_dir), "serve"])
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    assert "warning" not in result.output
    assert "http://127.0.0.1:8000/" in result.output
    from fastapi.testclient import TestClient

    with TestClient(seen["app"], base_url="http://evil.example") as foreign:
        assert foreign.get("/api/datasets").status_code == 400  # DNS rebinding refused
    with TestClient(seen["app"], base_url="http://127.0.0.1:8000") as local:
        assert local.get("/api/datasets").status_code == 200


def test_other_address_needs_allowed_hosts(http_data_dir: Path) -> None:
    """Issue 13: with --host 0.0.0.0 the Host check was off (DNS rebinding worked)."""
    result = CliRunner().invoke(
        app, ["--data-dir", str(http_data_dir), "serve", "--host", "0.0.0.0", "--port", "8123"]
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert text.startswith("error: --host: 0.0.0.0 is not a loopback address")
    assert "--allowed-host" in text


def test_other_address_keeps_the_host_check_and_says_what_it_exposes(
    monkeypatch: pytest.MonkeyPatch, http_data_dir: Path
) -> None:
    seen = _capture_run(monkeypatch)
    args = ["serve", "--host", "0.0.0.0", "--port", "8123", "--allowed-host", "trade.example"]
    result = CliRunner().invoke(app, ["--data-dir", str(http_data_dir), *args])
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 8123)
    text = " ".join(result.output.split())
    assert "warning: binding to 0.0.0.0, not loopback" in text
    assert "every network interface of this machine (port 8123)" in text
    assert "no authentication and no encryption" in text
    from tradelever.store import Store

    names = Store(http_data_dir).names()
    assert f"read the {len(names)} data sets in" in text and f"({', '.join(names)})" in text
    assert "trade.example (the Host check stays on)" in text
    from fastapi.testclient import TestClient

    with TestClient(seen["app"], base_url="http://evil.example:8123") as rebound:
        refused = rebound.get("/api/datasets")
        assert refused.status_code == 400  # DNS rebinding refused on any bind address
        assert refused.json()["detail"].startswith("Host: 'evil.example:8123' is not a name")
    with TestClient(seen["app"], base_url="http://trade.example:8123") as named:
        assert named.get("/api/datasets").status_code == 200
    with TestClient(seen["app"], base_url="http://127.0.0.1:8123") as local:
        assert local.get("/api/datasets").status_code == 200
    # the uvicorn settings that time slow clients out
    assert seen["timeout_keep_alive"] == 5 and seen["http"].header_timeout == 10.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port: 70000 is not a TCP port"),
        (["--port", "-1"], "--port: -1 is not a TCP port"),
        (["--sessions", "0"], "--sessions: must be 1 or more"),
        (["--log-level", "loud"], "--log-level: 'loud' is not one of"),
        (["--allowed-host", "*"], "--allowed-host: '*' is not a host name"),
        (["--allowed-host", "http://a.example/"], "--allowed-host: 'http://a.example/' is not"),
        (["--time-limit", "0"], "--time-limit: must be between 1 and 86400 seconds, got 0"),
    ],
)
def test_bad_options(http_data_dir: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(http_data_dir), "serve", *args])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_serve_answers_on_loopback(http_data_dir: Path) -> None:
    """The real command in a subprocess: uvicorn on 127.0.0.1, a free port, JSON answers."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tradelever.interfaces.cli import main; main()",
            "--data-dir",
            str(http_data_dir),
            "serve",
            "--port",
            "0",
            "--sessions",
            "1",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        url = None
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert proc.poll() is None, "".join(seen)
                continue
            seen.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
        assert url, "".join(seen)
        assert not any("warning" in s for s in seen)
        response = httpx.get(f"{url}/api/leverage", params={"home": "MYS", "partner": "USA"})
        assert response.status_code == 200
        assert response.json()["home"] == "MYS"
        assert httpx.get(f"{url}/").text.count('<label for="partner">') == 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        reader.join(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


def test_warm_prepares_named_data_sets_before_listening(
    monkeypatch: pytest.MonkeyPatch, http_data_dir: Path
) -> None:
    from tradelever.interfaces.http.sessions import SessionPool

    warmed: list[str] = []
    monkeypatch.setattr(SessionPool, "warm", lambda self, name: warmed.append(name))
    _capture_run(monkeypatch)
    args = ["--data-dir", str(http_data_dir), "serve", "--warm", "hand-hs17"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert warmed == ["icio2022", "hand-hs17"]


def test_warm_of_an_unknown_data_set_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, http_data_dir: Path
) -> None:
    _capture_run(monkeypatch)
    args = ["--data-dir", str(http_data_dir), "serve", "--warm", "nosuch"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "nosuch: unknown data set" in result.output and "Traceback" not in result.output

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


def test_other_address_warns(monkeypatch: pytest.MonkeyPatch, http_data_dir: Path) -> None:
    seen = _capture_run(monkeypatch)
    result = CliRunner().invoke(
        app, ["--data-dir", str(http_data_dir), "serve", "--host", "0.0.0.0", "--port", "8123"]
    )
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 8123)
    text = " ".join(result.output.split())
    assert "warning: binding to 0.0.0.0, not loopback" in text
    assert "no authentication" in text
    from fastapi.testclient import TestClient

    with TestClient(seen["app"], base_url="http://192.0.2.10:8123") as remote:
        assert remote.get("/api/datasets").status_code == 200  # any Host when exposed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port: 70000 is not a TCP port"),
        (["--port", "-1"], "--port: -1 is not a TCP port"),
        (["--sessions", "0"], "--sessions: must be 1 or more"),
        (["--log-level", "loud"], "--log-level: 'loud' is not one of"),
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

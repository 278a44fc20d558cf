"""Fixtures of the HTTP tests: one app on a store holding icio2022 and hand-hs17.

``http_data_dir`` is built once per test run (a copy of the session's ICIO store plus the
synthetic hand-made data set), and the apps built on it only read it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.synthetic import write_hand_dataset


@pytest.fixture(scope="session")
def http_data_dir(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path) -> Path:
    """A data directory with icio2022 and the synthetic hand-hs17 data set (read-only)."""
    target = tmp_path_factory.mktemp("http-store") / "store"
    shutil.copytree(icio_data_dir, target)
    write_hand_dataset(target)
    return target


@pytest.fixture(scope="session")
def http_app(http_data_dir: Path):  # type: ignore[no-untyped-def]
    """The tradelever FastAPI app on ``http_data_dir`` (2 sessions)."""
    from tradelever.interfaces.http import create_app

    return create_app(http_data_dir, pool_size=2)


@pytest.fixture(scope="session")
def client(http_app):  # type: ignore[no-untyped-def]
    """A TestClient that talks to the app as a local browser would (Host 127.0.0.1)."""
    from fastapi.testclient import TestClient

    with TestClient(http_app, base_url="http://127.0.0.1") as test_client:
        yield test_client


class LiveServer:
    """A uvicorn server on 127.0.0.1 and a random free port, run in a thread.

    With the slow-client limits of ``tradelever serve`` (:func:`server_options`).
    """

    def __init__(self, app, header_timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        from tradelever.interfaces.http.server import server_options

        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            **server_options(header_timeout),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 30 s")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_server(http_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Base URL of the app served by uvicorn on 127.0.0.1 (random port)."""
    with LiveServer(http_app) as url:
        yield url

"""The HTTP load generator shared by the load benchmarks: aiohttp, answers parsed by orjson.

The load generator runs on the same 2 cores as the server it measures, so its own cost is
kept low: aiohttp's C HTTP parser and orjson took 1.6 ms of the client's CPU per
``/api/leverage`` answer of 385 KB where httpx with ``json.loads`` took 7.3 ms (1,000
requests, 50 in flight, on the same machine), CPU the server did not get.

Idle connections are dropped by the client before the server's keep-alive (5 s) ends, as
browsers do, so that no request is sent on a connection the server is closing.

Install with ``pip install -e ".[bench]"``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

try:
    import aiohttp
except ImportError:  # pragma: no cover - a set-up error, said plainly
    raise SystemExit('the load benchmarks need aiohttp: pip install -e ".[bench]"') from None
import orjson

__all__ = ["Answer", "ClientError", "load_client"]

#: Errors of a request that count as failed requests (connection dropped, timeout...).
ClientError = (aiohttp.ClientError, TimeoutError)


class Answer:
    """Status and body of one answer; :meth:`json` parses the whole body (orjson)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return orjson.loads(self.body)


class LoadClient:
    """A keep-alive HTTP client with at most ``connections`` connections to one server."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Answer:
        async with self._session.get(path, params=params) as response:
            return Answer(response.status, await response.read())


@contextlib.asynccontextmanager
async def load_client(
    url: str, connections: int, timeout: float = 120.0
) -> AsyncIterator[LoadClient]:
    """A :class:`LoadClient` for the server at ``url``."""
    connector = aiohttp.TCPConnector(limit=connections, keepalive_timeout=3.0)
    async with aiohttp.ClientSession(
        base_url=url, connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as session:
        yield LoadClient(session)

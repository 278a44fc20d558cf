"""A local HTTP server (127.0.0.1, a thread) for testing network code without the internet.

Routes map a path to a queue of replies: each request takes the next reply, the last one
repeats. A reply may be a :class:`Reply` or a function of the request returning one. Replies
can set any status and headers, cut the connection after N body bytes (a truncated
transfer), serve a file with HTTP ``Range`` support (206, 416), as CEPII's server does, and
misbehave on purpose: drip the body a few bytes at a time, send it chunked without a
length, redirect anywhere (another host, ``file://``, in a loop).

Use the ``local_server`` fixture: ``local_server.route("/x", Reply(200, {"a": 1}))`` and
``local_server.url``; ``local_server.requests`` records every request. ``other_server`` is a
second server on another loopback address (127.0.0.2): another host, for redirect tests.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest


class _QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a client hangs up.

    The hostile-server tests make the client give up on purpose (size caps, deadlines);
    the connection reset that follows on the server side is expected.
    """

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Recorded:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Request headers, names in lower case."""


@dataclass
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None
    """Send the headers (full Content-Length) but only this many body bytes, then close."""
    ranges: bool = False
    """Serve ``body`` honouring a ``Range: bytes=N-`` request header."""
    delay: float = 0.0
    """Seconds to wait before answering (to trigger client timeouts)."""
    drip: tuple[int, float] | None = None
    """Send the body ``n`` bytes at a time, ``seconds`` apart (a server that drips)."""
    chunked: bool = False
    """Send the body with ``Transfer-Encoding: chunked`` (no length announced)."""

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


Responder = Reply | Callable[[Recorded], Reply]


class LocalServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, list[Responder]] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                rec = Recorded(
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()},
                )
                reply = server._next(rec)
                server._send(self, reply, rec)

        self.httpd = _QuietServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Responder) -> None:
        with self._lock:
            self.routes[path] = list(replies)

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _next(self, rec: Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
            queue = self.routes.get(rec.path)
            if not queue:
                return Reply(404, {"error": f"no route {rec.path}"})
            responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(rec) if callable(responder) else responder

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply, rec: Recorded) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.payload()
        status = reply.status
        headers = dict(reply.headers)
        if reply.ranges:
            headers.setdefault("Accept-Ranges", "bytes")
            match = re.fullmatch(r"bytes=(\d+)-", rec.headers.get("range", ""))
            if match:
                start = int(match.group(1))
                if start >= len(body):
                    status, headers["Content-Range"], body = 416, f"bytes */{len(body)}", b""
                else:
                    headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
                    status, body = 206, body[start:]
        handler.send_response(status)
        if status == 204:
            for k, v in headers.items():
                handler.send_header(k, v)
            handler.end_headers()
            return
        if not isinstance(reply.body, (bytes, str)):
            headers.setdefault("Content-Type", "application/json")
        if reply.chunked:
            headers["Transfer-Encoding"] = "chunked"
            for k, v in headers.items():
                handler.send_header(k, v)
            handler.end_headers()
            with contextlib.suppress(OSError):
                for i in range(0, len(body), 8192):
                    piece = body[i : i + 8192]
                    handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                handler.wfile.write(b"0\r\n\r\n")
            return
        headers["Content-Length"] = str(len(body))
        for k, v in headers.items():
            handler.send_header(k, v)
        if reply.cut_after is not None:
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body[: reply.cut_after])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.end_headers()
        if reply.drip is not None:
            size, pause = reply.drip
            with contextlib.suppress(OSError):  # the client may give up and hang up
                for i in range(0, len(body), size):
                    handler.wfile.write(body[i : i + size])
                    handler.wfile.flush()
                    time.sleep(pause)
            handler.close_connection = True
            return
        with contextlib.suppress(OSError):  # a client that stops reading (size cap)
            handler.wfile.write(body)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh local HTTP server on 127.0.0.1 for one test."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    """A second server on 127.0.0.2: another host than ``local_server`` (Linux loopback)."""
    try:
        server = LocalServer("127.0.0.2")
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.2 ({exc}); no second loopback host here")
    with server:
        yield server


class SleepRecorder:
    """Stand-in for ``time.sleep`` that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

"""Running the app under uvicorn with deadlines for slow clients.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` seconds, but it
arms no timer while a request's headers arrive: a client that opens a connection and sends
its headers one byte a minute (or nothing) holds it for ever, and enough of them take
every connection the server will accept. :class:`DeadlineProtocol` closes a connection
whose request line and headers are not complete ``header_timeout`` seconds after it opened
(or after the previous answer). The request body and the answer have their own deadlines
(:class:`tradelever.interfaces.http.security.RequestGuard`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "KEEP_ALIVE", "MAX_CONNECTIONS", "DeadlineProtocol", "server_options"]

log = logging.getLogger(__name__)

#: Seconds a client has to send its request line and headers.
HEADER_TIMEOUT: Final = 10.0
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE: Final = 5
#: Connections served at once; beyond, uvicorn answers 503 at once.
MAX_CONNECTIONS: Final = 512


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request line and headers."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the deadline for the first request's headers."""
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        """Start the deadline for the next request's headers."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the deadline."""
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._waiting_for = self.cycle  # a new cycle means the headers arrived
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        cycle = self.cycle
        if cycle is not None and (cycle is not self._waiting_for or not cycle.response_complete):
            return  # a request is being served: its body and answer have their own limits
        if not self.transport.is_closing():
            log.info(
                "closing a connection from %s: no complete request headers within %g s",
                self.client,
                self.header_timeout,
            )
            self.transport.close()


def deadline_protocol(header_timeout: float) -> type[DeadlineProtocol]:
    """:class:`DeadlineProtocol` with another header deadline (tests use a short one)."""
    return type("DeadlineProtocol", (DeadlineProtocol,), {"header_timeout": header_timeout})


def server_options(header_timeout: float = HEADER_TIMEOUT) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run``/``uvicorn.Config`` for slow-client limits."""
    return {
        "http": deadline_protocol(header_timeout),
        "timeout_keep_alive": KEEP_ALIVE,
        "limit_concurrency": MAX_CONNECTIONS,
        "h11_max_incomplete_event_size": 64 * 1024,
    }

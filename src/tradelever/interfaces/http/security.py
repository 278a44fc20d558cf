"""What a request must satisfy before any route runs, and the headers every answer carries.

The server has no authentication: it is meant for the local machine, or a network the user
chooses to expose it to. :class:`RequestGuard` keeps web pages out of it, whatever the
address it is bound to:

- **Host check** (DNS rebinding): the ``Host`` header must be a loopback name
  (:data:`LOOPBACK_HOSTS`) or one given with ``--allowed-host`` (``*.example.org``
  patterns accepted, ``*`` alone refused): a page on ``evil.example`` that rebinds its name
  to this machine sends ``Host: evil.example`` and is refused (400).
- **Other sites refused** (403): a browser marks a request a page on another site makes
  (``Sec-Fetch-Site: cross-site`` or ``same-site``, or an ``Origin`` whose host is not
  allowed); such requests are refused before any work, so an ``<img>`` or a form on any page
  cannot make the server compute briefs or scenario runs. Clients that are not browsers
  (curl, scripts) send neither header and are not affected.
- **State-changing requests are JSON (or YAML)** (415): a ``POST`` must declare
  ``application/json`` (or ``application/yaml``). A web page can send ``text/plain``, form
  or multipart bodies to any address without asking; for any other type the browser first
  asks the server (a CORS preflight), which this server never grants.
- **Slow clients** (408): the request body must arrive within ``body_timeout`` seconds and
  every part of the answer must be taken within ``send_timeout`` seconds, else the
  connection is closed (the header deadline is the server's, :mod:`.server`).

:class:`SecurityHeaders` adds ``nosniff``, no referrer and the dashboard's Content Security
Policy to every answer.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import json
from collections.abc import Iterable, Sequence
from typing import Any, Final
from urllib.parse import urlsplit

from tradelever.errors import InputError
from tradelever.interfaces.http.errors import ApiError

__all__ = [
    "BODY_TIMEOUT",
    "LOOPBACK_HOSTS",
    "SEND_TIMEOUT",
    "RequestGuard",
    "SecurityHeaders",
    "allowed_host_names",
    "host_allowed",
    "is_loopback",
]

#: Host names accepted by default: the app is meant for the local machine.
LOOPBACK_HOSTS: Final = ("127.0.0.1", "localhost", "::1", "[::1]")
#: Seconds a client has to send a request body (a scenario document: 1 MiB at most).
BODY_TIMEOUT: Final = 30.0
#: Seconds a client has to take each part of an answer before the connection is closed.
SEND_TIMEOUT: Final = 60.0
#: Media types a state-changing request may declare (none of them is CORS-safelisted).
BODY_TYPES: Final = (
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
)
_STATE_CHANGING: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OTHER_SITES: Final = frozenset({"cross-site", "same-site"})

# Content Security Policy of the dashboard: everything from this origin, nothing else.
_CSP: Final = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``) are; wildcards
    (``0.0.0.0``, ``::``), other addresses and other names are not.
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_host_names(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The loopback names plus ``extra`` (``--allowed-host``), checked and lower-cased.

    Raises
    ------
    InputError
        Naming ``allowed_hosts`` for ``*`` (that would turn the Host check off), an empty
        name, or a name with a scheme, port, path or space.
    """
    names = list(LOOPBACK_HOSTS)
    for raw in extra:
        name = str(raw).strip().lower()
        bare = name.removeprefix("*.")
        odd = any(c in bare for c in "/:@ *?[]") and not _ipv6(bare)
        if name in ("*", "") or not bare or odd:
            raise InputError(
                f"{raw!r} is not a host name (give the name clients put in the URL, such as "
                "trade.example.org or 192.168.1.20, or a pattern *.example.org; '*' would turn "
                "the Host check off)",
                parameter="allowed_hosts",
            )
        if name not in names:
            names.append(name)
    return tuple(names)


def _ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.strip("[]")).version == 6
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """The name of a ``Host`` header value (``[::1]:8000`` -> ``[::1]``, ``a:80`` -> ``a``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether a ``Host`` header value names an allowed host (patterns ``*.example.org``)."""
    name = _host_name(host)
    if not name:
        return False
    for pattern in allowed:
        if pattern.startswith("*.") and fnmatch.fnmatchcase(name, pattern):
            return True
        if name == pattern or (name.strip("[]") == pattern.strip("[]") and ":" in name):
            return True
    return False


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _refuse(send: Any, error: ApiError) -> None:
    body = json.dumps({"detail": error.detail, "parameter": error.parameter}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
    ]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: Host check, other sites refused, typed bodies, slow clients cut off.

    Parameters
    ----------
    app
        The application it guards.
    allowed_hosts
        Accepted host names (:func:`allowed_host_names`).
    body_timeout
        Seconds a client has to send the whole request body.
    send_timeout
        Seconds a client has to take each part of the answer.
    """

    def __init__(
        self,
        app: Any,
        allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
        body_timeout: float = BODY_TIMEOUT,
        send_timeout: float = SEND_TIMEOUT,
    ) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.body_timeout = body_timeout
        self.send_timeout = send_timeout

    def check(self, scope: Any) -> ApiError | None:
        """The refusal a request deserves before any route runs, or None."""
        host = _header(scope, b"host") or ""
        if not host_allowed(host, self.allowed_hosts):
            shown = host[:100]
            return ApiError(
                400,
                f"Host: {shown!r} is not a name this server answers to (loopback names, and "
                "those given with tradelever serve --allowed-host)",
            )
        site = (_header(scope, b"sec-fetch-site") or "").strip().lower()
        origin = _header(scope, b"origin")
        if site in _OTHER_SITES or (
            origin is not None and not host_allowed(urlsplit(origin).netloc, self.allowed_hosts)
        ):
            return ApiError(
                403,
                f"Origin: requests from other web sites are refused ({(origin or site)[:100]})",
            )
        if scope.get("method", "GET").upper() in _STATE_CHANGING:
            declared = _header(scope, b"content-type") or ""
            media = declared.split(";", 1)[0].strip().lower()
            if media not in BODY_TYPES:
                return ApiError(
                    415,
                    f"body: media type {media or 'none'!r} (Content-Type) is not accepted for "
                    f"{scope.get('method', 'POST').upper()}; send application/json or "
                    "application/yaml, even with an empty body",
                    "body",
                )
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Refuse the request, or run it with deadlines on its body and its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.check(scope)
        if refusal is not None:
            await _refuse(send, refusal)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        body_done = False

        async def guarded_receive() -> Any:
            # Until the body is in, it must come by the deadline; then the server only
            # listens for a disconnect, without one.
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.001))
            except TimeoutError:
                raise ApiError(
                    408,
                    f"body: not received within {self.body_timeout:g} s; the connection is closed",
                    "body",
                    headers={"Connection": "close"},
                ) from None
            if message.get("type") != "http.request" or not message.get("more_body"):
                body_done = True
            return message

        async def guarded_send(message: Any) -> None:
            try:
                await asyncio.wait_for(send(message), self.send_timeout)
            except TimeoutError:
                raise ConnectionAbortedError(
                    f"the client did not take the answer within {self.send_timeout:g} s"
                ) from None

        await self.app(scope, guarded_receive, guarded_send)


class SecurityHeaders:
    """ASGI middleware: ``nosniff``, no referrer, and the dashboard's CSP on every answer.

    The brief sets its own, stricter policy (its HTML has inline styles and no scripts).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Run the request, adding the headers to its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        own_csp = str(scope.get("path", "")).startswith("/api/brief")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not own_csp:
                    extra.append((b"content-security-policy", _CSP.encode("ascii")))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

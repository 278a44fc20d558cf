"""Keeping credentials out of URLs, messages, provenance and logs.

What counts as a secret: the query parameters in :data:`SECRET_PARAMS` (``key=`` of the
Census API...) and the headers in :data:`SECRET_HEADERS` (``Ocp-Apim-Subscription-Key`` of
UN Comtrade, ``Authorization``...). The HTTP client registers every such value it sends
(:func:`remember_secret`); :func:`redact_text` then masks them, and secret parameters by
name, in any text. :class:`RedactingFilter` does it for log records: it is attached to the
``httpx`` and ``httpcore`` loggers on import (their records carry full URLs and response
headers), and an application may add it to its handlers to cover every logger.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

if TYPE_CHECKING:  # imported where used: the CLI installs the filter without loading httpx
    import httpx

__all__ = [
    "SECRET_HEADERS",
    "SECRET_PARAMS",
    "RedactingFilter",
    "origin",
    "public_url",
    "redact_text",
    "redact_url",
    "remember_secret",
    "strip_secrets",
]

SECRET_PARAMS: Final = frozenset(
    {"key", "subscription-key", "api_key", "apikey", "token", "access_token"}
)
SECRET_HEADERS: Final = frozenset(
    {"ocp-apim-subscription-key", "authorization", "proxy-authorization", "cookie", "x-api-key"}
)
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")=)[^&#\s'\"]*"
)
# Values sent as secrets by this process: masked wherever they appear in a log record.
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()


def remember_secret(value: Any) -> None:
    """Register a secret value (4 characters or more) to be masked in logs and messages."""
    text = str(value or "")
    if len(text) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(text)


def redact_text(text: str) -> str:
    """``text`` with secret query parameters and every key value sent so far masked."""
    text = _QUERY_SECRET.sub(r"\1***", text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message and traceback.

    Attached to the ``httpx`` and ``httpcore`` loggers when this module is imported (their
    debug records carry full URLs and headers); an application may also add it to its
    handlers to cover every logger.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with secrets masked; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True


_FILTER = RedactingFilter()
for _name in (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
):
    logging.getLogger(_name).addFilter(_FILTER)


def strip_secrets(url: httpx.URL) -> httpx.URL:
    """``url`` without its secret query parameters."""
    pairs = [(k, v) for k, v in url.params.multi_items() if k.lower() not in SECRET_PARAMS]
    return url.copy_with(query=urlencode(pairs).encode("ascii") if pairs else None)


def public_url(url: httpx.URL | str) -> str:
    """A URL for messages and provenance: secret query parameters removed."""
    import httpx

    try:
        return str(strip_secrets(httpx.URL(str(url))))
    except (httpx.InvalidURL, TypeError, ValueError):
        return redact_text(str(url))


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port: credentials are never sent beyond these."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


def redact_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL with its query parameters, secrets removed (for messages and provenance)."""
    public = {k: v for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS}
    return f"{url}?{urlencode(public)}" if public else url

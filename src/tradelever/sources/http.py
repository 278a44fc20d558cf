"""A small HTTP layer shared by the API fetchers (Comtrade, Census) and the BACI download.

Built on ``httpx``. What it adds:

- **retries** with exponential backoff on HTTP 429, 500, 502, 503, 504 and on dropped
  connections; a ``Retry-After`` header (seconds or an HTTP date) or a "Try again in N
  seconds" body (UN Comtrade's 429 text) sets the wait instead;
- **timeouts** on connect and read;
- an **on-disk response cache** under ``<data_dir>/cache/http/``; the key is the URL plus the
  sorted query parameters *without* secrets (API keys are never part of a key, a file or an
  error message); a cache entry keeps the time the response was first retrieved, so
  provenance stays true when a cached answer is reused;
- typed errors: :class:`tradelever.errors.FetchError` carries the URL (without secrets) and
  the HTTP status; 401 and 403 say which key to set;
- **resumable downloads** (``Range`` requests into a ``.part`` file) with progress hooks.

Library code never prints: progress goes to a caller-supplied hook (the CLI draws rich
progress bars with it) and diagnostics to :mod:`logging`.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import httpx

from tradelever import __version__
from tradelever.errors import FetchError

__all__ = [
    "RETRY_STATUSES",
    "DownloadResult",
    "HttpClient",
    "HttpResponse",
    "ProgressHook",
    "base_url",
    "parse_retry_after",
    "redact_url",
]

log = logging.getLogger(__name__)

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
SECRET_PARAMS: Final = frozenset({"key", "subscription-key", "api_key", "apikey", "token"})
USER_AGENT: Final = f"tradelever/{__version__} (+https://github.com/tradelever)"

#: ``progress(description, completed, total)``: called with the units done so far (bytes or
#: requests) and the total when known. The CLI turns these calls into rich progress bars.
ProgressHook = Callable[[str, int, int | None], None]

_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def base_url(default: str, override: str | None = None) -> str:
    """A service's base URL: ``override`` when given, else ``default``.

    The environment (``TRADELEVER_COMTRADE_URL``, ...) is read by
    :meth:`tradelever.config.Config.resolve`, which passes the result here as ``override``;
    tests point the fetchers at a local server that way.
    """
    return (override or default).rstrip("/")


def redact_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL with its query parameters, secrets removed (for messages and provenance)."""
    public = {k: v for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS}
    return f"{url}?{urlencode(public)}" if public else url


def parse_retry_after(
    value: str | None, body: str = "", *, now: float | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header or a "Try again in N seconds" text.

    ``Retry-After`` is either a number of seconds or an HTTP date (RFC 9110 section 10.2.3).
    Returns None when neither gives a wait.
    """
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            ref = now if now is not None else time.time()
            return max(0.0, when.timestamp() - ref)
    match = _TRY_AGAIN.search(body or "")
    if match:
        return float(match.group(1))
    return None


@dataclass(frozen=True)
class HttpResponse:
    """A completed response (from the network or from the cache)."""

    url: str
    """Request URL with public query parameters (no secrets)."""
    status: int
    content: bytes
    headers: dict[str, str]
    retrieved_at: str
    """ISO 8601 UTC time the response was first received."""
    from_cache: bool = False

    @property
    def text(self) -> str:
        """Body decoded as UTF-8 (invalid bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Body parsed as JSON.

        Raises
        ------
        FetchError
            If the body is not JSON (the message quotes its start).
        """
        try:
            return json.loads(self.content)
        except ValueError as exc:
            snippet = self.text[:200].replace("\n", " ")
            raise FetchError(
                f"{self.url}: response is not valid JSON ({exc}); body starts: {snippet!r}",
                url=self.url,
                status=self.status,
            ) from exc


@dataclass(frozen=True)
class DownloadResult:
    """A file downloaded completely."""

    path: Path
    url: str
    bytes: int
    sha256: str
    resumed_from: int
    """Bytes already on disk (``.part`` file) when the download started."""
    retrieved_at: str


class HttpClient:
    """HTTP GET with retries, backoff, a response cache and resumable downloads.

    Parameters
    ----------
    cache_dir
        Folder of the response cache (``<data_dir>/cache/http``); None disables caching.
    timeout
        Seconds to wait for a connection and between bytes of a response.
    max_retries
        Retries after the first attempt, for retryable statuses and dropped connections.
    backoff
        First backoff in seconds; doubles on every retry (``backoff * 2**attempt``), capped at
        ``max_backoff``.
    max_wait
        Longest ``Retry-After`` honoured; a longer one raises :class:`FetchError` at once
        (the message says when to try again) instead of blocking for an hour.
    cache_max_age
        Seconds a cached response stays valid (default 30 days; None = forever).
    sleep
        Function used to wait (tests pass a recorder).
    transport
        Optional httpx transport (tests).
    """

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 300.0,
        cache_max_age: float | None = 30 * 86400,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.cache_max_age = cache_max_age
        self.sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache ----------------------------------------------------------------------------
    def cache_key(self, url: str, params: Mapping[str, Any] | None) -> str:
        """sha256 of the URL and its sorted public parameters (secrets excluded)."""
        public = sorted(
            (str(k), str(v)) for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS
        )
        return hashlib.sha256(json.dumps([url, public]).encode("utf-8")).hexdigest()

    def _cache_paths(self, key: str) -> tuple[Path, Path]:
        folder = Path(self.cache_dir or ".") / key[:2]  # callers check cache_dir first
        return folder / f"{key}.json", folder / f"{key}.body"

    def _cache_get(self, key: str) -> HttpResponse | None:
        if self.cache_dir is None:
            return None
        meta_path, body_path = self._cache_paths(key)
        if not (meta_path.is_file() and body_path.is_file()):
            return None
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            content = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if len(content) != meta.get("bytes"):
            return None  # torn entry: ignore, it will be rewritten
        if self.cache_max_age is not None:
            stored = datetime.fromisoformat(meta["retrieved_at"]).timestamp()
            if time.time() - stored > self.cache_max_age:
                return None
        return HttpResponse(
            url=meta["url"],
            status=int(meta["status"]),
            content=content,
            headers=dict(meta.get("headers", {})),
            retrieved_at=meta["retrieved_at"],
            from_cache=True,
        )

    def _cache_put(self, key: str, response: HttpResponse) -> None:
        if self.cache_dir is None:
            return
        meta_path, body_path = self._cache_paths(key)
        try:
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            # Body first, metadata last: an entry is valid only when both exist and agree.
            for path, data in (
                (body_path, response.content),
                (
                    meta_path,
                    json.dumps(
                        {
                            "url": response.url,
                            "status": response.status,
                            "headers": {
                                k: v
                                for k, v in response.headers.items()
                                if k.lower() in ("content-type", "etag", "last-modified")
                            },
                            "retrieved_at": response.retrieved_at,
                            "bytes": len(response.content),
                        }
                    ).encode("utf-8"),
                ),
            ):
                tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
        except OSError as exc:  # a cache that cannot be written is not fatal
            log.warning("cannot write the HTTP cache under %s: %s", self.cache_dir, exc)

    # -- requests -------------------------------------------------------------------------
    def _wait(self, attempt: int, response: httpx.Response | None, url: str) -> None:
        delay: float | None = None
        if response is not None:
            delay = parse_retry_after(response.headers.get("Retry-After"), response.text)
        if delay is None:
            delay = min(self.max_backoff, self.backoff * (2**attempt))
        if delay > self.max_wait:
            status = response.status_code if response is not None else None
            raise FetchError(
                f"{url}: the server asks to wait {delay:.0f} s before retrying (HTTP {status}); "
                "the daily quota may be used up: try again later",
                url=url,
                status=status,
            )
        log.info(
            "retrying %s in %.1f s (attempt %d of %d)", url, delay, attempt + 1, self.max_retries
        )
        self.sleep(delay)

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        use_cache: bool = True,
        auth_hint: str = "",
        ok_statuses: Iterable[int] = (200, 204),
    ) -> HttpResponse:
        """GET ``url`` with ``params``; retry, cache (status 200 only) and raise typed errors.

        Parameters
        ----------
        url, params
            Request URL and query parameters (secrets such as ``key`` are sent but never
            cached, logged or quoted).
        headers
            Extra headers (e.g. ``Ocp-Apim-Subscription-Key``).
        use_cache
            Read and write the response cache (``--refresh`` turns reading off).
        auth_hint
            Sentence appended to 401/403 errors, e.g. "set COMTRADE_API_KEY to a valid key".
        ok_statuses
            Statuses returned to the caller rather than raised.

        Raises
        ------
        FetchError
            After the retries are used up, on a status not in ``ok_statuses``, or on a
            connection failure; with ``url`` (no secrets) and ``status``.
        """
        public_url = redact_url(url, params)
        key = self.cache_key(url, params)
        if use_cache:
            cached = self._cache_get(key)
            if cached is not None:
                log.debug("cache hit for %s", public_url)
                return cached
        ok = set(ok_statuses)
        attempt = 0
        while True:
            try:
                raw = self._client.get(url, params=dict(params or {}), headers=dict(headers or {}))
            except httpx.TimeoutException as exc:
                if attempt >= self.max_retries:
                    raise FetchError(
                        f"{public_url}: timed out after {self.max_retries + 1} attempts ({exc})",
                        url=public_url,
                    ) from exc
                self._wait(attempt, None, public_url)
                attempt += 1
                continue
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise FetchError(
                        f"{public_url}: connection failed after {self.max_retries + 1} attempts "
                        f"({exc}); check the network or the base URL",
                        url=public_url,
                    ) from exc
                self._wait(attempt, None, public_url)
                attempt += 1
                continue
            status = raw.status_code
            if status in RETRY_STATUSES and attempt < self.max_retries:
                self._wait(attempt, raw, public_url)
                attempt += 1
                continue
            if status in ok:
                response = HttpResponse(
                    url=public_url,
                    status=status,
                    content=raw.content,
                    headers=dict(raw.headers),
                    retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
                if status == 200:
                    self._cache_put(key, response)
                return response
            raise _status_error(public_url, raw, auth_hint, attempts=attempt + 1)

    # -- downloads ------------------------------------------------------------------------
    def download(
        self,
        url: str,
        dest: str | os.PathLike[str],
        *,
        progress: ProgressHook | None = None,
        description: str = "download",
    ) -> DownloadResult:
        """Download ``url`` to ``dest``, resuming a ``dest.part`` left by an earlier attempt.

        The body is appended to ``<dest>.part``; an interrupted transfer (connection cut,
        short body) is resumed with an HTTP ``Range`` request, up to ``max_retries`` times.
        Only a complete file (as long as the server said) is renamed to ``dest``.

        Raises
        ------
        FetchError
            On HTTP errors, or when the transfer keeps failing.
        """
        dest = Path(dest)
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        start = part.stat().st_size if part.exists() else 0
        resumed_from = start
        attempt = 0
        total: int | None = None
        while True:
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with self._client.stream("GET", url, headers=headers) as raw:
                    status = raw.status_code
                    if status == 416 and have:
                        # Range not satisfiable: the .part file already holds the whole body
                        # (or more, if the remote file changed).
                        size = _content_range_total(raw.headers.get("Content-Range"))
                        if size is not None and size == have:
                            total = have
                            break
                        part.unlink()
                        raise _retryable("remote file changed size; restarting", url, status)
                    if status in RETRY_STATUSES:
                        raw.read()
                        raise _RetryableError(url, status, raw)
                    if status not in (200, 206):
                        raw.read()
                        raise _status_error(url, raw, "", attempts=attempt + 1)
                    mode = "ab"
                    if status == 200:
                        if have:
                            log.info("%s ignored the Range request; restarting from 0", url)
                        have = 0
                        mode = "wb"
                        length = raw.headers.get("Content-Length")
                        total = int(length) if length and length.isdigit() else None
                    else:
                        total = _content_range_total(raw.headers.get("Content-Range"))
                    if progress is not None:
                        progress(description, have, total)
                    done = have
                    with part.open(mode) as out:
                        for chunk in raw.iter_bytes():  # as received, so a cut keeps its bytes
                            out.write(chunk)
                            done += len(chunk)
                            if progress is not None:
                                progress(description, done, total)
                    if total is not None and done < total:
                        raise _retryable(f"transfer ended at {done} of {total} bytes", url, status)
                    total = done
                    break
            except (_RetryableError, httpx.TransportError) as exc:
                if attempt >= self.max_retries:
                    status = exc.status if isinstance(exc, _RetryableError) else None
                    raise FetchError(
                        f"{url}: download failed after {attempt + 1} attempts ({exc}); the "
                        f"partial file {part} is kept and the next run resumes from it",
                        url=url,
                        status=status,
                    ) from exc
                self._wait(attempt, exc.response if isinstance(exc, _RetryableError) else None, url)
                attempt += 1
        os.replace(part, dest)
        return DownloadResult(
            path=dest,
            url=url,
            bytes=total or dest.stat().st_size,
            sha256=file_sha256(dest),
            resumed_from=resumed_from,
            retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


class _RetryableError(Exception):
    def __init__(
        self, url: str, status: int | None, response: httpx.Response | None, message: str = ""
    ) -> None:
        super().__init__(message or f"HTTP {status}")
        self.url = url
        self.status = status
        self.response = response


def _retryable(message: str, url: str, status: int | None) -> _RetryableError:
    return _RetryableError(url, status, None, message)


def _content_range_total(value: str | None) -> int | None:
    """Total size from ``Content-Range: bytes 100-199/1000`` (or ``bytes */1000``)."""
    if not value or "/" not in value:
        return None
    tail = value.rsplit("/", 1)[1].strip()
    return int(tail) if tail.isdigit() else None


def _status_error(url: str, raw: httpx.Response, auth_hint: str, *, attempts: int) -> FetchError:
    status = raw.status_code
    try:
        snippet = raw.text[:300].replace("\n", " ").strip()
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        snippet = ""
    if status in (401, 403):
        what = "rejected the request as unauthorised" if status == 401 else "refused access"
        message = f"{url}: HTTP {status}, the server {what}"
        if auth_hint:
            message += f"; {auth_hint}"
    elif status in RETRY_STATUSES:
        message = f"{url}: HTTP {status} after {attempts} attempts; try again later"
    else:
        message = f"{url}: HTTP {status}"
    if snippet:
        message += f" (server said: {snippet})"
    return FetchError(message, url=url, status=status)


def file_sha256(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()

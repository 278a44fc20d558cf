"""A small HTTP layer shared by the API fetchers (Comtrade, Census) and the BACI download.

Built on ``httpx``. What it adds:

- **retries** with exponential backoff on HTTP 429, 500, 502, 503, 504, timeouts and dropped
  connections; a ``Retry-After`` header (seconds or an HTTP date) or a "Try again in N
  seconds" body (UN Comtrade's 429 text) sets the wait instead. A connection that cannot be
  opened at all (refused, unknown host, no route) fails fast: one retry, a 5-second connect
  timeout, and a message naming the host and the offline alternative;
- **bounds** on every request: an overall ``deadline`` (retries and waits included), a
  minimum transfer rate (``min_rate`` bytes/s over ``rate_window`` seconds: a server that
  drips bytes fails well within the deadline) and a size cap (``max_bytes``, checked against
  ``Content-Length`` and while reading, so a huge body is never held in memory);
- **redirects followed by hand**: only http and https (``file://`` and other schemes are
  refused, never retried), never from https down to http, at most ``max_redirects`` and no
  loops (each a one-line error). Credentials never leave their origin: on a redirect to
  another scheme, host or port the secret headers (``Ocp-Apim-Subscription-Key``,
  ``Authorization``...) and secret query parameters (``key=``...) are dropped;
- an **on-disk response cache** under ``<data_dir>/cache/http/`` that holds only responses the
  caller's ``validate`` function accepted (an HTML maintenance page, garbage or a truncated
  body is never cached). The key is the URL plus the sorted query parameters *without*
  secrets; an entry keeps the time the response was first retrieved, so provenance stays
  true when it is reused. A cached answer that fails validation is dropped and the error
  says it came from the cache and names ``--refresh``;
- **secrets kept out** of cache files, error messages, provenance and logs: URLs in messages
  are redacted, and a logging filter on the ``httpx`` and ``httpcore`` loggers masks secret
  query parameters and every key value this process has sent (``--debug`` included);
- typed errors: :class:`tradelever.errors.FetchError` carries the URL (without secrets) and
  the HTTP status; 401 and 403 say which key to set;
- **resumable downloads** (``Range`` requests into a ``.part`` file) with progress hooks.

Library code never prints and never reads the environment for credentials: keys are
arguments. Progress goes to a caller-supplied hook, diagnostics to :mod:`logging`.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from tradelever import __version__
from tradelever.checksums import file_sha256
from tradelever.errors import DataFileError, FetchError, TradeleverError
from tradelever.sources.http_cache import ResponseCache, cache_key
from tradelever.sources.redaction import (
    SECRET_HEADERS,
    SECRET_PARAMS,
    RedactingFilter,
    origin,
    public_url,
    redact_text,
    redact_url,
    remember_secret,
    strip_secrets,
)

if TYPE_CHECKING:  # imported where a request is made: importing this module stays cheap
    import httpx

__all__ = [
    "DEFAULT_MAX_BYTES",
    "OFFLINE_HINT",
    "RETRY_STATUSES",
    "SECRET_HEADERS",
    "SECRET_PARAMS",
    "DownloadResult",
    "HttpClient",
    "HttpResponse",
    "ProgressHook",
    "RedactingFilter",
    "base_url",
    "parse_retry_after",
    "redact_text",
    "redact_url",
]

log = logging.getLogger(__name__)

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
USER_AGENT: Final = f"tradelever/{__version__} (+https://github.com/tradelever)"
#: Default size cap of one API response (the fetchers set their own).
DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
#: Default cap of one download (a BACI release zip is 0.5 to 3 GB).
DEFAULT_DOWNLOAD_MAX_BYTES: Final = 16 * 1024**3
OFFLINE_HINT: Final = (
    "to work offline, download a CEPII BACI release by hand and load it with "
    "`tradelever ingest baci PATH`"
)
CONNECT_RETRIES: Final = 1

#: ``progress(description, completed, total)``: called with the units done so far (bytes or
#: requests) and the total when known. The CLI turns these calls into rich progress bars.
ProgressHook = Callable[[str, int, int | None], None]

_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def base_url(default: str, override: str | None = None) -> str:
    """A service's base URL: ``override`` when given, else ``default``.

    The environment (``TRADELEVER_COMTRADE_URL``, ...) is read by
    :meth:`tradelever.config.Config.resolve`, which passes the result here as ``override``;
    tests point the fetchers at a local server that way. Base URLs are not secrets.
    """
    return (override or default).rstrip("/")


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


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n >= 1024**2 else f"{n:,} bytes"


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
    parsed: Any = None
    """What the caller's ``validate`` function returned for it (None without one)."""

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
            snippet = redact_text(self.text[:200].replace("\n", " "))
            reason = str(exc).split(":")[0]
            raise FetchError(
                f"{self.url}: response is not valid JSON ({reason}); body starts: {snippet!r}",
                url=self.url,
                status=self.status,
            ) from None


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


@dataclass(frozen=True)
class _Received:
    status: int
    headers: dict[str, str]
    content: bytes
    url: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class _FatalError(Exception):
    """A failure retrying cannot fix (bad redirect, too large, too slow, past the deadline)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _RetryableError(Exception):
    def __init__(self, status: int | None, received: _Received | None, message: str = "") -> None:
        super().__init__(message or f"HTTP {status}")
        self.status = status
        self.received = received


def _from_cache(exc: TradeleverError, response: HttpResponse) -> TradeleverError:
    """The same error, saying that the answer came from the cache and what to do."""
    text = (
        f"{exc} (this answer came from the response cache, retrieved {response.retrieved_at}; "
        "it has been dropped: run the command again to ask the server, or add --refresh to "
        "bypass the cache)"
    )
    if isinstance(exc, FetchError):
        return type(exc)(text, url=exc.url, status=exc.status)
    if isinstance(exc, DataFileError):
        return DataFileError(text)
    return FetchError(text, url=response.url, status=response.status)


class HttpClient:
    """HTTP GET with retries, bounds, safe redirects, a validated cache and resumable downloads.

    Parameters
    ----------
    cache_dir
        Folder of the response cache (``<data_dir>/cache/http``); None disables caching.
    timeout
        Seconds to wait between bytes of a response (read timeout).
    connect_timeout
        Seconds to wait for a connection.
    max_retries
        Retries after the first attempt, for retryable statuses, timeouts and dropped
        connections (a connection that cannot be opened is retried once).
    backoff
        First backoff in seconds; doubles on every retry (``backoff * 2**attempt``), capped at
        ``max_backoff``.
    max_wait
        Longest ``Retry-After`` honoured; a longer one raises :class:`FetchError` at once
        (the message says when to try again) instead of blocking for an hour.
    cache_max_age
        Seconds a cached response stays valid (default 30 days; None = forever).
    max_bytes
        Default size cap of a response to :meth:`get`.
    deadline
        Default overall seconds for one :meth:`get`, retries and waits included.
    download_deadline
        Default overall seconds for one :meth:`download`.
    min_rate, rate_window
        A transfer slower than ``min_rate`` bytes/s over ``rate_window`` seconds is aborted.
    max_redirects
        Redirects followed per request.
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
        connect_timeout: float = 5.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 300.0,
        cache_max_age: float | None = 30 * 86400,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = 600.0,
        download_deadline: float = 6 * 3600.0,
        min_rate: float = 1024.0,
        rate_window: float = 30.0,
        max_redirects: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        import httpx

        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._cache = ResponseCache(self.cache_dir, cache_max_age) if self.cache_dir else None
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.cache_max_age = cache_max_age
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.download_deadline = download_deadline
        self.min_rate = min_rate
        self.rate_window = rate_window
        self.max_redirects = max_redirects
        self.sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=self.connect_timeout),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,  # followed by hand: see _open
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cache_key(self, url: str, params: Mapping[str, Any] | None) -> str:
        """sha256 of the URL and its sorted public parameters (secrets excluded)."""
        return cache_key(url, params)

    # -- one exchange ---------------------------------------------------------------------
    @contextlib.contextmanager
    def _open(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        deadline_at: float,
    ) -> Iterator[tuple[httpx.Response, str]]:
        """Send a GET and follow redirects safely; yield the final streaming response."""
        import httpx

        current = httpx.URL(url)
        if params:
            current = current.copy_merge_params({k: str(v) for k, v in params.items()})
        sent = dict(headers)
        visited = [public_url(current)]
        for _ in range(self.max_redirects + 1):
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise _FatalError(f"{visited[0]}: no complete answer within the deadline")
            timeout = httpx.Timeout(
                min(self.timeout, remaining), connect=min(self.connect_timeout, remaining)
            )
            request = self._client.build_request("GET", current, headers=sent, timeout=timeout)
            raw = self._client.send(request, stream=True)
            location = raw.headers.get("location")
            if raw.status_code in REDIRECT_STATUSES and location:
                raw.close()
                current, sent = self._redirect(current, location, sent, visited)
                continue
            try:
                yield raw, public_url(current)
            finally:
                raw.close()
            return
        raise _FatalError(
            f"{visited[0]}: more than {self.max_redirects} redirects "
            f"({' -> '.join(visited)}); the server is misconfigured"
        )

    def _redirect(
        self, current: httpx.URL, location: str, headers: dict[str, str], visited: list[str]
    ) -> tuple[httpx.URL, dict[str, str]]:
        import httpx

        try:
            target = current.join(location)
        except (httpx.InvalidURL, ValueError):
            raise _FatalError(f"{visited[0]}: redirected to an invalid URL") from None
        if target.scheme not in ("http", "https"):
            raise _FatalError(
                f"{visited[0]}: the server redirected to a {target.scheme}: URL, which is "
                "refused (only http and https redirects are followed)"
            )
        if current.scheme == "https" and target.scheme == "http":
            raise _FatalError(
                f"{visited[0]}: the server redirected from https to plain http "
                f"({public_url(target)}), which is refused"
            )
        if origin(target) != origin(current):
            dropped = sorted(k for k in headers if k.lower() in SECRET_HEADERS)
            headers = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
            target = strip_secrets(target)
            log.info(
                "redirected to another origin, %s; credentials not forwarded%s",
                public_url(target),
                f" ({', '.join(dropped)})" if dropped else "",
            )
        public = public_url(target)
        if public in visited:
            raise _FatalError(f"{visited[0]}: redirect loop ({' -> '.join([*visited, public])})")
        visited.append(public)
        return target, headers

    def _chunks(
        self, raw: httpx.Response, url: str, deadline_at: float, max_bytes: int, have: int = 0
    ) -> Iterator[bytes]:
        """The body in chunks, enforcing the size cap, the deadline and the minimum rate."""
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and have + int(declared) > max_bytes:
            raise _FatalError(
                f"{url}: the server announces {_mib(have + int(declared))}, over the "
                f"{_mib(max_bytes)} cap for this source (max_bytes); ask for less per call or "
                "raise the cap",
                raw.status_code,
            )
        total = have
        window_start, window_bytes = time.monotonic(), 0
        for chunk in raw.iter_bytes():
            total += len(chunk)
            if total > max_bytes:
                raise _FatalError(
                    f"{url}: the response passed the {_mib(max_bytes)} cap for this source "
                    "(max_bytes); ask for less per call or raise the cap",
                    raw.status_code,
                )
            now = time.monotonic()
            if now > deadline_at:
                raise _FatalError(
                    f"{url}: not complete by the deadline ({total:,} bytes received)",
                    raw.status_code,
                )
            window_bytes += len(chunk)
            if now - window_start >= self.rate_window:
                rate = window_bytes / (now - window_start)
                if rate < self.min_rate:
                    raise _FatalError(
                        f"{url}: the transfer stalled at {rate:,.0f} bytes/s over "
                        f"{self.rate_window:.0f} s (minimum {self.min_rate:,.0f} bytes/s)",
                        raw.status_code,
                    )
                window_start, window_bytes = now, 0
            yield chunk

    def _wait(self, attempt: int, received: _Received | None, url: str, deadline_at: float) -> None:
        delay: float | None = None
        status = received.status if received is not None else None
        if received is not None:
            delay = parse_retry_after(received.headers.get("retry-after"), received.text)
        if delay is None:
            delay = min(self.max_backoff, self.backoff * (2**attempt))
        if delay > self.max_wait:
            raise FetchError(
                f"{url}: the server asks to wait {delay:.0f} s before retrying (HTTP {status}); "
                "the daily quota may be used up: try again later",
                url=url,
                status=status,
            )
        if time.monotonic() + delay > deadline_at:
            reason = f"HTTP {status}" if status else "no answer"
            raise FetchError(
                f"{url}: {reason} after {attempt + 1} attempts, and waiting {delay:.0f} s more "
                "would pass the deadline; try again later",
                url=url,
                status=status,
            )
        log.info(
            "retrying %s in %.1f s (attempt %d of %d)", url, delay, attempt + 1, self.max_retries
        )
        self.sleep(delay)

    def _connect_failed(self, url: str, exc: Exception, attempts: int, hint: str) -> FetchError:
        import httpx

        host = httpx.URL(url).netloc.decode("ascii", "replace")
        reason = _describe(exc)
        return FetchError(
            f"cannot connect to {host} ({reason}) after {attempts} attempts; check the network "
            f"connection, a proxy or the base URL; {hint}",
            url=url,
        )

    # -- requests -------------------------------------------------------------------------
    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        use_cache: bool = True,
        auth_hint: str = "",
        ok_statuses: Iterable[int] = (200, 204),
        validate: Callable[[HttpResponse], Any] | None = None,
        cache_if: Callable[[Any], bool] | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
        offline_hint: str = OFFLINE_HINT,
    ) -> HttpResponse:
        """GET ``url`` with ``params``; retry, validate, cache and raise typed errors.

        Parameters
        ----------
        url, params
            Request URL and query parameters (secrets such as ``key`` are sent but never
            cached, logged or quoted).
        headers
            Extra headers (e.g. ``Ocp-Apim-Subscription-Key``; never forwarded to another
            origin).
        use_cache
            Read the response cache (``--refresh`` turns reading off); a validated answer is
            written to it either way.
        auth_hint
            Sentence appended to 401/403 errors, e.g. "set COMTRADE_API_KEY to a valid key".
        ok_statuses
            Statuses returned to the caller rather than raised.
        validate
            Called with a 200 response; raises a :class:`TradeleverError` if the body is
            not what the caller expects, else returns the parsed body (``response.parsed``).
            Only 200 responses it accepted are cached; without it nothing is cached.
        cache_if
            Called with the parsed body; False keeps a valid answer out of the cache (e.g.
            an empty one, which a later request may fill).
        max_bytes, deadline
            Size cap and overall time limit of this call (default: the client's).
        offline_hint
            What to do without the network, appended to connection failures.

        Raises
        ------
        FetchError
            After the retries are used up, on a status not in ``ok_statuses``, a bad
            redirect, a body over the cap, a stalled transfer or a connection failure; with
            ``url`` (no secrets) and ``status``. Errors of ``validate`` are raised as they
            are, noting the cache when the answer came from it.
        """
        import httpx

        headers = dict(headers or {})
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                remember_secret(value)
        for name, value in (params or {}).items():
            if name.lower() in SECRET_PARAMS:
                remember_secret(value)
        shown = redact_url(url, params)
        key = cache_key(url, params)
        cache = self._cache if validate is not None else None
        entry = cache.get(key) if cache is not None and use_cache else None
        if cache is not None and entry is not None and validate is not None:
            meta, content = entry
            cached = HttpResponse(
                url=meta["url"],
                status=int(meta["status"]),
                content=content,
                headers=dict(meta.get("headers", {})),
                retrieved_at=meta["retrieved_at"],
                from_cache=True,
            )
            log.debug("cache hit for %s", shown)
            try:
                return replace(cached, parsed=validate(cached))
            except TradeleverError as exc:
                cache.drop(key)
                raise _from_cache(exc, cached) from None
        cap = max_bytes if max_bytes is not None else self.max_bytes
        deadline_at = time.monotonic() + (deadline if deadline is not None else self.deadline)
        ok = set(ok_statuses)
        attempt = connect_failures = 0
        while True:
            try:
                with self._open(url, params, headers, deadline_at) as (raw, final_url):
                    content = b"".join(self._chunks(raw, final_url, deadline_at, cap))
                    received = _Received(raw.status_code, dict(raw.headers), content, final_url)
            except _FatalError as exc:
                raise FetchError(str(exc), url=shown, status=exc.status) from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                connect_failures += 1
                if connect_failures > CONNECT_RETRIES:
                    raise self._connect_failed(shown, exc, connect_failures, offline_hint) from None
                self._wait(attempt, None, shown, deadline_at)
                attempt += 1
                continue
            except httpx.TimeoutException as exc:
                if attempt >= self.max_retries:
                    raise FetchError(
                        f"{shown}: timed out after {attempt + 1} attempts ({type(exc).__name__})",
                        url=shown,
                    ) from None
                self._wait(attempt, None, shown, deadline_at)
                attempt += 1
                continue
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise FetchError(
                        f"{shown}: connection failed after {attempt + 1} attempts "
                        f"({_describe(exc)}); check the network "
                        "or the base URL",
                        url=shown,
                    ) from None
                self._wait(attempt, None, shown, deadline_at)
                attempt += 1
                continue
            status = received.status
            if status in RETRY_STATUSES and attempt < self.max_retries:
                self._wait(attempt, received, shown, deadline_at)
                attempt += 1
                continue
            if status not in ok:
                raise _status_error(shown, received, auth_hint, attempts=attempt + 1)
            response = HttpResponse(
                url=shown,
                status=status,
                content=received.content,
                headers=received.headers,
                retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            if status != 200 or validate is None:
                return response
            parsed = validate(response)  # a fresh answer that fails is raised, never cached
            if cache is not None and (cache_if is None or cache_if(parsed)):
                cache.put(key, shown, status, received.headers, response.retrieved_at, content)
            return replace(response, parsed=parsed)

    # -- downloads ------------------------------------------------------------------------
    def download(
        self,
        url: str,
        dest: str | os.PathLike[str],
        *,
        progress: ProgressHook | None = None,
        description: str = "download",
        max_bytes: int = DEFAULT_DOWNLOAD_MAX_BYTES,
        deadline: float | None = None,
        offline_hint: str = OFFLINE_HINT,
    ) -> DownloadResult:
        """Download ``url`` to ``dest``, resuming a ``dest.part`` left by an earlier attempt.

        The body is appended to ``<dest>.part``; an interrupted transfer (connection cut,
        short body) is resumed with an HTTP ``Range`` request, up to ``max_retries`` times
        and within ``deadline`` seconds (default the client's ``download_deadline``). Only a
        complete file (as long as the server said) is renamed to ``dest``.

        Raises
        ------
        FetchError
            On HTTP errors, a bad redirect, a file over ``max_bytes``, a stalled transfer,
            the deadline, or when the transfer keeps failing (the ``.part`` file is kept and
            the next run resumes from it).
        """
        import httpx

        dest = Path(dest)
        part = dest.with_name(dest.name + ".part")
        public = public_url(url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        resumed_from = part.stat().st_size if part.exists() else 0
        limit = deadline if deadline is not None else self.download_deadline
        deadline_at = time.monotonic() + limit
        attempt = connect_failures = 0
        total: int | None = None
        while True:
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with self._open(url, None, headers, deadline_at) as (raw, final_url):
                    total = self._receive(
                        raw, final_url, part, have, deadline_at, max_bytes, progress, description
                    )
                    break
            except _FatalError as exc:
                raise FetchError(f"{exc}{_kept(part)}", url=public, status=exc.status) from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                connect_failures += 1
                if connect_failures > CONNECT_RETRIES:
                    failure = self._connect_failed(public, exc, connect_failures, offline_hint)
                    raise failure from None
                self._wait(attempt, None, public, deadline_at)
                attempt += 1
            except (_RetryableError, httpx.TransportError) as exc:
                if attempt >= self.max_retries:
                    status = exc.status if isinstance(exc, _RetryableError) else None
                    what = _describe(exc)
                    raise FetchError(
                        f"{public}: download failed after {attempt + 1} attempts ({what})"
                        f"{_kept(part)}",
                        url=public,
                        status=status,
                    ) from None
                received = exc.received if isinstance(exc, _RetryableError) else None
                self._wait(attempt, received, public, deadline_at)
                attempt += 1
        os.replace(part, dest)
        return DownloadResult(
            path=dest,
            url=public,
            bytes=total or dest.stat().st_size,
            sha256=file_sha256(dest),
            resumed_from=resumed_from,
            retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def _receive(
        self,
        raw: httpx.Response,
        url: str,
        part: Path,
        have: int,
        deadline_at: float,
        max_bytes: int,
        progress: ProgressHook | None,
        description: str,
    ) -> int:
        """Append one response's body to ``part``; return the complete size."""
        status = raw.status_code
        if status == 416 and have:
            # Range not satisfiable: the .part file already holds the whole body (or more,
            # if the remote file changed).
            size = _content_range_total(raw.headers.get("Content-Range"))
            if size is not None and size == have:
                return have
            part.unlink()
            raise _RetryableError(status, None, "remote file changed size; restarting")
        if status in RETRY_STATUSES or status not in (200, 206):
            body = b""
            for chunk in raw.iter_bytes():  # the start of an error page is enough
                body += chunk
                if len(body) >= 4096:
                    break
            received = _Received(status, dict(raw.headers), body, url)
            if status in RETRY_STATUSES:
                raise _RetryableError(status, received)
            raise _FatalError(str(_status_error(url, received, "", attempts=1)), status)
        mode, total = "ab", None
        if status == 200:
            if have:
                log.info("%s ignored the Range request; restarting from 0", url)
            have, mode = 0, "wb"
            length = raw.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
        else:
            total = _content_range_total(raw.headers.get("Content-Range"))
        if progress is not None:
            progress(description, have, total)
        done = have
        try:
            with part.open(mode) as out:
                # As received, so that a cut keeps its bytes for the next attempt.
                for chunk in self._chunks(raw, url, deadline_at, max_bytes, have):
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(description, done, total)
        except _FatalError as exc:
            if "cap" in str(exc):
                part.unlink(missing_ok=True)  # never resume a file that is too large
            raise
        if total is not None and done < total:
            raise _RetryableError(status, None, f"transfer ended at {done} of {total} bytes")
        return done


def _describe(exc: BaseException) -> str:
    """An exception as one line of text, secrets masked (for messages)."""
    return " ".join(redact_text(str(exc)).split()) or type(exc).__name__


def _kept(part: Path) -> str:
    try:
        size = part.stat().st_size
    except OSError:
        return ""
    return f"; the partial file {part} ({size:,} bytes) is kept and the next run resumes from it"


def _content_range_total(value: str | None) -> int | None:
    """Total size from ``Content-Range: bytes 100-199/1000`` (or ``bytes */1000``)."""
    if not value or "/" not in value:
        return None
    tail = value.rsplit("/", 1)[1].strip()
    return int(tail) if tail.isdigit() else None


def _status_error(url: str, received: _Received, auth_hint: str, *, attempts: int) -> FetchError:
    status = received.status
    snippet = redact_text(received.text[:300].replace("\n", " ").strip())
    if status in (401, 403):
        what = "rejected the request as unauthorised" if status == 401 else "refused access"
        message = f"{url}: HTTP {status}, the server {what}"
        if auth_hint:
            message += f"; {auth_hint}"
    elif status in RETRY_STATUSES:
        message = f"{url}: HTTP {status} after {attempts} attempts; try again later"
    elif status in REDIRECT_STATUSES:
        message = f"{url}: HTTP {status} redirect without a Location header"
    else:
        message = f"{url}: HTTP {status}"
    if snippet:
        message += f" (server said: {snippet})"
    return FetchError(message, url=url, status=status)

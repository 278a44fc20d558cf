"""The shared HTTP layer against a local server: retries, Retry-After, cache, resume."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests import httpserver
from tests.httpserver import LocalServer, Reply, SleepRecorder
from tradelever.errors import FetchError
from tradelever.sources.http import HttpClient, parse_retry_after, redact_url

RATE_LIMIT_TEXT = (
    '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}'
)

local_server = httpserver.local_server  # the local HTTP server fixture


@pytest.fixture
def client(tmp_path):
    made: list[HttpClient] = []

    def make(_tmp=None, **kw) -> tuple[HttpClient, SleepRecorder]:
        sleep = SleepRecorder()
        kw.setdefault("cache_dir", tmp_path / "cache")
        kw.setdefault("timeout", 5)
        http = HttpClient(sleep=sleep, **kw)
        made.append(http)
        return http, sleep

    yield make
    for http in made:
        http.close()


def test_429_retry_after_header_is_honoured(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route(
        "/api",
        Reply(429, RATE_LIMIT_TEXT, {"Retry-After": "2"}),
        Reply(200, {"ok": True}),
    )
    http, sleep = client(tmp_path)
    response = http.get(f"{local_server.url}/api", {"a": "1"})
    assert response.json() == {"ok": True}
    assert sleep.waits == [2.0]
    assert len(local_server.hits("/api")) == 2


def test_429_without_header_uses_the_try_again_text(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(429, RATE_LIMIT_TEXT), Reply(200, {"ok": 1}))
    http, sleep = client(tmp_path)
    http.get(f"{local_server.url}/api")
    assert sleep.waits == [2.0]


def test_503_backs_off_exponentially_then_gives_up(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(503, "busy"))
    http, sleep = client(tmp_path, max_retries=3, backoff=0.5)
    with pytest.raises(FetchError) as err:
        http.get(f"{local_server.url}/api", {"q": "x"})
    assert err.value.status == 503
    assert err.value.url == f"{local_server.url}/api?q=x"
    assert sleep.waits == [0.5, 1.0, 2.0]
    assert len(local_server.hits("/api")) == 4


def test_retry_after_longer_than_max_wait_raises_at_once(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(429, "quota", {"Retry-After": "3600"}))
    http, sleep = client(tmp_path, max_wait=60)
    with pytest.raises(FetchError, match="wait 3600 s") as err:
        http.get(f"{local_server.url}/api")
    assert err.value.status == 429
    assert sleep.waits == []


def test_401_names_the_key_and_hides_it(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(401, {"statusCode": 401, "message": "Access denied"}))
    http, _ = client(tmp_path)
    with pytest.raises(FetchError) as err:
        http.get(
            f"{local_server.url}/api",
            {"get": "X", "key": "SECRET123"},
            auth_hint="set CENSUS_API_KEY to a valid key",
        )
    assert err.value.status == 401
    assert "CENSUS_API_KEY" in str(err.value)
    assert "SECRET123" not in str(err.value)
    assert "SECRET123" not in (err.value.url or "")
    # the key was sent all the same
    assert local_server.hits("/api")[0].query["key"] == "SECRET123"


def test_404_is_not_retried(client, local_server: LocalServer, tmp_path) -> None:
    http, sleep = client(tmp_path)
    with pytest.raises(FetchError) as err:
        http.get(f"{local_server.url}/nothing")
    assert err.value.status == 404
    assert sleep.waits == []


def test_cache_key_ignores_secrets_and_refresh_bypasses(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(200, {"n": 1}), Reply(200, {"n": 2}))
    http, _ = client(tmp_path)
    first = http.get(f"{local_server.url}/api", {"a": "1", "key": "K1"})
    second = http.get(f"{local_server.url}/api", {"a": "1", "key": "K2"})
    assert first.json() == second.json() == {"n": 1}
    assert second.from_cache and second.retrieved_at == first.retrieved_at
    assert len(local_server.hits("/api")) == 1
    stored = list((tmp_path / "cache").rglob("*"))
    assert stored and not any(
        "K1" in p.read_text("utf-8", "replace") for p in stored if p.is_file()
    )
    fresh = http.get(f"{local_server.url}/api", {"a": "1"}, use_cache=False)
    assert fresh.json() == {"n": 2} and not fresh.from_cache
    other = http.get(f"{local_server.url}/api", {"a": "2"})
    assert other.json() == {"n": 2}
    assert len(local_server.hits("/api")) == 3


def test_204_is_returned_and_not_cached(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(204))
    http, _ = client(tmp_path)
    assert http.get(f"{local_server.url}/api").status == 204
    assert http.get(f"{local_server.url}/api").status == 204
    assert len(local_server.hits("/api")) == 2


def test_connection_refused_raises_fetch_error(client, tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http, sleep = client(tmp_path, max_retries=2, backoff=0.1)
    with pytest.raises(FetchError, match="connection failed after 3 attempts"):
        http.get(f"http://127.0.0.1:{port}/api")
    assert sleep.waits == [0.1, 0.2]


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None, "Rate limit is exceeded. Try again in 2 seconds.") == 2.0
    assert parse_retry_after(None, "no hint") is None


def test_redact_url_drops_secrets() -> None:
    assert (
        redact_url("http://h/p", {"a": 1, "key": "s", "subscription-key": "t"}) == "http://h/p?a=1"
    )


# -- downloads ----------------------------------------------------------------------------
BLOB = bytes(range(256)) * 400  # 102,400 bytes of synthetic content


def test_download_resumes_after_a_cut_transfer(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route(
        "/f.zip",
        Reply(200, BLOB, ranges=True, cut_after=30_000),
        Reply(200, BLOB, ranges=True),
    )
    http, sleep = client(tmp_path, backoff=0.1)
    seen: list[tuple[int, int | None]] = []
    result = http.download(
        f"{local_server.url}/f.zip",
        tmp_path / "f.zip",
        progress=lambda d, done, total: seen.append((done, total)),
    )
    assert (tmp_path / "f.zip").read_bytes() == BLOB
    assert not (tmp_path / "f.zip.part").exists()
    hits = local_server.hits("/f.zip")
    assert "range" not in hits[0].headers
    assert hits[1].headers["range"] == "bytes=30000-"
    assert result.bytes == len(BLOB)
    assert seen[-1] == (len(BLOB), len(BLOB))
    assert sleep.waits == [0.1]


def test_download_resumes_a_part_file_from_an_earlier_run(
    client, local_server: LocalServer, tmp_path
) -> None:
    (tmp_path / "f.zip.part").write_bytes(BLOB[:50_000])
    local_server.route("/f.zip", Reply(200, BLOB, ranges=True))
    http, _ = client(tmp_path)
    result = http.download(f"{local_server.url}/f.zip", tmp_path / "f.zip")
    assert result.resumed_from == 50_000
    assert (tmp_path / "f.zip").read_bytes() == BLOB
    assert local_server.hits("/f.zip")[0].headers["range"] == "bytes=50000-"


def test_download_restarts_when_range_is_ignored(
    client, local_server: LocalServer, tmp_path
) -> None:
    (tmp_path / "f.zip.part").write_bytes(b"stale bytes")
    local_server.route("/f.zip", Reply(200, BLOB))  # no Range support: full 200 body
    http, _ = client(tmp_path)
    http.download(f"{local_server.url}/f.zip", tmp_path / "f.zip")
    assert (tmp_path / "f.zip").read_bytes() == BLOB


def test_download_keeps_part_file_when_retries_run_out(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/f.zip", Reply(200, BLOB, ranges=True, cut_after=1000))
    http, _ = client(tmp_path, max_retries=1, backoff=0.1)
    with pytest.raises(FetchError, match="partial file"):
        http.download(f"{local_server.url}/f.zip", tmp_path / "f.zip")
    assert not (tmp_path / "f.zip").exists()
    assert (tmp_path / "f.zip.part").stat().st_size > 0


def test_download_complete_part_file_gets_416(client, local_server: LocalServer, tmp_path) -> None:
    (tmp_path / "f.zip.part").write_bytes(BLOB)
    local_server.route("/f.zip", Reply(200, BLOB, ranges=True))
    http, _ = client(tmp_path)
    result = http.download(f"{local_server.url}/f.zip", tmp_path / "f.zip")
    assert (tmp_path / "f.zip").read_bytes() == BLOB
    assert result.bytes == len(BLOB)


def test_read_timeout_is_retried_then_raised(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/slow", Reply(200, {"late": True}, delay=1.0))
    http, sleep = client(tmp_path, timeout=0.2, max_retries=1, backoff=0.1)
    with pytest.raises(FetchError, match="timed out after 2 attempts"):
        http.get(f"{local_server.url}/slow")
    assert sleep.waits == [0.1]


def test_truncated_json_body_is_retried(client, local_server: LocalServer, tmp_path) -> None:
    body = {"count": 1, "data": [{"a": 1}], "error": ""}
    local_server.route("/api", Reply(200, body, cut_after=10), Reply(200, body))
    http, sleep = client(tmp_path, backoff=0.1)
    assert http.get(f"{local_server.url}/api").json() == body
    assert sleep.waits == [0.1]


def test_non_json_body_raises_with_a_snippet(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(200, "<html>Service Unavailable</html>"))
    http, _ = client(tmp_path)
    with pytest.raises(FetchError, match=r"not valid JSON.*Service Unavailable"):
        http.get(f"{local_server.url}/api").json()

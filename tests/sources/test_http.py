"""The shared HTTP layer against a local server: retries, Retry-After, cache, resume, and a
hostile server (redirects to another host and to file://, loops, drips, huge bodies, HTML
maintenance pages, refused connections) with secrets that must not leak."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from tests import httpserver
from tests.httpserver import LocalServer, Reply, SleepRecorder
from tradelever.errors import FetchError
from tradelever.sources.http import HttpClient, parse_retry_after, redact_url

RATE_LIMIT_TEXT = (
    '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}'
)
SECRET = "SECRET-KEY-9f3a7c"  # a made-up key

local_server = httpserver.local_server  # the local HTTP server fixture
other_server = httpserver.other_server  # another host (127.0.0.2)


def _json(response):  # type: ignore[no-untyped-def]
    """The validator most callers pass: the body must be JSON."""
    return response.json()


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
    first = http.get(f"{local_server.url}/api", {"a": "1", "key": "K1-secret"}, validate=_json)
    second = http.get(f"{local_server.url}/api", {"a": "1", "key": "K2-secret"}, validate=_json)
    assert first.parsed == second.parsed == {"n": 1}
    assert second.from_cache and second.retrieved_at == first.retrieved_at
    assert len(local_server.hits("/api")) == 1
    stored = list((tmp_path / "cache").rglob("*"))
    assert stored and not any(
        "K1-secret" in p.read_text("utf-8", "replace") for p in stored if p.is_file()
    )
    fresh = http.get(f"{local_server.url}/api", {"a": "1"}, use_cache=False, validate=_json)
    assert fresh.json() == {"n": 2} and not fresh.from_cache
    other = http.get(f"{local_server.url}/api", {"a": "2"}, validate=_json)
    assert other.json() == {"n": 2}
    assert len(local_server.hits("/api")) == 3


def test_nothing_is_cached_without_a_validator(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(200, {"n": 1}), Reply(200, {"n": 2}))
    http, _ = client(tmp_path)
    assert http.get(f"{local_server.url}/api").json() == {"n": 1}
    assert http.get(f"{local_server.url}/api").json() == {"n": 2}
    assert not (tmp_path / "cache").exists()


def test_204_is_returned_and_not_cached(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(204))
    http, _ = client(tmp_path)
    assert http.get(f"{local_server.url}/api").status == 204
    assert http.get(f"{local_server.url}/api").status == 204
    assert len(local_server.hits("/api")) == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_fails_fast_naming_the_host_and_the_offline_route(
    client, tmp_path
) -> None:
    port = _closed_port()
    http, sleep = client(tmp_path, max_retries=5, backoff=0.1)
    with pytest.raises(FetchError) as err:
        http.get(f"http://127.0.0.1:{port}/api", {"key": SECRET})
    message = str(err.value)
    assert message.startswith(f"cannot connect to 127.0.0.1:{port} (")
    assert "after 2 attempts" in message and "`tradelever ingest baci PATH`" in message
    assert SECRET not in message and "\n" not in message
    assert sleep.waits == [0.1]  # one retry, not five with growing backoff


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


# -- a hostile server -----------------------------------------------------------------------
def test_redirect_to_another_host_drops_the_key_header(
    client, local_server: LocalServer, other_server: LocalServer, tmp_path
) -> None:
    """Finding 4: the Comtrade key was forwarded to whatever host a redirect named."""
    local_server.route("/api", Reply(302, headers={"Location": f"{other_server.url}/steal"}))
    other_server.route("/steal", Reply(200, {"ok": True}))
    http, _ = client(tmp_path)
    response = http.get(
        f"{local_server.url}/api",
        {"q": "1"},
        headers={"Ocp-Apim-Subscription-Key": SECRET},
    )
    assert response.json() == {"ok": True}
    assert local_server.hits("/api")[0].headers["ocp-apim-subscription-key"] == SECRET
    stolen = other_server.hits("/steal")[0]
    assert "ocp-apim-subscription-key" not in stolen.headers
    assert SECRET not in str(stolen.headers) + str(stolen.query)


def test_redirect_to_another_host_drops_the_key_parameter(
    client, local_server: LocalServer, other_server: LocalServer, tmp_path
) -> None:
    def echo(req):  # type: ignore[no-untyped-def]
        query = "&".join(f"{k}={v}" for k, v in req.query.items())  # the key included
        return Reply(302, headers={"Location": f"{other_server.url}/steal?{query}"})

    local_server.route("/api", echo)
    other_server.route("/steal", Reply(200, {"ok": True}))
    http, _ = client(tmp_path)
    http.get(f"{local_server.url}/api", {"get": "X", "key": SECRET})
    stolen = other_server.hits("/steal")[0]
    assert stolen.query == {"get": "X"}


def test_redirect_on_the_same_origin_keeps_the_key(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/old", Reply(301, headers={"Location": "/new"}))
    local_server.route("/new", Reply(200, {"ok": True}))
    http, _ = client(tmp_path)
    http.get(f"{local_server.url}/old", headers={"Ocp-Apim-Subscription-Key": SECRET})
    assert local_server.hits("/new")[0].headers["ocp-apim-subscription-key"] == SECRET


def test_redirect_to_file_is_refused_at_once(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/api", Reply(302, headers={"Location": "file:///etc/passwd"}))
    http, sleep = client(tmp_path)
    with pytest.raises(FetchError, match=r"redirected to a file: URL, which is refused") as err:
        http.get(f"{local_server.url}/api")
    assert "\n" not in str(err.value)
    assert len(local_server.hits("/api")) == 1 and sleep.waits == []  # never retried


def test_redirect_loop_is_one_line(client, local_server: LocalServer, tmp_path) -> None:
    local_server.route("/a", Reply(302, headers={"Location": "/b"}))
    local_server.route("/b", Reply(302, headers={"Location": "/a"}))
    http, sleep = client(tmp_path)
    with pytest.raises(FetchError, match="redirect loop") as err:
        http.get(f"{local_server.url}/a")
    url = local_server.url
    assert str(err.value) == f"{url}/a: redirect loop ({url}/a -> {url}/b -> {url}/a)"
    assert sleep.waits == [] and len(local_server.requests) == 2


def test_too_many_redirects_is_one_line(client, local_server: LocalServer, tmp_path) -> None:
    for i in range(30):
        local_server.route(f"/r{i}", Reply(302, headers={"Location": f"/r{i + 1}"}))
    http, _ = client(tmp_path)
    with pytest.raises(FetchError, match=r"more than 5 redirects .* misconfigured") as err:
        http.get(f"{local_server.url}/r0")
    assert "\n" not in str(err.value)
    assert len(local_server.requests) == 6


def test_https_to_http_downgrade_is_refused(client, tmp_path) -> None:
    from tradelever.sources.http import _FatalError

    http, _ = client(tmp_path)
    with pytest.raises(_FatalError, match="from https to plain http"):
        http._redirect(httpx.URL("https://a.example/x"), "http://a.example/y", {}, ["x"])


def _bounded(call, seconds: float):  # type: ignore[no-untyped-def]
    """Run ``call`` in a thread; fail if it is still running after ``seconds`` (a hang)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s: no deadline"
    return box


def test_a_server_that_drips_fails_by_the_deadline(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(200, b"x" * 3000, drip=(1, 0.02)))  # 60 s in all
    http, _ = client(tmp_path, deadline=1.0)
    box = _bounded(lambda: http.get(f"{local_server.url}/api", validate=_json), 20.0)
    assert isinstance(box.get("error"), FetchError)
    assert "not complete by the deadline" in str(box["error"])


def test_a_transfer_below_the_minimum_rate_fails(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/f.zip", Reply(200, b"x" * 3000, drip=(10, 0.05)))  # 200 bytes/s
    http, _ = client(tmp_path, min_rate=1000.0, rate_window=0.5)
    box = _bounded(lambda: http.download(f"{local_server.url}/f.zip", tmp_path / "f.zip"), 20.0)
    error = box.get("error")
    assert isinstance(error, FetchError) and "stalled at" in str(error)
    assert "minimum 1,000 bytes/s" in str(error) and "is kept" in str(error)
    assert (tmp_path / "f.zip.part").stat().st_size > 0  # resumable next time


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_body_is_refused_and_not_cached(
    client, local_server: LocalServer, tmp_path, chunked: bool
) -> None:
    huge = b"[" + b"0," * 150_000 + b"0]"  # 300 kB of valid JSON
    local_server.route("/api", Reply(200, huge, chunked=chunked))
    http, _ = client(tmp_path, max_bytes=100_000)
    for _ in range(2):
        with pytest.raises(FetchError, match=r"cap for this source \(max_bytes\)"):
            http.get(f"{local_server.url}/api", validate=_json)
    assert len(local_server.hits("/api")) == 2  # nothing cached: asked again


def test_an_html_maintenance_page_is_not_cached(
    client, local_server: LocalServer, tmp_path
) -> None:
    """Finding 6: a 200 that fails to parse was cached for 30 days."""
    page = "<html><body>Service Unavailable: scheduled maintenance</body></html>"
    local_server.route("/api", Reply(200, page), Reply(200, {"ok": True}))
    http, _ = client(tmp_path)
    with pytest.raises(FetchError, match=r"not valid JSON.*scheduled maintenance"):
        http.get(f"{local_server.url}/api", {"q": "1"}, validate=_json)
    again = http.get(f"{local_server.url}/api", {"q": "1"}, validate=_json)
    assert again.parsed == {"ok": True} and not again.from_cache
    assert len(local_server.hits("/api")) == 2


def test_a_bad_cached_answer_says_so_and_names_refresh(
    client, local_server: LocalServer, tmp_path
) -> None:
    local_server.route("/api", Reply(200, "garbage"), Reply(200, {"ok": True}))
    http, _ = client(tmp_path)
    http.get(f"{local_server.url}/api", validate=lambda r: r.content)  # cached as it was
    with pytest.raises(FetchError) as err:
        http.get(f"{local_server.url}/api", validate=_json)
    message = str(err.value)
    assert "not valid JSON" in message and "came from the response cache" in message
    assert "--refresh" in message and "\n" not in message
    assert len(local_server.hits("/api")) == 1
    assert http.get(f"{local_server.url}/api", validate=_json).parsed == {"ok": True}


def test_secrets_never_reach_logs_errors_or_the_cache(
    client, local_server: LocalServer, other_server: LocalServer, tmp_path, caplog
) -> None:
    """Finding 5: with --debug the client logged full URLs with key=<CENSUS_API_KEY>."""
    caplog.set_level(logging.DEBUG)  # what --debug does
    local_server.route(
        "/data",
        Reply(302, headers={"Location": f"{other_server.url}/moved?key={SECRET}&get=X"}),
    )
    other_server.route("/moved", Reply(200, [["A"], ["1"]]))
    local_server.route("/denied", Reply(401, f"invalid key {SECRET}"))
    http, _ = client(tmp_path)
    http.get(f"{local_server.url}/data", {"get": "X", "key": SECRET})
    with pytest.raises(FetchError) as err:
        http.get(f"{local_server.url}/denied", {"key": SECRET}, auth_hint="set CENSUS_API_KEY")
    assert SECRET not in str(err.value) and "invalid key ***" in str(err.value)
    messages = [r.getMessage() for r in caplog.records]
    assert any(r.name == "httpx" for r in caplog.records)  # the client did log its requests
    assert not [m for m in messages if SECRET in m]
    http.get(f"{local_server.url}/data", {"get": "X", "key": SECRET}, validate=_json)
    cached = [p.read_bytes() for p in Path(tmp_path / "cache").rglob("*") if p.is_file()]
    assert cached and not [c for c in cached if SECRET.encode() in c]

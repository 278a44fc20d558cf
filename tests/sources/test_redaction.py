"""Masking secrets in URLs, messages and log records."""

from __future__ import annotations

import logging

import httpx

from tradelever.sources.redaction import (
    RedactingFilter,
    origin,
    public_url,
    redact_text,
    redact_url,
    remember_secret,
    strip_secrets,
)


def test_secret_parameters_are_masked_by_name() -> None:
    text = "GET https://api.census.gov/data?get=X&key=abc123&KEY=def&token=t#frag 200"
    assert (
        redact_text(text)
        == "GET https://api.census.gov/data?get=X&key=***&KEY=***&token=***#frag 200"
    )
    assert (
        redact_url("http://h/p", {"a": 1, "key": "s", "subscription-key": "t"}) == "http://h/p?a=1"
    )


def test_remembered_values_are_masked_anywhere() -> None:
    remember_secret("Zq81-remembered-value")
    remember_secret("abc")  # too short to mask safely: ignored
    assert redact_text("header Ocp-Apim-Subscription-Key: Zq81-remembered-value") == (
        "header Ocp-Apim-Subscription-Key: ***"
    )
    assert redact_text("abc") == "abc"


def test_public_url_and_origin() -> None:
    url = httpx.URL("https://comtradeapi.un.org/data?x=1&key=s&apikey=t")
    assert public_url(url) == "https://comtradeapi.un.org/data?x=1"
    assert str(strip_secrets(httpx.URL("http://h/p?key=s"))) == "http://h/p"
    assert origin(httpx.URL("https://a.org/x")) == ("https", "a.org", 443)
    assert origin(httpx.URL("http://a.org:8080/x")) != origin(httpx.URL("http://a.org/x"))


def test_filter_rewrites_message_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "GET %s", ("/p?key=s3cr3t",), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "GET /p?key=***"
    try:
        raise ValueError("bad /p?key=s3cr3t")
    except ValueError:
        import sys

        record = logging.LogRecord("httpx", logging.ERROR, __file__, 1, "x", None, sys.exc_info())
    RedactingFilter().filter(record)
    assert "key=***" in (record.exc_text or "") and "s3cr3t" not in (record.exc_text or "")


def test_httpx_and_httpcore_loggers_carry_the_filter() -> None:
    import tradelever.sources.http  # noqa: F401  (importing the client installs the filter)

    for name in ("httpx", "httpcore.http11", "httpcore.connection"):
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters)

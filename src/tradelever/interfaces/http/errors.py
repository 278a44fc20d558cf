"""Error answers of the HTTP API: one shape, one status per kind of fault.

Bad input never produces a 5xx. Every error body is ``{"detail": ..., "parameter": ...}``
where ``detail`` is one line that names the parameter at fault (and, where there is one,
the file, field and value):

======================================  ======
FastAPI validation (type, range)        422
``InputError``                          422
``UnknownDatasetError``                 404
``UnknownCodeError`` (country, product)  404
malformed scenario body                 422
body too large / wrong media type       413 / 415
Host not allowed                        400
request from another site               403
slow client (body not sent in time)     408
analysis queue full, time limit hit     503
other ``TradeleverError``               400
``StoreError``, ``DataFileError``       500  (the store's files: not user input)
``FetchError`` (remote source)          502
a fault of the server (a bug)           500  (logged in full; the answer has no internals)
======================================  ======
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradelever.errors import (
    DataFileError,
    FetchError,
    InputError,
    StoreError,
    TradeleverError,
    UnknownCodeError,
)

__all__ = ["ApiError", "error_for", "install_error_handlers", "status_for", "validation_error"]

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answer: HTTP status, a message naming the parameter, and the parameter."""

    def __init__(
        self,
        status: int,
        detail: str,
        parameter: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = " ".join(str(detail).split())  # one line, whatever the source text
        self.parameter = parameter
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The JSON response ``{"detail": ..., "parameter": ...}``."""
        return JSONResponse(
            {"detail": self.detail, "parameter": self.parameter},
            status_code=self.status,
            headers=self.headers or None,
        )


def status_for(exc: TradeleverError) -> int:
    """The HTTP status of a library error (see the module docstring)."""
    if isinstance(exc, (StoreError, DataFileError)):
        # Over HTTP the only data files are the store's own: a bad one is the server's fault.
        return 500
    if isinstance(exc, FetchError):
        return 502
    if isinstance(exc, UnknownCodeError):
        return 404
    if isinstance(exc, (InputError, ValueError)):
        return 422
    return 400


def error_for(
    exc: TradeleverError,
    params: Mapping[str, Any] | None = None,
    *,
    status: int | None = None,
    names: Mapping[str, str] | None = None,
) -> ApiError:
    """Map a library error to an :class:`ApiError` that names the HTTP parameter at fault.

    The error carries its parameters in Python spelling (``exc.parameters``); ``names``
    maps those whose query name differs (``{"imports_usd": "imports"}``). The answer's
    ``parameter`` is the first of them the request has (``params``), and ``detail`` starts
    with their query names. The message text is never parsed.
    """
    params = params or {}
    names = names or {}

    def spell(parameter: str) -> str:
        return names.get(parameter, parameter)

    known = [spell(p) for p in exc.parameters if spell(p) in params]
    return ApiError(status or status_for(exc), exc.describe(spell), known[0] if known else None)


def validation_error(exc: RequestValidationError) -> ApiError:
    """A FastAPI validation failure as a 422 naming the first parameter at fault."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ())]
    parameter = loc[1] if len(loc) > 1 and loc[0] in ("query", "path", "header") else None
    if parameter is None and loc and loc[0] == "body":
        parameter = "body"
    message = str(first.get("msg", "invalid request"))
    given = first.get("input")
    if parameter and isinstance(given, (str, int, float)) and len(str(given)) <= 80:
        message = f"{message}, got {given!r}"
    detail = f"{parameter}: {message}" if parameter else message
    if len(errors) > 1:
        others = sorted({str(e.get("loc", ("", "?"))[-1]) for e in errors[1:]} - {parameter or ""})
        if others:
            detail += f" (also invalid: {', '.join(others)})"
    return ApiError(422, detail, parameter)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the one shape ``{"detail", "parameter"}``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Routing errors (unknown path, wrong method) in the same shape as the others.
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        body = {"detail": " ".join(str(exc.detail).split()), "parameter": None}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error(exc).response()

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        # A fault of the server, never of the input: log it in full, answer in the usual
        # shape without internals.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        body = {"detail": f"internal error ({type(exc).__name__}); see the server log"}
        return JSONResponse({**body, "parameter": None}, status_code=500)

    @app.exception_handler(TradeleverError)
    async def _library_error(request: Request, exc: TradeleverError) -> JSONResponse:
        params = dict(request.query_params) | dict(request.path_params)
        return error_for(exc, params).response()

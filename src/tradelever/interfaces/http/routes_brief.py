"""``GET /api/brief``: the sourced negotiation brief as HTML, Markdown, PDF or JSON."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradelever.api import Session
from tradelever.brief.build import BRIEF
from tradelever.errors import TradeleverError
from tradelever.interfaces.http.encoding import json_bytes
from tradelever.interfaces.http.errors import ApiError, error_for
from tradelever.interfaces.http.params import endpoint, python_names, query_names
from tradelever.interfaces.http.routes import _errors, _norm, engine_of
from tradelever.interfaces.http.routes_scenarios import check_scenario_names
from tradelever.options import BriefFormat

__all__ = ["BRIEF_CSP", "router"]

router = APIRouter(prefix="/api")

#: The brief's HTML is self-contained (inline CSS, inline SVG): allow exactly that, no
#: scripts, and sandbox the page even when it is opened directly.
BRIEF_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


_MEDIA: dict[BriefFormat, str] = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _render(brief: Any, fmt: BriefFormat) -> bytes:
    if fmt == "html":
        return str(brief.to_html()).encode("utf-8")
    if fmt == "md":
        return str(brief.to_markdown()).encode("utf-8")
    if fmt == "json":
        return json_bytes(brief.to_dict())
    with tempfile.TemporaryDirectory(prefix="tradelever-brief-") as tmp:
        path = Path(tmp) / "brief.pdf"
        data = brief.to_pdf(path)
        return bytes(data) if data else path.read_bytes()


def _filename(brief: Any, fmt: BriefFormat) -> str:
    parts = [brief.home, brief.partner, brief.rival, brief.dataset, brief.year]
    stem = "-".join(str(p) for p in parts if p)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
    return f"brief-{stem}.{fmt}"


_EXTRA = [
    inspect.Parameter(
        "format",
        inspect.Parameter.KEYWORD_ONLY,
        default="html",
        annotation=Annotated[BriefFormat, Query(description="html, md, pdf or json.")],
    ),
    inspect.Parameter(
        "download",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, Query(description="Send as an attachment (the browser saves it).")
        ],
    ),
]


async def _brief(request: Request, query: dict[str, Any]) -> Response:
    """As ``tradelever brief HOME --partner P --format ...``: every figure with its source."""
    engine = engine_of(request)
    fmt: BriefFormat = query["format"]
    download = bool(query["download"])
    options = python_names(BRIEF.options, query)
    if options.get("dataset") is None:  # chosen by question, as the library does
        from tradelever.reference.countries import resolve_country
        from tradelever.store.embedded import default_dataset

        try:
            partner = resolve_country(str(options["partner"]), parameter="partner")
        except TradeleverError as exc:
            raise error_for(exc, query, names=query_names(BRIEF.options)) from exc
        options["dataset"] = default_dataset("brief", partner)[0]
    fingerprint = await engine.current_fingerprint(options["dataset"])
    names = list(options["scenarios"] or [])
    if names:
        presets = [spec.partition("=")[2].strip() or spec for spec in names]
        check_scenario_names(presets, parameter="scenario")
    peers = options["peers"]
    options["peers"] = None if peers.strip().lower() == "none" else peers
    options["scenarios"] = tuple(names)
    params = {k: v for k, v in query.items() if k not in ("format", "download")}
    params["scenario"] = names

    def produce(s: Session) -> tuple[bytes, str]:
        try:
            brief = s.brief(**options)
            return _render(brief, fmt), _filename(brief, fmt)
        except TradeleverError as exc:
            raise error_for(
                exc, {**params, "format": fmt}, names=query_names(BRIEF.options)
            ) from exc

    key = (
        "brief",
        fmt,
        tuple(sorted((k, repr(_norm(k, v))) for k, v in params.items())),
        fingerprint,
        dt.date.today().isoformat(),  # the brief is dated
    )
    body, filename = await engine.run(produce, key=key)
    disposition = "attachment" if download else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = BRIEF_CSP
    if not body:
        raise ApiError(500, "brief: the renderer produced an empty document", None)
    return Response(content=body, media_type=_MEDIA[fmt], headers=headers)


router.get(
    "/brief",
    summary=BRIEF.summary,
    response_class=Response,
    responses={
        200: {
            "description": "The brief; `download=true` asks the browser to save it.",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        **_errors(404, 422),
    },
)(endpoint(_brief, BRIEF.options, name="get_brief", doc=_brief.__doc__ or "", extra=_EXTRA))

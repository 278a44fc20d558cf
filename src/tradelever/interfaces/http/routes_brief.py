"""``GET /api/brief``: the sourced negotiation brief as HTML, Markdown, PDF or JSON."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradelever.api import DEFAULT_DATASET, Session
from tradelever.errors import TradeleverError
from tradelever.interfaces.http.app import ApiError, error_for, json_bytes
from tradelever.interfaces.http.routes import (
    Dataset,
    Home,
    Level,
    Partner,
    Rival,
    Year,
    _errors,
    _norm,
    engine_of,
)
from tradelever.interfaces.http.routes_scenarios import check_scenario_names

__all__ = ["BRIEF_CSP", "router"]

router = APIRouter(prefix="/api")

#: The brief's HTML is self-contained (inline CSS, inline SVG): allow exactly that, no
#: scripts, and sandbox the page even when it is opened directly.
BRIEF_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


class BriefFormat(StrEnum):
    """Formats of the brief."""

    html = "html"
    md = "md"
    pdf = "pdf"
    json = "json"


_MEDIA = {
    BriefFormat.html: "text/html; charset=utf-8",
    BriefFormat.md: "text/markdown; charset=utf-8",
    BriefFormat.pdf: "application/pdf",
    BriefFormat.json: "application/json",
}


def _render(brief: Any, fmt: BriefFormat) -> bytes:
    if fmt is BriefFormat.html:
        return str(brief.to_html()).encode("utf-8")
    if fmt is BriefFormat.md:
        return str(brief.to_markdown()).encode("utf-8")
    if fmt is BriefFormat.json:
        return json_bytes(brief.to_dict())
    with tempfile.TemporaryDirectory(prefix="tradelever-brief-") as tmp:
        path = Path(tmp) / "brief.pdf"
        data = brief.to_pdf(path)
        return bytes(data) if data else path.read_bytes()


def _filename(brief: Any, fmt: BriefFormat) -> str:
    parts = [brief.home, brief.partner, brief.rival, brief.dataset, brief.year]
    stem = "-".join(str(p) for p in parts if p)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
    return f"brief-{stem}.{fmt.value}"


@router.get(
    "/brief",
    summary="A sourced negotiation brief (HTML, Markdown, PDF or JSON)",
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
)
def get_brief(
    request: Request,
    home: Home,
    partner: Partner,
    rival: Rival = None,
    peers: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1000,
            description=(
                "Peers section: group (ASEAN, EU27, G20), ISO3 codes comma-separated, or "
                "'none' (no section)."
            ),
        ),
    ] = "ASEAN",
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    scenario: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Preset scenario name(s) to include (see /api/scenarios); repeatable.",
        ),
    ] = None,
    currency: Annotated[
        str | None,
        Query(min_length=1, max_length=8, description="Home currency code (e.g. MYR)."),
    ] = None,
    fx: Annotated[
        float | None,
        Query(allow_inf_nan=False, description="Home-currency units per US dollar."),
    ] = None,
    fx_date: Annotated[
        dt.date | None, Query(description="Date of the exchange rate (YYYY-MM-DD).")
    ] = None,
    fx_source: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Who published the rate (printed)."),
    ] = None,
    top: Annotated[
        int, Query(ge=1, le=50, description="Leverage points and table rows per section.")
    ] = 5,
    format: Annotated[BriefFormat, Query(description="html, md, pdf or json.")] = (
        BriefFormat.html
    ),
    download: Annotated[
        bool, Query(description="Send as an attachment (the browser saves it).")
    ] = False,
) -> Response:
    """As ``tradelever brief HOME --partner P --format ...``: every figure with its source."""
    engine = engine_of(request)
    fingerprint = engine.fingerprint(dataset)
    names = list(scenario or [])
    if names:
        engine.call(lambda s: check_scenario_names(s, names, parameter="scenario"))
    params: dict[str, Any] = {
        "home": home,
        "partner": partner,
        "rival": rival,
        "peers": peers,
        "dataset": dataset,
        "year": year,
        "level": level,
        "scenario": names,
        "currency": currency,
        "fx": fx,
        "fx_date": fx_date,
        "fx_source": fx_source,
        "top": top,
    }
    options: dict[str, Any] = {
        "peers": None if peers.strip().lower() == "none" else peers,
        "dataset": dataset,
        "year": year,
        "level": level,
        "scenarios": names,
        "currency": currency,
        "fx": fx,
        "fx_date": fx_date,
        "fx_source": fx_source,
        "top": top,
    }

    def compute(s: Session) -> tuple[bytes, str]:
        brief = s.brief(home, partner, rival, **options)
        return _render(brief, format), _filename(brief, format)

    def produce() -> tuple[bytes, str]:
        try:
            return engine.call(compute)
        except TradeleverError as exc:
            raise error_for(exc, {**params, "format": format.value}) from exc

    key = (
        "brief",
        format.value,
        tuple(sorted((k, repr(_norm(k, v))) for k, v in params.items())),
        fingerprint,
        dt.date.today().isoformat(),  # the brief is dated
    )
    body, filename = engine.cache.get_or_compute(key, produce)
    disposition = "attachment" if download else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"'}
    if format is BriefFormat.html:
        headers["Content-Security-Policy"] = BRIEF_CSP
    if not body:
        raise ApiError(500, "brief: the renderer produced an empty document", None)
    return Response(content=body, media_type=_MEDIA[format], headers=headers)

"""The US tariff schedule over HTTP: ``GET /api/tariffs``.

The query parameters are the options of
:data:`tradelever.analysis.effective_tariffs.TARIFFS` (``importer``, ``exporters``,
``dates`` or ``start`` and ``end``, ``level``, ``dataset``, ``usmca_share``); the body is the
object printed by ``tradelever tariffs ... --format json``. The schedule and the trade lines
are indexed once per server (kept by the data-set view), so later questions are answered
without re-matching the product lists.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradelever.analysis.effective_tariffs import TARIFF_DATASET, TARIFFS
from tradelever.api import Session
from tradelever.interfaces.http.params import endpoint, python_names, query_names
from tradelever.interfaces.http.routes import TOP, _errors, _ok, run_json

__all__ = ["router"]

router = APIRouter(prefix="/api")

_OPTIONS = [o for o in TARIFFS.options if o.http]


async def _tariffs(request: Request, query: dict[str, Any]) -> Response:
    """As ``tradelever tariffs USA --exporters ... --format json``."""
    kwargs = python_names(_OPTIONS, query)
    rows = query.get("top")

    def compute(s: Session) -> Any:
        return s.tariffs(**kwargs).head(rows or None)

    return await run_json(
        request,
        TARIFFS.command,
        dict(query),
        compute,
        dataset=kwargs.get("dataset") or TARIFF_DATASET,
        names=query_names(_OPTIONS),
    )


router.get(
    f"/{TARIFFS.command}",
    summary=TARIFFS.summary,
    response_class=Response,
    responses={
        **_ok(
            "Parameters, provenance (the schedule's instruments and the trade weights), "
            "assumptions, summary (each measure shown, with its instrument and rate) and rows: "
            "per date and exporter `effective_additional_rate`, `baseline_rate_2024`, "
            "`exempt_share` and `measure_contributions` (fractions)."
        ),
        **_errors(404, 422),
    },
)(endpoint(_tariffs, _OPTIONS, name="get_tariffs", doc=_tariffs.__doc__ or "", extra=[TOP]))

"""``/api/deals``: the 2025-26 US deals, one partner's quoted facts, first in line, precedents.

The bodies are those of ``tradelever deals ... --format json`` (the ``to_dict()`` of each
result). ``/api/deals/first-in-line`` and ``/api/deals/precedents`` are registered before
``/api/deals/{partner}``, which would otherwise take them as partner codes. Claims files are
checked on the command line (``tradelever check``), not here: the server does not read files
named by a request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from tradelever.analysis.deals import DEALS, FIRST_IN_LINE, PRECEDENTS
from tradelever.api import Session
from tradelever.interfaces.http.params import endpoint, python_names, query_names
from tradelever.interfaces.http.routes import TOP, _errors, _ok, run_json
from tradelever.options import Analysis

__all__ = ["router"]

router = APIRouter(prefix="/api")

_RESPONSES = {
    **_ok(
        "A result table: the parameters first, then provenance, assumptions, summary and "
        "rows (as the CLI's `--format json`)."
    ),
    **_errors(404, 422),
}


def _route(analysis: Analysis, path: str, cli: str) -> None:
    options = [o for o in analysis.options if o.http]
    names = query_names(options)

    async def handler(request: Request, query: dict[str, Any]) -> Response:
        kwargs = python_names(options, query)
        rows = query.get("top")

        def compute(s: Session) -> Any:
            return getattr(s, analysis.name)(**kwargs).head(rows or None)

        return await run_json(request, f"deals:{analysis.name}", dict(query), compute, names=names)

    route = endpoint(
        handler,
        options,
        name=f"get_{analysis.name}",
        doc=f"As ``tradelever {cli} --format json``: {analysis.summary.lower()}.",
        extra=[TOP],
    )
    router.get(path, summary=analysis.summary, response_class=Response, responses=_RESPONSES)(route)


_route(DEALS, "/deals", "deals")
_route(FIRST_IN_LINE, "/deals/first-in-line", "deals first-in-line")
_route(PRECEDENTS, "/deals/precedents", "deals precedents OFFER")


@router.get(
    "/deals/{partner}",
    summary="Every quoted fact of one partner's US deal(s), with sources and measures",
    response_class=Response,
    responses=_RESPONSES,
)
async def get_deal(
    request: Request,
    partner: Annotated[
        str,
        Path(min_length=2, max_length=40, description="ISO3 code (EUU for the European Union)."),
    ],
) -> Response:
    """As ``tradelever deals show PARTNER --format json``: the facts, quotes and measures."""
    return await run_json(request, "deals:deal", {"partner": partner}, lambda s: s.deal(partner))

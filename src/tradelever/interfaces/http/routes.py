"""The JSON API: one route per analysis, each a thin call to :class:`tradelever.api.Session`.

The bodies are the objects printed by ``tradelever <command> --format json`` (the
``to_dict()`` of each result), so scripts can switch between the CLI and HTTP freely. The
analysis routes are generated from the analyses' option records (:func:`analysis_route`):
their query parameters, validation and OpenAPI schema follow the declarations in
:mod:`tradelever.options`. Country parameters accept ISO3 codes in any case; every route
validates the data set first, then the countries, and names the parameter at fault in its
error answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradelever import schema
from tradelever.analysis.balance import BALANCE
from tradelever.analysis.concessions import CONCESSIONS
from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA, FORMULA_ANNEX
from tradelever.analysis.leverage import LEVERAGE
from tradelever.analysis.peers import PEERS
from tradelever.analysis.request import DATASET
from tradelever.analysis.scan import SCAN
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.api import DEFAULT_DATASET, Session
from tradelever.errors import TradeleverError
from tradelever.interfaces.http.encoding import json_bytes
from tradelever.interfaces.http.engine import Engine
from tradelever.interfaces.http.errors import error_for
from tradelever.interfaces.http.params import endpoint, python_names, query_names
from tradelever.options import Analysis

__all__ = ["TOP", "analysis_route", "router", "run_json"]

router = APIRouter(prefix="/api")

# -- OpenAPI descriptions of the bodies ---------------------------------------------------
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "parameter"],
    "properties": {
        "detail": {"type": "string", "description": "What is wrong; names the parameter."},
        "parameter": {
            "type": ["string", "null"],
            "description": "The query parameter, path parameter or `body` at fault.",
        },
    },
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "Unknown data set, country, product or scenario.",
        413: "Request body too large.",
        415: "Unsupported media type.",
        422: "Invalid parameter value (type, range, or rejected by the analysis).",
    }
    return {
        c: {"description": text[c], "content": {"application/json": {"schema": _ERROR_SCHEMA}}}
        for c in codes
    }


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[int | str, Any]:
    return {
        200: {
            "description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}},
        }
    }


_RESULT_SCHEMA = {
    "type": "object",
    "required": ["provenance", "assumptions", "rows"],
    "properties": {
        "provenance": {"type": "object"},
        "assumptions": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_LEVERAGE_SCHEMA = {
    "type": "object",
    "required": [
        "home",
        "partner",
        "rival",
        "dataset",
        "year",
        "level",
        "provenance",
        "assumptions",
        "rows",
    ],
    "properties": {
        "home": {"type": "string", "description": "ISO3 code."},
        "partner": {"type": "string", "description": "ISO3 code."},
        "rival": {"type": ["string", "null"], "description": "ISO3 code or null."},
        "dataset": {"type": "string"},
        "year": {"type": "integer"},
        "level": {"type": "string"},
        "provenance": {"type": "object"},
        "assumptions": {"type": "array", "items": {"type": "string"}},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "description", *schema.LEVERAGE_FIELDS],
                "properties": {
                    "code": {"type": "string"},
                    "description": {"type": "string"},
                    **{name: _NUMBER_OR_NULL for name in schema.LEVERAGE_FIELDS},
                },
            },
        },
    },
}

# -- shared parameters --------------------------------------------------------------------
TOP = inspect.Parameter(
    "top",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        int | None,
        Query(ge=0, le=1_000_000, description="Only the first N rows (0 or absent: all)."),
    ],
)


def engine_of(request: Request) -> Engine:
    """The :class:`Engine` of the application handling ``request``."""
    return request.app.state.engine  # type: ignore[no-any-return]


COUNTRY_PARAMS = ("home", "partner", "rival")


def _norm(name: str, value: Any) -> Any:
    """Cache-key form of a parameter: country codes are case-insensitive, the rest exact."""
    if name in COUNTRY_PARAMS and isinstance(value, str):
        return value.strip().upper()
    return value


async def run_json(
    request: Request,
    endpoint: str,
    params: dict[str, Any],
    compute: Callable[[Session], Any],
    *,
    dataset: str | None = None,
    cache: bool = True,
    names: Mapping[str, str] | None = None,
) -> Response:
    """Run ``compute`` in the analysis pool and answer with its JSON.

    ``compute`` returns a result with ``to_dict()`` or a JSON-ready object. The answer is
    cached under (endpoint, normalised params, data set fingerprint) when ``cache``.
    Library errors become 4xx answers naming the parameter (see :func:`error_for`; ``names``
    maps Python names to query names where they differ).
    """
    engine = engine_of(request)
    fingerprint = None
    if dataset is not None:
        fingerprint = await engine.current_fingerprint(dataset)

    def produce(session: Session) -> bytes:
        try:
            result = compute(session)
        except TradeleverError as exc:
            raise error_for(exc, params, names=names) from exc
        return json_bytes(result.to_dict() if hasattr(result, "to_dict") else result)

    key = None
    if cache:
        key = (endpoint, tuple(sorted((k, _norm(k, v)) for k, v in params.items())), fingerprint)
    body = await engine.run(produce, key=key)
    return Response(content=body, media_type="application/json")


# -- catalogue ----------------------------------------------------------------------------
@router.get(
    "/datasets",
    summary="Data sets in the store, with their provenance",
    response_class=Response,
    responses=_ok(
        "One record per data set (as `tradelever datasets --format json`).",
        {"type": "array", "items": {"type": "object"}},
    ),
)
def get_datasets(request: Request) -> Response:
    """Provenance of every data set, ``status`` and ``default_for``.

    Name, source, release, years, classification, licence; ``status`` is ``ok`` or
    ``damaged`` (the reason in ``note``); ``default_for`` says which questions read the data
    set when no data set is given. Read from the store's files only (no analysis session),
    so it answers at once however many analyses are running.
    """
    from tradelever.store.embedded import default_uses

    uses = dict(default_uses())
    frame = engine_of(request).catalog.datasets()
    frame["default_for"] = [uses.get(str(n), "") for n in frame["name"]]
    return Response(
        content=json_bytes(frame.to_dict(orient="records")), media_type="application/json"
    )


async def _countries(request: Request, query: dict[str, Any]) -> Response:
    """Economies that appear as exporter or importer in ``dataset``, with the years."""
    from tradelever.reference.countries import country_name, country_table, group_names

    dataset = query["dataset"]

    def compute(s: Session) -> dict[str, Any]:
        table = country_table().set_index("iso3")
        rows = []
        for code in s.countries(dataset):
            groups = table.at[code, "groups"] if code in table.index else ""
            rows.append(
                {
                    "iso3": code,
                    "name": country_name(code),
                    "groups": [g for g in str(groups).split(",") if g],
                }
            )
        return {
            "dataset": dataset,
            "years": s.years(dataset),
            "groups": group_names(),
            "countries": rows,
        }

    return await run_json(request, "countries", {"dataset": dataset}, compute, dataset=dataset)


router.get(
    "/countries",
    summary="Economies covered by a data set",
    response_class=Response,
    responses={**_ok("ISO3 code, name and groups of each economy."), **_errors(404, 422)},
)(endpoint(_countries, [DATASET], name="get_countries", doc=_countries.__doc__ or ""))


@router.get(
    "/labels",
    summary="How each result field is shown: label, short header, kind and digits",
    response_class=Response,
    responses=_ok("Field name -> {name, label, short, kind, digits, width}."),
)
def get_labels() -> Response:
    """The field-label registry (:mod:`tradelever.labels`), used by the dashboard."""
    from tradelever.labels import registry

    return Response(content=json_bytes(registry()), media_type="application/json")


# -- analyses -------------------------------------------------------------------------------
_TABLE_OK = {
    **_ok(
        "A result table: the parameters first, then provenance, assumptions, summary and "
        "rows (as the CLI's `--format json`).",
        _RESULT_SCHEMA,
    ),
    **_errors(404, 422),
}


def _default_dataset(analysis: Analysis, kwargs: Mapping[str, Any]) -> str:
    """The data set an analysis reads when none is given (for the answer cache's key)."""
    from tradelever.reference.countries import resolve_country
    from tradelever.store.embedded import default_dataset

    if not any(o.name == "dataset" and o.default is None for o in analysis.options):
        return DEFAULT_DATASET
    partner = kwargs.get("partner")
    if partner is None and analysis.has("partner"):
        partner = analysis.option("partner").default
    try:
        code = resolve_country(partner, None) if isinstance(partner, str) else None
    except TradeleverError:
        code = None
    return default_dataset(analysis.command, code)[0]


def analysis_route(
    analysis: Analysis,
    *,
    responses: dict[int | str, Any] = _TABLE_OK,
    top: bool = True,
    description: str | None = None,
) -> None:
    """Add ``GET /api/<command>``: the analysis' options as query parameters (and ``top``).

    The route calls ``Session.<analysis.name>`` with the query values under the options'
    Python names and answers with the result's JSON, cut to ``top`` rows.
    """
    options = [o for o in analysis.options if o.http]
    names = query_names(options)

    async def handler(request: Request, query: dict[str, Any]) -> Response:
        kwargs = python_names(options, query)
        rows = query.get("top")

        def compute(s: Session) -> Any:
            return getattr(s, analysis.name)(**kwargs).head(rows or None)

        return await run_json(
            request,
            analysis.command,
            dict(query) if top else {**query, "top": None},
            compute,
            dataset=kwargs.get("dataset") or _default_dataset(analysis, kwargs),
            names=names,
        )

    doc = description or (
        f"As ``tradelever {analysis.command} ... --format json``: {analysis.summary.lower()}."
    )
    route = endpoint(
        handler, options, name=f"get_{analysis.name}", doc=doc, extra=[TOP] if top else ()
    )
    router.get(
        f"/{analysis.command}",
        summary=analysis.summary,
        response_class=Response,
        responses=responses,
    )(route)


analysis_route(
    LEVERAGE,
    responses={
        **_ok(
            "As `tradelever leverage --format json`: home, partner, rival, dataset, year, "
            "level, provenance, assumptions and one row per product, ranked by the "
            "partner's cost of losing the home country's supply.",
            _LEVERAGE_SCHEMA,
        ),
        **_errors(404, 422),
    },
    description="Leverage points of ``home`` in ``partner``'s imports (and the rival's shares).",
)
analysis_route(SUBSTITUTES)
analysis_route(EXPOSURE)
analysis_route(
    FORMULA,
    top=False,
    description="As ``tradelever formula HOME --format json``: rate = max(10%, (m - x) / (2 m)).",
)
analysis_route(CONCESSIONS)
analysis_route(PEERS)
analysis_route(SUPPLY_CHAIN)
analysis_route(
    SCAN,
    description="As ``tradelever scan HOME --format json``: HOME's position in every partner's "
    "imports, product by product, ranked by the partner's cost of losing HOME (``over``: every "
    "supplier of that partner).",
)
analysis_route(FORMULA_ANNEX)
analysis_route(
    BALANCE,
    top=False,
    description="As ``tradelever balance HOME --format json``: the partner's goods imports "
    "from, exports to and balance with home, by month or year.",
)

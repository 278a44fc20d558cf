"""The JSON API: one route per analysis, each a thin call to :class:`tradelever.api.Session`.

The bodies are the objects printed by ``tradelever <command> --format json`` (the
``to_dict()`` of each result), so scripts can switch between the CLI and HTTP freely.
Country parameters accept ISO3 codes in any case; every route validates the data set
first, then the countries, and names the parameter at fault in its error answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradelever import schema
from tradelever.api import DEFAULT_DATASET, Session
from tradelever.errors import TradeleverError
from tradelever.interfaces.http.app import Engine, error_for, json_bytes

__all__ = ["router"]

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
Home = Annotated[
    str,
    Query(
        min_length=1, max_length=64, description="Home country, ISO3 (e.g. MYS).", examples=["MYS"]
    ),
]
Partner = Annotated[
    str,
    Query(
        min_length=1,
        max_length=64,
        description="Counterpart country, ISO3 (e.g. USA).",
        examples=["USA"],
    ),
]
Rival = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description="Rival supplier, ISO3 (e.g. CHN).",
        examples=["CHN"],
    ),
]
Dataset = Annotated[
    str,
    Query(
        min_length=1,
        max_length=128,
        description="Data set name (see /api/datasets).",
        examples=["icio2022"],
    ),
]
Year = Annotated[
    int | None,
    Query(ge=0, le=9999, description="Year (default: the latest in the data set)."),
]
Level = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=16,
        description="industry (ICIO) or hs6|hs4|hs2|group (product data sets).",
    ),
]
Top = Annotated[
    int | None,
    Query(ge=0, le=1_000_000, description="Only the first N rows (0 or absent: all)."),
]


def engine_of(request: Request) -> Engine:
    """The :class:`Engine` of the application handling ``request``."""
    return request.app.state.engine  # type: ignore[no-any-return]


COUNTRY_PARAMS = ("home", "partner", "rival")


def _norm(name: str, value: Any) -> Any:
    """Cache-key form of a parameter: country codes are case-insensitive, the rest exact."""
    if name in COUNTRY_PARAMS and isinstance(value, str):
        return value.strip().upper()
    return value


def run_json(
    request: Request,
    endpoint: str,
    params: dict[str, Any],
    compute: Callable[[Session], Any],
    *,
    dataset: str | None = None,
    cache: bool = True,
) -> Response:
    """Run ``compute`` on a pooled session and answer with its JSON.

    ``compute`` returns a result with ``to_dict()`` or a JSON-ready object. The answer is
    cached under (endpoint, normalised params, data set fingerprint) when ``cache``.
    Library errors become 4xx answers naming the parameter (see :func:`error_for`).
    """
    engine = engine_of(request)
    fingerprint = engine.fingerprint(dataset) if dataset is not None else None

    def produce() -> bytes:
        try:
            result = engine.call(compute)
        except TradeleverError as exc:
            raise error_for(exc, params) from exc
        return json_bytes(result.to_dict() if hasattr(result, "to_dict") else result)

    if cache:
        key = (endpoint, tuple(sorted((k, _norm(k, v)) for k, v in params.items())), fingerprint)
        body = engine.cache.get_or_compute(key, produce)
    else:
        body = produce()
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
    """Provenance of every data set: name, source, release, years, classification, licence."""
    return run_json(
        request,
        "datasets",
        {},
        lambda s: s.datasets().to_dict(orient="records"),
        cache=False,
    )


@router.get(
    "/countries",
    summary="Economies covered by a data set",
    response_class=Response,
    responses={**_ok("ISO3 code, name and groups of each economy."), **_errors(404, 422)},
)
def get_countries(request: Request, dataset: Dataset = DEFAULT_DATASET) -> Response:
    """Economies that appear as exporter or importer in ``dataset``, with the years."""
    from tradelever.reference.countries import country_name, country_table, group_names

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

    return run_json(request, "countries", {"dataset": dataset}, compute, dataset=dataset)


# -- leverage -----------------------------------------------------------------------------
@router.get(
    "/leverage",
    summary="Where the partner depends on the home country",
    response_class=Response,
    responses={
        **_ok(
            "As `tradelever leverage --format json`: home, partner, rival, dataset, year, "
            "level, provenance, assumptions and one row per product, ranked by the "
            "partner's cost of losing the home country's supply.",
            _LEVERAGE_SCHEMA,
        ),
        **_errors(404, 422),
    },
)
def get_leverage(
    request: Request,
    home: Home,
    partner: Partner,
    rival: Rival = None,
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    sigma: Annotated[
        float | None,
        Query(
            gt=1.0,
            le=1000.0,
            allow_inf_nan=False,
            description="One elasticity of substitution (> 1) for every product.",
        ),
    ] = None,
    top: Top = None,
) -> Response:
    """Leverage points of ``home`` in ``partner``'s imports (and the rival's shares)."""
    params = {
        "home": home,
        "partner": partner,
        "rival": rival,
        "dataset": dataset,
        "year": year,
        "level": level,
        "sigma": sigma,
        "top": top,
    }
    return run_json(
        request,
        "leverage",
        params,
        lambda s: s.leverage(
            home, partner, rival, dataset=dataset, year=year, level=level, sigma=sigma
        ).head(top or None),
        dataset=dataset,
    )


# -- analyses returning a TableResult -----------------------------------------------------
def _number(description: str, **bounds: Any) -> Any:
    return Query(allow_inf_nan=False, description=description, **bounds)


def _call(method: str, params: dict[str, Any]) -> Callable[[Session], Any]:
    """The Session method of the same name, called with the route's parameters."""
    return lambda s: getattr(s, method)(**params)


def _table(
    request: Request,
    endpoint: str,
    params: dict[str, Any],
    compute: Callable[[Session], Any],
    top: int | None,
) -> Response:
    dataset = params.get("dataset") or DEFAULT_DATASET
    return run_json(
        request,
        endpoint,
        {**params, "top": top},
        lambda s: compute(s).head(top or None),
        dataset=dataset,
    )


_TABLE_OK = {
    **_ok(
        "A result table: the parameters first, then provenance, assumptions, summary and "
        "rows (as the CLI's `--format json`).",
        _RESULT_SCHEMA,
    ),
    **_errors(404, 422),
}


@router.get(
    "/substitutes",
    summary="Rival substitution: where the partner buys from the rival and home could supply",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_substitutes(
    request: Request,
    home: Home,
    partner: Partner,
    rival: Annotated[
        str, Query(min_length=1, max_length=64, description="Rival supplier, ISO3 (e.g. CHN).")
    ],
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    min_rca: Annotated[float, _number("Home's Balassa RCA must exceed this.")] = 1.0,
    min_world_share: Annotated[
        float, _number("Home's world export share must be at least this.")
    ] = 0.0,
    min_rival_share: Annotated[
        float, _number("Rival's share of partner imports must exceed this.")
    ] = 0.0,
    top: Top = None,
) -> Response:
    """As ``tradelever substitutes HOME --partner P --rival R --format json``."""
    params = {
        "home": home,
        "partner": partner,
        "rival": rival,
        "dataset": dataset,
        "year": year,
        "level": level,
        "min_rca": min_rca,
        "min_world_share": min_world_share,
        "min_rival_share": min_rival_share,
    }
    return _table(
        request,
        "substitutes",
        params,
        _call("substitutes", params),
        top,
    )


@router.get(
    "/exposure",
    summary="Our exposure: home's exports to the partner as shares of exports and GDP",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_exposure(
    request: Request,
    home: Home,
    partner: Partner,
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    gdp_usd: Annotated[
        float | None, _number("Home's GDP in US dollars (default: from the data set).")
    ] = None,
    top: Top = None,
) -> Response:
    """As ``tradelever exposure HOME --partner P --format json``."""
    params = {
        "home": home,
        "partner": partner,
        "dataset": dataset,
        "year": year,
        "level": level,
        "gdp_usd": gdp_usd,
    }
    return _table(
        request,
        "exposure",
        params,
        _call("exposure", params),
        top,
    )


@router.get(
    "/formula",
    summary='The US "reciprocal" tariff formula of April 2025, with a what-if on purchases',
    response_class=Response,
    responses=_TABLE_OK,
)
def get_formula(
    request: Request,
    home: Home,
    partner: Annotated[
        str,
        Query(min_length=1, max_length=64, description="Country setting the tariff (ISO3)."),
    ] = "USA",
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    imports: Annotated[
        float | None, _number("m: partner's goods imports from home, US dollars.")
    ] = None,
    exports: Annotated[
        float | None, _number("x: partner's goods exports to home, US dollars.")
    ] = None,
    target_rate: Annotated[
        float | None, _number("Target rate (e.g. 0.15): purchases needed to reach it.")
    ] = None,
) -> Response:
    """As ``tradelever formula HOME --format json``: rate = max(10%, (m - x) / (2 m))."""
    params = {
        "home": home,
        "partner": partner,
        "dataset": dataset,
        "year": year,
        "imports": imports,
        "exports": exports,
        "target_rate": target_rate,
    }
    options: dict[str, Any] = {"dataset": dataset, "year": year, "target_rate": target_rate}
    if imports is not None or exports is not None:
        options |= {"imports_usd": imports, "exports_usd": exports}
    return _table(request, "formula", params, lambda s: s.formula(home, partner, **options), None)


@router.get(
    "/concessions",
    summary="Concession finder: purchases home could switch to the partner",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_concessions(
    request: Request,
    home: Home,
    partner: Partner,
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    target_rate: Annotated[float, _number("Formula rate to reach (default the 10% floor).")] = 0.10,
    min_rca: Annotated[
        float, _number("The partner is competitive if its RCA exceeds this...")
    ] = 1.0,
    min_world_share: Annotated[
        float, _number("...or if its world export share is at least this.")
    ] = 0.10,
    top: Top = None,
) -> Response:
    """As ``tradelever concessions HOME --partner P --format json``."""
    params = {
        "home": home,
        "partner": partner,
        "dataset": dataset,
        "year": year,
        "level": level,
        "target_rate": target_rate,
        "min_rca": min_rca,
        "min_world_share": min_world_share,
    }
    return _table(
        request,
        "concessions",
        params,
        _call("concessions", params),
        top,
    )


@router.get(
    "/peers",
    summary="Home and its peers (ASEAN by default) in the partner's market",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_peers(
    request: Request,
    home: Home,
    partner: Partner,
    peers: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1000,
            description="Group (ASEAN, EU27, G20) or ISO3 codes, comma-separated.",
        ),
    ] = "ASEAN",
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    level: Level = None,
    sigma: Annotated[
        float | None, _number("One elasticity of substitution (> 1) for the leverage.")
    ] = None,
    top: Top = None,
) -> Response:
    """As ``tradelever peers HOME --partner P --peers ASEAN --format json``."""
    params = {
        "home": home,
        "partner": partner,
        "peers": peers,
        "dataset": dataset,
        "year": year,
        "level": level,
        "sigma": sigma,
    }
    return _table(
        request,
        "peers",
        params,
        _call("peers", params),
        top,
    )


@router.get(
    "/supply-chain",
    summary="Supply-chain dependence of the partner on home (ICIO network)",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_supply_chain(
    request: Request,
    home: Home,
    partner: Partner,
    industry: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=1000,
            description="Home industry code(s), comma-separated (e.g. C26,C22); default all.",
        ),
    ] = None,
    dataset: Dataset = DEFAULT_DATASET,
    share_lost: Annotated[
        float, _number("Fraction of home's deliveries that stops, in [0, 1].")
    ] = 1.0,
    top: Top = None,
) -> Response:
    """As ``tradelever supply-chain HOME --partner P --format json``."""
    params = {
        "home": home,
        "partner": partner,
        "industry": industry,
        "dataset": dataset,
        "share_lost": share_lost,
    }
    return _table(
        request,
        "supply-chain",
        params,
        _call("supply_chain", params),
        top,
    )


@router.get(
    "/formula-annex",
    summary="The reciprocal formula for every Annex I partner against the announced rate",
    response_class=Response,
    responses=_TABLE_OK,
)
def get_formula_annex(
    request: Request,
    dataset: Dataset = DEFAULT_DATASET,
    year: Year = None,
    top: Top = None,
) -> Response:
    """As ``tradelever formula-annex --format json``: how well the formula reproduces Annex I."""
    params = {"dataset": dataset, "year": year}
    return _table(
        request,
        "formula-annex",
        params,
        _call("formula_annex", params),
        top,
    )

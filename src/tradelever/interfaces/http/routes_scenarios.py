"""Tariff scenarios over HTTP: list and show the presets, run a preset or a posted document.

``POST /api/scenarios/run`` runs either a preset (``?name=us-2025-04-02``) or a scenario
document sent as the body (YAML or JSON, the format of the preset files). The body is
read with a size limit, parsed without YAML aliases (no "billion laughs"), and only ever
treated as data: a string is never taken as a file path, and ``extends`` can only name a
preset.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from tradelever.analysis.scenarios.simulate import COMPARE_SCENARIOS, RUN_SCENARIO
from tradelever.api import Session
from tradelever.errors import TradeleverError
from tradelever.interfaces.http.encoding import json_bytes
from tradelever.interfaces.http.errors import ApiError, error_for
from tradelever.interfaces.http.params import endpoint, python_names, query_names
from tradelever.interfaces.http.routes import TOP, _errors, _ok, engine_of

__all__ = ["check_scenario_names", "parse_body", "router"]

router = APIRouter(prefix="/api")


_JSON_TYPES = ("application/json",)
_YAML_TYPES = (
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
)


def preset_names() -> list[str]:
    """Names of the preset scenarios (package data: no session, no data set)."""
    from tradelever.api import scenarios

    return [str(n) for n in scenarios()["name"]]


def check_scenario_names(names: list[str], *, parameter: str) -> None:
    """Raise a 404 naming ``parameter`` unless every name is a preset scenario.

    HTTP callers may only name presets: the library would also read a YAML file path.
    """
    known = preset_names()
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ApiError(
                404,
                f"{parameter}: {name!r} is not a preset scenario{hint} (see /api/scenarios; "
                "post your own scenario document to /api/scenarios/run)",
                parameter,
            )


# -- body parsing ---------------------------------------------------------------------------
class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases, so a small body cannot expand into a huge one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted", event.start_mark
            )
        return super().compose_node(parent, index)


def parse_body(text: str, content_type: str) -> dict[str, Any]:
    """Parse a scenario document (JSON or YAML) into a mapping.

    Raises
    ------
    ApiError
        415 for another media type; 422 naming ``body`` for a syntax error (with the line)
        or a document that is not a mapping.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        if media in _JSON_TYPES:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ApiError(
                    422, f"body: not valid JSON: {exc.msg} (line {exc.lineno})", "body"
                ) from None
        elif media in _YAML_TYPES or media == "":
            try:
                data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = f" (line {mark.line + 1})" if mark is not None else ""
                problem = getattr(exc, "problem", None) or str(exc)
                raise ApiError(422, f"body: not valid YAML: {problem}{line}", "body") from None
        else:
            raise ApiError(
                415,
                f"body: media type {media!r} is not accepted; send application/json or "
                "application/yaml",
                "body",
            )
    except RecursionError:
        raise ApiError(422, "body: the document is nested too deeply", "body") from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            f"body: a scenario document must be a mapping (name, measures, ...), got "
            f"{type(data).__name__}",
            "body",
        )
    return data


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) more than ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"body: {declared} bytes is over the limit of {limit} bytes", "body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"body: over the limit of {limit} bytes", "body")
        chunks.append(chunk)
    return b"".join(chunks)


# -- routes ---------------------------------------------------------------------------------
@router.get(
    "/scenarios",
    summary="The preset tariff scenarios",
    response_class=Response,
    responses=_ok(
        "As `tradelever scenario list --format json`: name, date, description, measures, sources.",
        {"type": "array", "items": {"type": "object"}},
    ),
)
def get_scenarios(request: Request) -> Response:
    """Preset scenarios (the 2025-26 US actions), each with its date and sources."""
    from tradelever.api import scenarios

    engine = engine_of(request)

    def produce() -> bytes:
        return json_bytes(scenarios().to_dict(orient="records"))

    body = engine.cache.get_or_compute(("scenarios",), produce)
    return Response(content=body, media_type="application/json")


# Registered before /scenarios/{name}, which would otherwise take "compare" as a name.
async def _compare(request: Request, query: dict[str, Any]) -> Response:
    """Typical use: A = competitors settle first, B = home settles too."""
    engine = engine_of(request)
    kwargs = python_names(COMPARE_SCENARIOS.options, query)
    rows = query.get("top")
    check_scenario_names([kwargs["a"]], parameter="a")
    check_scenario_names([kwargs["b"]], parameter="b")

    def produce(s: Session) -> bytes:
        try:
            return json_bytes(s.compare_scenarios(**kwargs).head(rows or None).to_dict())
        except TradeleverError as exc:
            raise error_for(exc, query) from exc

    fingerprint = await engine.current_fingerprint(kwargs["dataset"])
    key = ("scenario-compare", tuple(sorted(query.items())), fingerprint)
    body = await engine.run(produce, key=key)
    return Response(content=body, media_type="application/json")


router.get(
    "/scenarios/compare",
    summary=COMPARE_SCENARIOS.summary,
    response_class=Response,
    responses={
        **_ok(
            "As `tradelever scenario compare A B --home H --format json`: by product, exports "
            "under A, under B and B - A."
        ),
        **_errors(404, 422),
    },
)(
    endpoint(
        _compare,
        COMPARE_SCENARIOS.options,
        name="get_scenario_compare",
        doc=_compare.__doc__ or "",
        extra=[TOP],
    )
)


@router.get(
    "/scenarios/{name}",
    summary="One preset scenario: its measures, with legal basis, source and date",
    response_class=Response,
    responses={
        **_ok(
            "As `tradelever scenario show NAME --format json` (extends resolved): every "
            "measure with its selectors expanded, and every member of its groups and sets."
        ),
        **_errors(404, 422),
    },
)
def get_scenario(
    request: Request,
    name: Annotated[str, Path(min_length=1, max_length=200, description="Preset name.")],
) -> Response:
    """A preset scenario with ``extends`` resolved."""
    from tradelever.analysis.scenarios.listing import listing_json
    from tradelever.api import scenario

    engine = engine_of(request)

    def produce() -> bytes:
        check_scenario_names([name], parameter="name")
        try:
            return json_bytes(listing_json(scenario(name)))
        except TradeleverError as exc:
            raise error_for(exc, {"name": name}) from exc

    body = engine.cache.get_or_compute(("scenario", name), produce)
    return Response(content=body, media_type="application/json")


_BODY_DOC = {
    "requestBody": {
        "required": False,
        "description": (
            "A scenario document (the YAML format of the presets, or the same as JSON). Leave "
            "empty to run the preset given by `name`."
        ),
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


_RUN_OPTIONS = tuple(
    o.but(
        annotation=str | None,
        default=None,
        help="Preset to run (see /api/scenarios); omit when posting a document.",
    )
    if o.name == "spec"
    else o
    for o in RUN_SCENARIO.options
)


async def _run(request: Request, query: dict[str, Any]) -> Response:
    """Simulate a scenario: trade creation, diversion, revenue and welfare per market."""
    engine = engine_of(request)
    name = query["name"]
    raw = await read_limited(request, engine.max_body_bytes)
    try:
        text = raw.decode("utf-8") if raw.strip() else ""
    except UnicodeDecodeError as exc:
        raise ApiError(422, f"body: not UTF-8 text (byte {exc.start})", "body") from None
    if text and name is not None:
        raise ApiError(
            422, "name: give either a preset name or a scenario document, not both", "name"
        )
    if not text and name is None:
        raise ApiError(
            422,
            "name: give a preset name (see /api/scenarios) or post a scenario document",
            "name",
        )
    document = parse_body(text, request.headers.get("content-type", "")) if text else None
    kwargs = python_names(_RUN_OPTIONS, query)
    spec: Any = name if document is None else document
    kwargs["spec"] = spec
    rows = query.get("top")

    if name is not None:
        check_scenario_names([name], parameter="name")

    def produce(s: Session) -> bytes:
        try:
            result = s.run_scenario(**kwargs).head(rows or None)
        except TradeleverError as exc:
            err = error_for(exc, query, names=query_names(_RUN_OPTIONS))
            if err.parameter is None and document is not None:
                err = ApiError(err.status, f"body: {err.detail}", "body")
            raise err from exc
        return json_bytes(result.to_dict())

    fingerprint = await engine.current_fingerprint(kwargs["dataset"])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None
    key = ("scenario-run", tuple(sorted(query.items(), key=lambda kv: kv[0])), digest)
    body = await engine.run(produce, key=(*key, fingerprint))
    return Response(content=body, media_type="application/json")


router.post(
    "/scenarios/run",
    summary=RUN_SCENARIO.summary,
    response_class=Response,
    openapi_extra=_BODY_DOC,
    responses={
        **_ok(
            "As `tradelever scenario run --format json`: parameters, provenance, assumptions, "
            "summary, rows per (importer, exporter, code), markets, exporters, and the home "
            "view when `home` is given."
        ),
        **_errors(404, 413, 415, 422),
    },
)(endpoint(_run, _RUN_OPTIONS, name="post_scenario_run", doc=_run.__doc__ or "", extra=[TOP]))

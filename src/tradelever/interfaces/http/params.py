"""HTTP query parameters from the options registry (:mod:`tradelever.options`).

Each analysis declares its options once; :func:`query_parameter` turns one into a FastAPI
query parameter (type, default, bounds, length limits, description, examples), so the
routes, their validation and the OpenAPI schema follow the declaration. A route built with
:func:`endpoint` receives its query parameters as one mapping (query name -> value), which
it uses as the cache key and to name the parameter at fault in errors.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Query, Request

from tradelever.options import Option

__all__ = ["endpoint", "python_names", "query_names", "query_parameter"]


def _base_types(annotation: Any) -> set[Any]:
    if get_origin(annotation) in (Union, types.UnionType):
        return {get_origin(a) or a for a in get_args(annotation)} - {type(None)}
    return {get_origin(annotation) or annotation}


def query_parameter(option: Option) -> inspect.Parameter:
    """A FastAPI query parameter declared from an option."""
    annotation = option.http_annotation or option.annotation
    kinds = _base_types(annotation)
    info: dict[str, Any] = {"description": option.help}
    upper = [b for b in (option.le, option.http_le) if b is not None]
    for key, value in (("gt", option.gt), ("ge", option.ge), ("lt", option.lt)):
        if value is not None:
            info[key] = value
    if upper:
        info["le"] = min(upper)
    if kinds & {str, list}:
        if option.min_length is not None:
            info["min_length"] = option.min_length
        if option.max_length is not None:
            info["max_length"] = option.max_length
    if float in kinds:
        info["allow_inf_nan"] = False
    if option.examples:
        info["examples"] = list(option.examples)
    default: Any = inspect.Parameter.empty
    if not option.required:
        default = None if isinstance(option.default, (tuple, list)) else option.default
    return inspect.Parameter(
        option.query_name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, Query(**info)],
    )


def query_names(options: Iterable[Option]) -> dict[str, str]:
    """Python name -> query name, for the options whose names differ (for error answers)."""
    return {o.name: o.query_name for o in options if o.query_name != o.name}


def python_names(options: Iterable[Option], query: Mapping[str, Any]) -> dict[str, Any]:
    """The query values keyed by the options' Python names (the Session's keywords)."""
    return {o.name: query[o.query_name] for o in options if o.query_name in query}


def endpoint(
    handler: Callable[..., Any],
    options: Sequence[Option],
    *,
    name: str,
    doc: str,
    extra: Sequence[inspect.Parameter] = (),
) -> Callable[..., Any]:
    """A route function whose query parameters are ``options`` (then ``extra``).

    FastAPI reads the signature; the function calls ``handler(request, query)`` with the
    query parameters as one dict (query name -> value).
    """
    params = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *(query_parameter(o) for o in options if o.http),
        *extra,
    ]
    if inspect.iscoroutinefunction(handler):

        async def route(request: Request, **query: Any) -> Any:
            return await handler(request, query)

    else:

        def route(request: Request, **query: Any) -> Any:  # type: ignore[misc]
            return handler(request, query)

    route.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    route.__name__ = route.__qualname__ = name
    route.__doc__ = doc
    return route

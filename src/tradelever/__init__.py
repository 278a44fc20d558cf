"""tradelever: turn bilateral trade data into negotiating power.

The package is laid out as the pipeline in CONTRIBUTING.md::

    errors, options, labels, config  ->  reference  ->  sources  ->  store  ->  analysis
        ->  brief  ->  session, api  ->  interfaces

The public Python API is :mod:`tradelever.api`; its names are also reachable from here
(``tradelever.leverage``, ``tradelever.Session``, ...), imported on first use so that
``import tradelever`` stays cheap. The brief is ``tradelever.api.brief`` (or
``Session.brief``): ``tradelever.brief`` is the package that builds it.

>>> import tradelever
>>> result = tradelever.leverage("MYS", "USA", rival="CHN")   # doctest: +SKIP
"""

from __future__ import annotations

# Not typing.TYPE_CHECKING: importing typing would double the cost of ``import tradelever``.
TYPE_CHECKING = False

__version__ = "0.1.0"

#: Names re-exported from :mod:`tradelever.api` on first use.
_API = (
    "Config",
    "LeverageResult",
    "ScenarioResult",
    "Session",
    "TableResult",
    "compare_scenarios",
    "concessions",
    "datasets",
    "exposure",
    "fetch_baci",
    "fetch_census",
    "fetch_comtrade",
    "formula",
    "formula_annex",
    "ingest_baci",
    "leverage",
    "peers",
    "run_scenario",
    "scan",
    "scenario",
    "scenarios",
    "substitutes",
    "supply_chain",
)

__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from typing import Any

    from tradelever.api import (  # noqa: F401
        Config,
        LeverageResult,
        ScenarioResult,
        Session,
        TableResult,
        compare_scenarios,
        concessions,
        datasets,
        exposure,
        fetch_baci,
        fetch_census,
        fetch_comtrade,
        formula,
        formula_annex,
        ingest_baci,
        leverage,
        peers,
        run_scenario,
        scan,
        scenario,
        scenarios,
        substitutes,
        supply_chain,
    )


def __getattr__(name: str) -> Any:
    """The public API, imported when first asked for (PEP 562)."""
    if name in _API:
        from tradelever import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tradelever' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])

r"""Supply-chain dependence on an inter-country input-output network (ICIO).

How much of a partner's production depends on home's intermediate deliveries: direct and
total (Leontief) requirements, home value added embodied in the partner's output, and the
hypothetical-extraction loss of the partner's output (and of home's) if home's deliveries
stopped. One module per concept:

``model``
    :class:`LeontiefModel`, the network (output, final-demand sales, value-added
    coefficients, country and industry codes, node look-ups), built from arrays in memory
    or loaded from the store with its total requirements cached on disk
    (:func:`stored_model`).
``leontief``
    The algebra: direct requirements ``B``, value-added coefficients ``v``, total
    requirements ``L = (I - B)^-1`` from an LU factorisation in memory or from the
    per-version cache (the factorisation done once per data-set version, not per process),
    and embodied value added.
``extraction``
    Hypothetical extraction of home's deliveries to the partner (Ghosh, buyer side;
    Leontief, seller side) by the Woodbury identity, and one industry at a time by
    Sherman-Morrison.
``table``
    The ``supply_chain`` result: rows per home industry, the summary, the assumptions.

The analysis itself (options, request, orchestration) is
:mod:`tradelever.analysis.supply_chain`.

Notation and units
------------------
Nodes are (country, industry) pairs in sector-major order, ``node = industry * C + country``;
N = C * S. Monetary arrays keep the network's unit (US$ million for ``icio2022``); the
tables convert to US dollars.

``F[i, j]``
    Intermediate flow from node i to node j, ``F = A diag(omb * s)``.
``s``, ``z``
    Model output and final-demand sales (all destinations), ``s = F 1 + z``.
``B = A diag(omb)``
    Direct requirements (input coefficients): ``B[i, j] = F[i, j] / s[j]``, the dollars of
    i's output that one dollar of j's output uses.
``L = (I - B)^-1``
    Total (Leontief) requirements: ``L[i, j]`` is the output of i needed, directly and
    indirectly, per dollar of j's final-demand sales; ``s = L z``.
``v = 1 - omb``
    Value-added coefficients (value added per dollar of output); ``v' L = 1'`` because
    every active column of A sums to one.

The names below are imported from their module on first use (PEP 562): the model needs
NumPy and pandas, and building the cache SciPy, none of which the command line needs to
start.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SUPPLY_CHAIN_ASSUMPTIONS",
    "SUPPLY_CHAIN_COLUMNS",
    "ExtractionResult",
    "LeontiefModel",
    "direct_requirements",
    "embodied_value_added",
    "extract",
    "parse_industries",
    "stored_model",
    "supply_chain_result",
    "supply_chain_table",
    "value_added_coefficients",
]

_HOME = {
    "LeontiefModel": "model",
    "stored_model": "model",
    "direct_requirements": "leontief",
    "embodied_value_added": "leontief",
    "value_added_coefficients": "leontief",
    "ExtractionResult": "extraction",
    "extract": "extraction",
    "SUPPLY_CHAIN_ASSUMPTIONS": "table",
    "SUPPLY_CHAIN_COLUMNS": "table",
    "parse_industries": "table",
    "supply_chain_result": "table",
    "supply_chain_table": "table",
}


def __getattr__(name: str) -> Any:
    """The public names, imported from their module when first asked for."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module == "model":
        from tradelever.analysis.network import model as found
    elif module == "leontief":
        from tradelever.analysis.network import leontief as found
    elif module == "extraction":
        from tradelever.analysis.network import extraction as found
    else:
        from tradelever.analysis.network import table as found
    return getattr(found, name)

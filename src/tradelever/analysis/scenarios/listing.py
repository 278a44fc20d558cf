"""The full listing of a scenario: every measure, every country and product it names.

``tradelever scenario show`` prints this; nothing is cut. :func:`measure_table` gives one
row per measure (and per baseline rate) with its selectors written out in full and
expanded: country groups to their ISO3 members, ``all_except`` to the excluded codes,
product sets to their HS codes and ICIO industries. :func:`member_table` gives one row
per (measure, role, member) for whoever wants every member on its own line (a group of
39 countries gives 39 rows). :func:`scenario_listing` bundles both with the scenario's
dates, baseline, elasticities, assumptions and sources.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tradelever.analysis.scenarios.model import AllExcept, Scenario
from tradelever.analysis.scenarios.presets import expand_set, product_sets
from tradelever.reference.countries import group_members, group_names

__all__ = [
    "MEASURE_COLUMNS",
    "listing_json",
    "measure_table",
    "member_table",
    "scenario_listing",
]

MEASURE_COLUMNS = (
    "kind",
    "index",
    "importer",
    "exporters",
    "exporter_members",
    "products",
    "product_members",
    "exempt",
    "exempt_members",
    "rate",
    "basis",
    "effective",
    "source",
    "note",
)


def _countries(spec: Any) -> tuple[str, list[str]]:
    """(as written, expanded members) of a country selector; 'all' expands to []."""
    if isinstance(spec, AllExcept):
        members = _expand_countries(spec.all_except)
        return "all except " + ", ".join(spec.all_except), members
    if isinstance(spec, str):
        return spec, [] if spec == "all" else _expand_countries([spec])
    return ", ".join(spec), _expand_countries(spec)


def _expand_countries(items: list[str]) -> list[str]:
    groups = {g.upper() for g in group_names()}
    out: list[str] = []
    for item in items:
        out.extend(group_members(item) if item.upper() in groups else [item])
    return list(dict.fromkeys(out))


def _products(spec: str | list[str]) -> tuple[str, list[str]]:
    """(as written, expanded HS codes and industries) of a product selector."""
    items = [spec] if isinstance(spec, str) else list(spec)
    sets = product_sets()
    out: list[str] = []
    for item in items:
        if item in sets:
            hs, industries = expand_set(item)
            out.extend(hs)
            out.extend(f"industry {i}" for i in industries)
        elif item != "all":
            out.append(item)
    return ", ".join(items), list(dict.fromkeys(out))


def measure_table(scenario: Scenario) -> pd.DataFrame:
    """One row per baseline rate and measure, selectors in full (:data:`MEASURE_COLUMNS`).

    ``exporter_members`` lists the ISO3 codes a selector stands for (for ``all except``:
    the excluded ones; empty for ``all``); ``product_members`` and ``exempt_members`` the
    HS codes (and ``industry C26``-style entries) of the sets named.
    """
    rows: list[dict[str, Any]] = []
    for n, b in enumerate(scenario.baseline):
        exp_text, exp_members = _countries(b.exporters)
        prod_text, prod_members = _products(b.products)
        rows.append(
            {
                "kind": "baseline",
                "index": n,
                "importer": _countries(b.importer)[0],
                "exporters": exp_text,
                "exporter_members": exp_members,
                "products": prod_text,
                "product_members": prod_members,
                "exempt": "",
                "exempt_members": [],
                "rate": f"{b.rate:.4g} ({100 * b.rate:g}%)",
                "basis": "baseline",
                "effective": "",
                "source": b.source,
                "note": "",
            }
        )
    for n, m in enumerate(scenario.measures):
        exp_text, exp_members = _countries(m.exporters)
        prod_text, prod_members = _products(m.products)
        ex_text, ex_members = _products(m.exempt) if m.exempt else ("", [])
        if m.new_rate is not None:
            rate = f"{100 * m.new_rate:g}%" + (" all-in" if m.all_in else "")
        else:
            rate = f"{100 * (m.change or 0.0):+g} pts"
        rows.append(
            {
                "kind": "measure",
                "index": n,
                "importer": _countries(m.importer)[0],
                "exporters": exp_text,
                "exporter_members": exp_members,
                "products": prod_text,
                "product_members": prod_members,
                "exempt": ex_text,
                "exempt_members": ex_members,
                "rate": rate,
                "basis": m.basis,
                "effective": m.effective.isoformat() if m.effective else "",
                "source": m.source,
                "note": m.note or "",
            }
        )
    return pd.DataFrame(rows, columns=list(MEASURE_COLUMNS))


def member_table(scenario: Scenario) -> pd.DataFrame:
    """One row per (kind, index, role, member): every country and product named, in full.

    ``role`` is ``exporter`` (or ``excluded exporter`` for ``all except``), ``product`` or
    ``exempt``; ``via`` is the group or set the member comes from (empty when named
    directly).
    """
    groups = {g.upper() for g in group_names()}
    sets = product_sets()
    out: list[dict[str, Any]] = []
    items = [("baseline", n, b.exporters, b.products, []) for n, b in enumerate(scenario.baseline)]
    items += [
        ("measure", n, m.exporters, m.products, m.exempt) for n, m in enumerate(scenario.measures)
    ]
    for kind, n, exporters, products, exempt in items:
        role = "exporter"
        if isinstance(exporters, AllExcept):
            names, role = exporters.all_except, "excluded exporter"
        elif isinstance(exporters, str):
            names = [] if exporters == "all" else [exporters]
        else:
            names = list(exporters)
        for name in names:
            members = group_members(name) if name.upper() in groups else (name,)
            via = name if name.upper() in groups else ""
            out.extend(
                {"kind": kind, "index": n, "role": role, "member": c, "via": via} for c in members
            )
        plist = [products] if isinstance(products, str) else list(products)
        for prole, tokens in (("product", plist), ("exempt", list(exempt))):
            for token in tokens:
                if token == "all":
                    continue
                if token in sets:
                    hs, industries = expand_set(token)
                    members = [*hs, *(f"industry {i}" for i in industries)]
                    via = token
                else:
                    members, via = [token], ""
                out.extend(
                    {"kind": kind, "index": n, "role": prole, "member": c, "via": via}
                    for c in members
                )
    return pd.DataFrame(out, columns=["kind", "index", "role", "member", "via"])


def scenario_listing(scenario: Scenario) -> dict[str, Any]:
    """Everything ``scenario show`` prints: header fields, measures and members in full.

    Returns
    -------
    dict
        ``name``, ``description``, ``date``, ``carry_forward``, ``relative_to``
        (the baseline: None = no additional tariffs), ``elasticities``, ``assumptions``,
        ``sources``, ``measures`` (:func:`measure_table`), ``members``
        (:func:`member_table`), and the counts ``n_measures`` and ``n_members``.
    """
    measures = measure_table(scenario)
    members = member_table(scenario)
    return {
        "name": scenario.name,
        "description": scenario.description,
        "date": scenario.date.isoformat() if scenario.date else None,
        "carry_forward": scenario.carry_forward,
        "relative_to": scenario.relative_to,
        "baseline": (
            f"schedule {scenario.relative_to}" if scenario.relative_to else "no additional tariffs"
        ),
        "elasticities": scenario.elasticities.model_dump(mode="json", exclude_none=True),
        "assumptions": list(scenario.assumptions),
        "sources": list(scenario.sources),
        "measures": measures,
        "members": members,
        "n_measures": int((measures["kind"] == "measure").sum()),
        "n_members": len(members),
    }


def listing_json(scenario: Scenario) -> dict[str, Any]:
    """The JSON of ``scenario show --format json`` and ``GET /api/scenarios/{name}``.

    :func:`scenario_listing` with ``on`` (the schedule date), ``restates_schedule`` and the
    measures and members as records: every measure and every member, in full.
    """
    listing = scenario_listing(scenario)
    data = {k: v for k, v in listing.items() if k not in ("measures", "members")}
    data["on"] = scenario.on.isoformat() if scenario.on else None
    data["restates_schedule"] = scenario.restates_schedule
    data["measures"] = listing["measures"].to_dict(orient="records")
    data["members"] = listing["members"].to_dict(orient="records")
    return data

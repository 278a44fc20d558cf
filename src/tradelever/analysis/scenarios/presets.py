"""Preset scenarios and named product sets shipped as package data.

Files in ``tradelever/data/scenarios/``:

``<name>.yaml``
    One scenario each (the 2025-26 US tariff actions), every measure with its source
    document and effective date, compiled from the primary texts (whitehouse.gov, the
    Federal Register).
``_product_sets.yaml``
    Named product sets used as selectors (``apr11-semiconductors``, ``s232-steel``,
    ``gloves``...): HS codes as in the source text, the ICIO industries they are applied
    to on industry data (when the set covers most of an industry), a source and a note.

A scenario may ``extends: OTHER`` (inherit its measures, baseline and elasticities, then
append or override) and ``relative_to: OTHER`` (compare against OTHER's schedule instead
of the zero-duty baseline).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tradelever.analysis.scenarios.model import Scenario, parse_scenario, parse_scenario_text
from tradelever.errors import DataFileError, InputError, UnknownCodeError

__all__ = [
    "ProductSet",
    "load_scenario",
    "preset_names",
    "preset_scenario",
    "product_sets",
    "resolve_scenario",
]

_PACKAGE = "tradelever.data"
_FOLDER = "scenarios"
_SETS_FILE = "_product_sets.yaml"


@dataclass(frozen=True)
class ProductSet:
    """A named list of products with its source.

    Attributes
    ----------
    name
        Selector name, e.g. ``apr11-semiconductors``.
    hs
        HS or HTS codes/prefixes as written in the source (2 to 10 digits).
    industries
        ICIO industries the set stands for on industry data (empty when the set covers
        only a small part of any industry).
    source, date, note
        Where the list comes from, its date, and how it maps to industries.
    """

    name: str
    description: str
    hs: tuple[str, ...]
    industries: tuple[str, ...]
    source: str
    date: dt.date | None = None
    note: str = ""
    members: tuple[str, ...] = field(default_factory=tuple)


def _folder() -> Any:
    return resources.files(_PACKAGE).joinpath(_FOLDER)


@cache
def product_sets() -> dict[str, ProductSet]:
    """The named product sets of ``_product_sets.yaml``.

    Raises
    ------
    DataFileError
        If the package file is malformed (names the set and key).
    """
    where = f"tradelever/data/{_FOLDER}/{_SETS_FILE}"
    data = yaml.safe_load(_folder().joinpath(_SETS_FILE).read_text("utf-8"))
    out: dict[str, ProductSet] = {}
    for name, spec in (data or {}).get("sets", {}).items():
        for key in ("description", "source"):
            if not spec.get(key):
                raise DataFileError(f"set {name!r} has no {key}", path=where, field=key)
        hs = tuple(str(c) for c in spec.get("hs", []))
        bad = [c for c in hs if not c.isdigit() or not 2 <= len(c) <= 10]
        if bad:
            raise DataFileError(f"set {name!r}: bad HS codes {bad}", path=where, field="hs")
        out[name] = ProductSet(
            name=name,
            description=str(spec["description"]),
            hs=hs,
            industries=tuple(str(c) for c in spec.get("industries", [])),
            source=str(spec["source"]),
            date=spec.get("date"),
            note=str(spec.get("note", "")),
            members=tuple(str(c) for c in spec.get("sets", [])),
        )
    for ps in out.values():
        unknown = [m for m in ps.members if m not in out]
        if unknown:
            raise DataFileError(f"set {ps.name!r} includes unknown sets {unknown}", path=where)
    return out


def expand_set(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """HS codes and industries of a set, including the sets it includes."""
    sets = product_sets()
    if name not in sets:
        raise UnknownCodeError(f"{name}: unknown product set; known: {', '.join(sorted(sets))}")
    ps = sets[name]
    hs, ind = list(ps.hs), list(ps.industries)
    for member in ps.members:
        h, i = expand_set(member)
        hs.extend(h)
        ind.extend(i)
    return tuple(dict.fromkeys(hs)), tuple(dict.fromkeys(ind))


@cache
def preset_names() -> list[str]:
    """Names of the preset scenarios, sorted."""
    return sorted(
        p.name.removesuffix(".yaml")
        for p in _folder().iterdir()
        if p.name.endswith(".yaml") and not p.name.startswith("_")
    )


@cache
def _preset_raw(name: str) -> Scenario:
    if name not in preset_names():
        raise UnknownCodeError(
            f"{name}: unknown scenario; presets: {', '.join(preset_names())} (or give a YAML file)"
        )
    where = f"tradelever/data/{_FOLDER}/{name}.yaml"
    scenario = parse_scenario_text(
        _folder().joinpath(f"{name}.yaml").read_text("utf-8"), where=where
    )
    if scenario.name != name:
        raise DataFileError(f"name {scenario.name!r} differs from the file name", path=where)
    return scenario


def preset_scenario(name: str) -> Scenario:
    """A preset scenario with ``extends`` resolved."""
    return resolve_scenario(_preset_raw(name))


def load_scenario(spec: str | Path | Scenario | dict[str, Any]) -> Scenario:
    """A scenario from a preset name, a YAML path, a mapping or a Scenario.

    ``extends`` is resolved (parents may be presets or files beside the child file).

    Raises
    ------
    InputError, UnknownCodeError
        Invalid file content (with key path) or unknown name.
    """
    if isinstance(spec, Scenario):
        return resolve_scenario(spec)
    if isinstance(spec, dict):
        return resolve_scenario(parse_scenario(spec, where="scenario"))
    text = str(spec)
    path = Path(text)
    if text.endswith((".yaml", ".yml")) or path.is_file():
        from tradelever.analysis.scenarios.model import read_scenario_file

        if not path.is_file():
            raise InputError(f"{path}: scenario file not found")
        return resolve_scenario(read_scenario_file(path), base=path.parent)
    return preset_scenario(text)


def _parent(name: str, base: Path | None) -> Scenario:
    if base is not None:
        for suffix in (".yaml", ".yml"):
            candidate = base / f"{name}{suffix}"
            if candidate.is_file():
                from tradelever.analysis.scenarios.model import read_scenario_file

                return read_scenario_file(candidate)
    return _preset_raw(name)


def resolve_scenario(
    scenario: Scenario, *, base: Path | None = None, _seen: tuple[str, ...] = ()
) -> Scenario:
    """Merge ``extends`` chains: parent measures first, child elasticities win.

    Raises
    ------
    InputError
        On a cycle (``a extends b extends a``).
    """
    if scenario.extends is None:
        return scenario
    if scenario.extends in (*_seen, scenario.name):
        raise InputError(f"extends: cycle {' -> '.join((*_seen, scenario.name, scenario.extends))}")
    parent = resolve_scenario(
        _parent(scenario.extends, base), base=base, _seen=(*_seen, scenario.name)
    )
    pe = parent.elasticities.model_dump(exclude_unset=True)
    ce = scenario.elasticities.model_dump(exclude_unset=True)
    products = {**pe.get("products", {}), **ce.get("products", {})}
    merged_el = {**pe, **ce, "products": products}
    data = scenario.model_dump(exclude_unset=True)
    data.update(
        {
            "extends": None,
            "elasticities": merged_el,
            "baseline": [b.model_dump() for b in (*parent.baseline, *scenario.baseline)],
            "measures": [m.model_dump() for m in (*parent.measures, *scenario.measures)],
            "assumptions": [*parent.assumptions, *scenario.assumptions],
            "sources": list(dict.fromkeys([*parent.sources, *scenario.sources])),
        }
    )
    data.setdefault("date", parent.date)
    data.setdefault("relative_to", parent.relative_to)
    return parse_scenario(data, where=f"scenario {scenario.name}")

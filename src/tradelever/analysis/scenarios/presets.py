"""Preset scenarios and named product sets shipped as package data.

Files in ``tradelever/data/scenarios/``:

``<name>.yaml``
    One scenario each (the 2025-26 US tariff actions), every measure with its source
    document (executive orders, proclamations and fact sheets on whitehouse.gov, the
    Federal Register) and effective date.
``_product_sets.yaml``
    Named product sets used as selectors (``apr11-semiconductors``, ``s232-steel``,
    ``gloves``...): HS codes as in the source text, the ICIO industries they are applied
    to on industry data (when the set covers most of an industry), a source and a note.

A scenario may ``extends: OTHER`` (inherit its measures, baseline and elasticities, then
append or override) and ``relative_to: OTHER`` (compare against OTHER's schedule instead
of no additional tariffs); OTHER is a file ``OTHER.yaml`` beside the scenario's file, or a
preset. A scenario dated before measures it inherits is refused unless
it states ``carry_forward: true`` (:func:`resolve_scenario`).
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
    "check_inherited_dates",
    "load_scenario",
    "preset_names",
    "preset_scenario",
    "product_sets",
    "resolve_scenario",
    "schedule_preset",
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


def schedule_preset(date: dt.date) -> Scenario | None:
    """The preset that restates the schedule of the latest date on or before ``date``.

    The presets with ``restates_schedule: true`` stand for the US schedule of their ``on``
    date on data without tariff lines; None when no such preset is dated on or before.
    """
    best: Scenario | None = None
    for name in preset_names():
        sc = _preset_raw(name)
        eligible = sc.restates_schedule and sc.on is not None and sc.on <= date
        if eligible and (best is None or (sc.on, sc.name) > (best.on, best.name)):  # type: ignore[operator]
            best = sc
    return None if best is None else preset_scenario(best.name)


def preset_scenario(name: str) -> Scenario:
    """A preset scenario with ``extends`` resolved."""
    return resolve_scenario(_preset_raw(name), where=f"tradelever/data/{_FOLDER}/{name}.yaml")


def load_scenario(spec: str | Path | Scenario | dict[str, Any]) -> Scenario:
    """A scenario from a preset name, a YAML path, a mapping or a Scenario.

    ``extends`` is resolved (parents may be presets or files beside the child file).

    Raises
    ------
    InputError, UnknownCodeError
        Invalid file content (with key path), unknown name, or a date earlier than the
        measures the scenario extends (naming the file, ``date`` and the measures).
    """
    if isinstance(spec, Scenario):
        return resolve_scenario(spec, where=f"scenario {spec.name}")
    if isinstance(spec, dict):
        return resolve_scenario(parse_scenario(spec, where="scenario"), where="scenario")
    text = str(spec)
    path = Path(text)
    if text.endswith((".yaml", ".yml")) or path.is_file():
        from tradelever.analysis.scenarios.model import read_scenario_file

        if not path.is_file():
            raise InputError(f"{path}: scenario file not found")
        scenario = resolve_scenario(read_scenario_file(path), base=path.parent, where=str(path))
        return _local_relative_to(scenario, path.parent)
    return preset_scenario(text)


def _parent(name: str, base: Path | None, where: str) -> Scenario:
    if base is not None:
        for suffix in (".yaml", ".yml"):
            candidate = base / f"{name}{suffix}"
            if candidate.is_file():
                from tradelever.analysis.scenarios.model import read_scenario_file

                return read_scenario_file(candidate)
    try:
        return _preset_raw(name)
    except UnknownCodeError as exc:
        raise UnknownCodeError(f"{where}: extends: {exc}") from None


def _local_relative_to(scenario: Scenario, base: Path) -> Scenario:
    """Point ``relative_to: NAME`` at ``NAME.yaml`` beside the file when there is one.

    ``relative_to`` then finds its scenario where ``extends`` does: a file in the same
    folder first, then a preset.
    """
    name = scenario.relative_to
    if name is None or name.endswith((".yaml", ".yml")):
        return scenario
    for suffix in (".yaml", ".yml"):
        candidate = base / f"{name}{suffix}"
        if candidate.is_file():
            return scenario.model_copy(update={"relative_to": str(candidate)})
    return scenario


def _measure_label(n: int, m: Any) -> str:
    """``measures[3] (reciprocal 19% on MYS, THA, effective 2025-08-07)`` for messages."""
    exporters = m.exporters
    if isinstance(exporters, list):
        who = ", ".join(exporters)
    elif isinstance(exporters, str):
        who = exporters
    else:
        who = "all except " + ", ".join(exporters.all_except)
    rate = f"{m.new_rate:.0%}" if m.new_rate is not None else f"{m.change:+.0%}"
    return f"measures[{n}] ({m.basis} {rate} on {who}, effective {m.effective})"


def check_inherited_dates(scenario: Scenario, parent: Scenario, where: str) -> None:
    """Refuse a scenario dated before measures it inherits, unless it carries them forward.

    A measure of ``parent`` in force on the parent's date (effective on or before it, or
    undated parent) but effective after ``scenario.date`` would silently drop out of the
    child's schedule: that is an error naming the file, the ``date`` field and each such
    measure, unless the child states ``carry_forward: true``.

    Raises
    ------
    InputError
        ``FILE: date: 2025-07-15 is earlier than 3 measures of us-2025-08-07 it extends: ...``
    """
    if scenario.date is None or scenario.carry_forward:
        return
    late = [
        (n, m)
        for n, m in enumerate(parent.measures)
        if m.effective is not None
        and m.effective > scenario.date
        and (parent.date is None or m.effective <= parent.date or parent.carry_forward)
    ]
    if not late:
        return
    latest = max(m.effective for _, m in late)
    listed = "; ".join(_measure_label(n, m) for n, m in late)
    raise InputError(
        f"{where}: date: {scenario.date} is earlier than {len(late)} measure(s) of "
        f"{parent.name} that it extends, which would not apply: {listed}. Date the scenario "
        f"on or after {latest}, or add 'carry_forward: true' to apply them as of "
        f"{scenario.date}"
    )


def resolve_scenario(
    scenario: Scenario,
    *,
    base: Path | None = None,
    where: str = "",
    _seen: tuple[str, ...] = (),
) -> Scenario:
    """Merge ``extends`` chains: parent measures first, child elasticities win.

    Parameters
    ----------
    scenario
        The scenario as read.
    base
        Folder of the scenario's file (parents may be files there).
    where
        The file (or ``scenario NAME``) for messages.

    Raises
    ------
    InputError
        On a cycle (``a extends b extends a``), an unknown parent, or a date earlier than
        the measures it extends (:func:`check_inherited_dates`).
    """
    where = where or f"scenario {scenario.name}"
    if scenario.extends is None:
        return scenario
    if scenario.extends in (*_seen, scenario.name):
        raise InputError(
            f"{where}: extends: cycle {' -> '.join((*_seen, scenario.name, scenario.extends))}"
        )
    parent = resolve_scenario(
        _parent(scenario.extends, base, where),
        base=base,
        where=where,
        _seen=(*_seen, scenario.name),
    )
    check_inherited_dates(scenario, parent, where)
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
    data.setdefault("on", parent.on)
    data.pop("restates_schedule", None)  # the flag marks the file's own measures only
    data.setdefault("relative_to", parent.relative_to)
    data.setdefault("carry_forward", parent.carry_forward)
    return parse_scenario(data, where=where)

"""Assemble a scenario's tariff schedule on the rows of a data set, and its elasticities.

For every row (importer j, exporter i, product k) the schedule gives the baseline rate
t0 and the scenario rate t1 (ad valorem fractions):

    t_base(i,j,k)  = last matching ``baseline`` rate (default 0)
    d_b(i,j,k)     = duty of basis b: last matching ``new_rate`` of that basis, plus every
                     matching ``change``; ``all_in`` rates are max(0, rate - t_base)
    d_reciprocal = d_section122 = 0 where a section232 measure applies (s232 replaces them)
    (measures whose ``effective`` date is after the scenario's ``date`` are skipped,
    unless the scenario says ``carry_forward: true``)
    with ``on: DATE``: d_b starts from the schedule in force on DATE (on data with US
    tariff lines: the value-weighted rate of each exporter x product's lines per basis,
    :data:`ScheduleLines`; on data without them: the measures of the presets that restate
    that schedule), then the scenario's own measures apply
    t_scenario     = t_base + sum over bases b of d_b
    t1 = t_scenario; t0 = t_base (baseline "no additional tariffs") or t_scenario of the
    baseline scenario (``relative_to``, or the baseline given to the run; see
    :mod:`tradelever.analysis.scenarios.baseline`)

Masks are computed on the unique importers, exporters and codes and gathered onto the rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradelever.analysis.scenarios.baseline import Baseline, BaselineSpec, resolve_baseline
from tradelever.analysis.scenarios.model import BASES, Scenario
from tradelever.analysis.scenarios.selectors import Notes, product_mask, resolve_countries_spec
from tradelever.errors import InputError

__all__ = [
    "BASIS_OF_STACK",
    "DEFAULT_IMPORT_DEMAND",
    "WITS_DEFAULT_SUBSTITUTION",
    "Elasticity",
    "RowIndex",
    "Schedule",
    "ScheduleLines",
    "code_elasticities",
    "schedule",
]

DEFAULT_IMPORT_DEMAND = -1.0
WITS_DEFAULT_SUBSTITUTION = 1.5

ScheduleLines = Callable[[dt.date], "pd.DataFrame | None"]
"""The US schedule on a date at the data set's product level: a table ``exporter``,
``code`` and one ``rate_<stack>`` column per stack of the schedule (fractions), or None
when the data set has no US tariff lines (see
:func:`tradelever.analysis.effective_tariffs.schedule_rates`)."""

#: Scenario basis of each stack of the US schedule.
BASIS_OF_STACK = {
    "reciprocal": "reciprocal",
    "s232": "section232",
    "fentanyl": "fentanyl",
    "s122": "section122",
    "s301-forced-labour": "section301",
    "s301-brazil": "section301",
    "ieepa-russia-oil": "other",
    "ieepa-brazil": "other",
    "s338": "other",
}


@dataclass(frozen=True)
class RowIndex:
    """Rows as integer indices into unique importers, exporters and codes."""

    imp_idx: np.ndarray
    imp_u: np.ndarray
    exp_idx: np.ndarray
    exp_u: np.ndarray
    code_idx: np.ndarray
    code_u: np.ndarray
    industry_level: bool
    classification: str = ""

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.imp_idx)


@dataclass(frozen=True)
class Schedule:
    """Baseline and scenario rates per row, the duty of each basis, and the baseline used."""

    t0: np.ndarray
    t1: np.ndarray
    duties: dict[str, np.ndarray]
    baseline: Baseline = field(default_factory=lambda: Baseline("no_additional_tariffs"))


def _rows_mask(
    rows: RowIndex,
    importer: object,
    exporters: object,
    products: object,
    exempt: list[str],
    path: str,
    notes: Notes,
) -> np.ndarray:
    imp = resolve_countries_spec(importer, f"{path}.importer").mask(rows.imp_u)  # type: ignore[arg-type]
    exp = resolve_countries_spec(exporters, f"{path}.exporters").mask(rows.exp_u)  # type: ignore[arg-type]
    prod = product_mask(
        products,  # type: ignore[arg-type]
        rows.code_u,
        industry_level=rows.industry_level,
        path=f"{path}.products",
        notes=notes,
        classification=rows.classification,
    )
    if exempt:
        prod &= ~product_mask(
            exempt,
            rows.code_u,
            industry_level=rows.industry_level,
            path=f"{path}.exempt",
            notes=notes,
            classification=rows.classification,
        )
    out = prod[rows.code_idx]
    if not imp.all():
        out &= imp[rows.imp_idx]
    if not exp.all():
        out &= exp[rows.exp_idx]
    return out


def _schedule_duties(
    table: pd.DataFrame, rows: RowIndex, duties: dict[str, np.ndarray], importer: str = "USA"
) -> int:
    """Add the schedule's rates per basis to ``duties`` on the rows of ``importer``.

    Returns the number of rows that received a rate.
    """
    exp = pd.Index(rows.exp_u.astype(str)).get_indexer(table["exporter"].astype(str))
    code = pd.Index(rows.code_u.astype(str)).get_indexer(table["code"].astype(str))
    ok = (exp >= 0) & (code >= 0)
    n_code = max(len(rows.code_u), 1)
    keys = exp[ok].astype(np.int64) * n_code + code[ok]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    row_keys = rows.exp_idx.astype(np.int64) * n_code + rows.code_idx
    pos = np.searchsorted(keys, row_keys)
    pos = np.minimum(pos, max(len(keys) - 1, 0))
    hit = (keys[pos] == row_keys) if len(keys) else np.zeros(rows.n, dtype=bool)
    is_importer = (rows.imp_u.astype(str) == importer)[rows.imp_idx]
    hit &= is_importer
    for column in table.columns:
        if not column.startswith("rate_"):
            continue
        basis = BASIS_OF_STACK.get(column.removeprefix("rate_").replace("_", "-"), "other")
        values = table[column].to_numpy(dtype=float)[ok][order]
        duties[basis][hit] += values[pos[hit]]
    return int(hit.sum())


def _schedule_base(
    scenario: Scenario,
    rows: RowIndex,
    notes: Notes,
    lines: ScheduleLines | None,
    duties: dict[str, np.ndarray],
) -> list[object]:
    """Lay the schedule of ``scenario.on`` into ``duties``; return the measures to apply."""
    from tradelever.analysis.scenarios.presets import schedule_preset

    measures: list[object] = list(scenario.measures)
    if scenario.on is None:
        return measures
    table = lines(scenario.on) if lines is not None else None
    restating = [m for m in scenario.measures if m.restates_schedule]
    if table is not None:
        n_rows = _schedule_duties(table, rows, duties)
        notes.add_count(
            f"tariff schedule: the US schedule in force on {scenario.on}, line by line: the rate "
            "of each exporter and product is the 2024-value-weighted mean of the additional "
            "rates of its HS10 lines ({n} rows of the data)"
            + (
                f"; the {len(restating)} measures of scenario {scenario.name} that restate it "
                "for data without tariff lines are not applied"
                if restating
                else ""
            ),
            n_rows,
        )
        return [m for m in measures if not m.restates_schedule]
    if restating:
        notes.add(
            f"tariff schedule: this data set has no US tariff lines (HS10 with duty), so the "
            f"schedule in force on {scenario.on} is represented by the {len(restating)} "
            f"measures of scenario {scenario.name} that restate it with product and country "
            "selectors (coarser than the schedule: exemption lists and Section 232 lists are "
            "applied through the codes of the data)"
        )
        return measures
    preset = schedule_preset(scenario.on)
    if preset is None:
        notes.add(
            f"tariff schedule: this data set has no US tariff lines and no preset restates the "
            f"schedule of {scenario.on}: only the scenario's own measures are applied"
        )
        return measures
    notes.add(
        f"tariff schedule: this data set has no US tariff lines (HS10 with duty), so the "
        f"schedule in force on {scenario.on} is represented by the measures of preset "
        f"{preset.name} (the schedule of {preset.on}, restated with product and country "
        "selectors)"
    )
    return [*preset.measures, *measures]


class _Duties(dict[str, np.ndarray]):
    """Duty per row of each basis (``BASES``), created as zeros when first used."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __missing__(self, basis: str) -> np.ndarray:
        self[basis] = values = np.zeros(self.n)
        return values


def _scenario_rates(
    scenario: Scenario, rows: RowIndex, notes: Notes, lines: ScheduleLines | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    base = np.zeros(rows.n)
    for n, b in enumerate(scenario.baseline):
        mask = _rows_mask(rows, b.importer, b.exporters, b.products, [], f"baseline[{n}]", notes)
        base[mask] = b.rate
    duties = _Duties(rows.n)  # the duty of a basis exists once a measure sets it
    covered232 = np.zeros(rows.n, dtype=bool)
    for n, m in enumerate(_schedule_base(scenario, rows, notes, lines, duties)):  # type: ignore[assignment]
        path = f"measures[{n}]"
        if scenario.date is not None and m.effective is not None and m.effective > scenario.date:
            if scenario.carry_forward:
                notes.add(
                    f"{path} of scenario {scenario.name} ({m.basis}, effective {m.effective}) "
                    f"is applied as of {scenario.date} (carry_forward: true)"
                )
            else:
                notes.add(
                    f"{path} ({m.basis}, effective {m.effective}) is after the schedule date "
                    f"{scenario.date} of scenario {scenario.name} and is not applied"
                )
                continue
        mask = _rows_mask(rows, m.importer, m.exporters, m.products, m.exempt, path, notes)
        if m.only_where_charged:
            mask &= duties[m.basis] > 0
        if m.new_rate is not None:
            if m.all_in:
                duties[m.basis][mask] = np.maximum(0.0, m.new_rate - base[mask])
            else:
                duties[m.basis][mask] = m.new_rate
        else:
            duties[m.basis][mask] += float(m.change or 0.0)
        if m.basis == "section232":
            covered232 |= mask
    if covered232.any():
        for basis in ("reciprocal", "section122"):
            if basis in duties:
                duties[basis][covered232] = 0.0
    del covered232
    # base + (the duties summed in BASES order); an absent basis adds 0
    total = np.zeros(rows.n)
    for basis in BASES:
        if basis in duties:
            total += duties[basis]
    total += base
    if (total < 0).any():
        i = int(np.argmin(total))
        imp, exp = rows.imp_u[rows.imp_idx[i]], rows.exp_u[rows.exp_idx[i]]
        cell = f"{imp} from {exp}, {rows.code_u[rows.code_idx[i]]}"
        cuts = [
            f"measures[{n}].change" for n, m in enumerate(scenario.measures) if (m.change or 0) < 0
        ]
        raise InputError(
            f"scenario {scenario.name}: {', '.join(cuts) or 'change'}: the changes make a "
            f"rate negative ({total[i]:.4f} on {cell}); a duty cannot go below 0"
        )
    return base, total, duties


def schedule(
    scenario: Scenario,
    rows: RowIndex,
    notes: Notes,
    baseline: BaselineSpec = None,
    lines: ScheduleLines | None = None,
) -> Schedule:
    """Baseline rate t0 and scenario rate t1 for every row (see module docstring).

    Parameters
    ----------
    scenario
        The scenario (``extends`` resolved).
    rows
        The rows of the data.
    notes
        Collects assumption sentences.
    baseline
        What t0 is (:data:`~tradelever.analysis.scenarios.baseline.BaselineSpec`); default
        the scenario's ``relative_to``, else no additional tariffs.
    lines
        The US schedule on a date at the data's product level (:data:`ScheduleLines`), for
        scenarios with ``on: DATE``; None when the data set has no US tariff lines.

    Raises
    ------
    InputError
        Unknown countries, sets or industries (naming the key path), negative rates, an
        unknown baseline scenario.
    """
    base, total, duties = _scenario_rates(scenario, rows, notes, lines)
    reference, other = resolve_baseline(scenario, baseline)
    t0 = base
    if other is not None:
        _, t0, _ = _scenario_rates(other, rows, notes, lines)
    return Schedule(t0=t0, t1=total, duties=duties, baseline=reference)


@dataclass(frozen=True)
class Elasticity:
    """Elasticities per unique code and where each comes from."""

    sigma: np.ndarray
    import_demand: np.ndarray
    export_supply: np.ndarray
    sigma_source: np.ndarray


def _override(scenario: Scenario, code: str, key: str) -> float | None:
    best: tuple[int, float] | None = None
    for prefix, values in scenario.elasticities.products.items():
        value = getattr(values, key)
        if (
            value is not None
            and code.startswith(prefix)
            and (best is None or len(prefix) > best[0])
        ):
            best = (len(prefix), value)
    return None if best is None else best[1]


def code_elasticities(
    scenario: Scenario, codes: np.ndarray, classification: str, notes: Notes
) -> Elasticity:
    """Substitution, import-demand and export-supply elasticities for each unique code.

    Precedence: per-product override (longest prefix) > scenario value > default. Defaults:
    sigma from Caliendo and Parro (2015), sigma = 1 + theta, per industry or HS chapter
    (:mod:`tradelever.analysis.elasticities`); where no default exists, the WITS-SMART
    default 1.5; import demand -1.0; export supply infinite (perfectly elastic).
    """
    from tradelever.analysis.elasticities import icio_elasticities
    from tradelever.analysis.hs_elasticities import hs_sigma

    el = scenario.elasticities
    n = len(codes)
    sigma = np.empty(n)
    source = np.empty(n, dtype=object)
    eps_m = np.empty(n)
    eps_x = np.empty(n)
    icio = icio_elasticities() if classification.upper().startswith("ICIO") else {}
    fallback = False
    for k, code in enumerate(codes):
        code = str(code)
        ov = _override(scenario, code, "substitution")
        if ov is not None:
            sigma[k], source[k] = ov, "scenario override (elasticities.products)"
        elif el.substitution is not None:
            sigma[k], source[k] = el.substitution, "scenario (elasticities.substitution)"
        elif icio:
            hit = icio.get(code)
            if hit is None:
                sigma[k], source[k] = WITS_DEFAULT_SUBSTITUTION, "WITS-SMART default 1.5"
                fallback = True
            else:
                sigma[k], source[k] = hit.sigma, hit.source
        else:
            try:
                sigma[k], source[k] = hs_sigma(code)
            except InputError:
                sigma[k], source[k] = WITS_DEFAULT_SUBSTITUTION, "WITS-SMART default 1.5"
                fallback = True
        ov = _override(scenario, code, "import_demand")
        eps_m[k] = ov if ov is not None else (el.import_demand or DEFAULT_IMPORT_DEMAND)
        ov = _override(scenario, code, "export_supply")
        eps_x[k] = ov if ov is not None else (el.export_supply or math.inf)
    if el.substitution is None:
        notes.add(
            "substitution elasticity between suppliers: Caliendo and Parro (2015) trade "
            "elasticity theta per sector, sigma = 1 + theta (WITS-SMART's own default is 1.5)"
            + ("; codes without a default use 1.5" if fallback else "")
        )
    else:
        notes.add(f"substitution elasticity between suppliers sigma = {el.substitution}")
    notes.add(
        f"import demand elasticity {el.import_demand or DEFAULT_IMPORT_DEMAND}"
        + (" (default: unit-elastic total import demand)" if el.import_demand is None else "")
    )
    notes.add(
        "export supply perfectly elastic (world prices given; SMART's default of 99)"
        if el.export_supply is None
        else f"export supply elasticity {el.export_supply}"
    )
    if el.products:
        notes.add(f"per-product elasticity overrides for {', '.join(sorted(el.products))}")
    return Elasticity(sigma, eps_m, eps_x, source)

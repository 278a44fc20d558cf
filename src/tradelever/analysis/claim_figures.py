"""Recompute the figures of a claims file from the data sets in the store.

:mod:`tradelever.analysis.claims` holds the schema and the comparison; this module supplies
its ``recompute(measure, parameters)`` from data. Which data set answers a claim:

``share_of_partner_imports``, ``partner_imports``
    With the US as the importer: ``census-us-2024`` (US imports for consumption by partner
    and HS10, 2024, the 50 largest suppliers and the EU-27 as one: 98.7% of US imports); or
    a world trade data set (BACI) when one is loaded and preferred by the claim.
``world_export_share``, ``export_share``
    A world trade data set (name starting with ``baci``, or one the claim names among its
    preferred data sets) in the store; without one the claim is ``not_checkable`` and the
    note names the data that would settle it.
``balance``
    With the US on one side and no products: ``census-us-trade`` (US general imports and
    total exports by partner, monthly, complete years 1985-2024); otherwise a world trade
    data set.

Among the data sets that can answer, the claim's preferred ones come first (in its order),
and among those one holding the claim's year; failing that the nearest year is used and the
check reports "year differs" (``not_checkable``). Formulas: see
:mod:`tradelever.analysis.claims` (``V(i, j, k)`` summed over the products ``K``; products
are matched at HS6, a group through its definition for the data set's HS revision).

Coverage of ``census-us-2024``: the denominator ``M(US, K)`` sums the covered suppliers only.
For the chapters of ``K`` the package records world imports and the covered part, so the
note bounds the share over all suppliers: ``V / (M + gap) <= share <= V / M``, ``gap`` being
the uncovered US imports of those chapters (all of which might be in ``K``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from tradelever.analysis.claims import (
    MEASURE_UNITS,
    ClaimCheck,
    Parameters,
    Products,
    Recomputed,
    check_claims,
    format_value,
    read_claims_file,
)
from tradelever.analysis.result import TableResult
from tradelever.errors import TradeleverError
from tradelever.options import Analysis, Option
from tradelever.store.dataset import DatasetView

__all__ = [
    "CHECK",
    "CHECK_COLUMNS",
    "ClaimData",
    "check_claims_result",
    "check_rows",
    "recompute",
]

US = "USA"
US_IMPORTS = "census-us-2024"
US_BALANCE = "census-us-trade"
_US_IMPORT_MEASURES = ("share_of_partner_imports", "partner_imports")
_WORLD_MEASURES = ("world_export_share", "export_share")
_WORLD_DATA = (
    "world trade by exporter, importer and HS6 product for the year (CEPII BACI, e.g. "
    "`tradelever fetch baci --release V202501 --hs HS22`, or UN Comtrade with every reporter)"
)

CHECK_COLUMNS = (
    "id",
    "verdict",
    "claimed",
    "recomputed",
    "unit",
    "difference",
    "year",
    "dataset",
    "measure",
    "text",
    "tolerance",
    "provenance",
    "notes",
)

CHECK = Analysis(
    name="check_claims",
    command="check",
    summary="Check the figures a research note quotes against the data",
    options=(
        Option(
            "path",
            str,
            help="Claims file (YAML; see examples/claims/).",
            argument=True,
            http=False,
            examples=("examples/claims/kenanga-2025-04-14.yaml",),
        ),
    ),
)


class ClaimData(Protocol):
    """What recomputation needs from a session: the data sets and their views."""

    def datasets(self) -> pd.DataFrame:
        """The store's data sets (a ``name`` column)."""
        ...

    def view(self, dataset: str) -> DatasetView:
        """The view of one data set."""
        ...


# -- choosing a data set -----------------------------------------------------------------------
def _revision(view: DatasetView) -> str:
    raw = view.manifest.raw
    return str(raw.get("hs_revision") or view.manifest.classification or "")


def _is_world(name: str, view: DatasetView, preferred: Sequence[str]) -> bool:
    """A product-level world trade data set (BACI, or one the claim names)."""
    if name.startswith(("census", "icio")) or view.manifest.is_industry:
        return False
    if "hs6" not in view.manifest.levels:
        return False
    return name.startswith("baci") or any(name.startswith(p) for p in preferred)


def _candidates(data: ClaimData, measure: str, params: Parameters) -> list[str]:
    names = [str(n) for n in data.datasets()["name"]]
    home = params.home or []
    out: list[str] = []
    for name in names:
        view = data.view(name)
        us_imports = measure in _US_IMPORT_MEASURES and params.partner == US and name == US_IMPORTS
        us_balance = (
            measure == "balance"
            and name == US_BALANCE
            and params.products is None
            and len(home) == 1
            and US in (params.partner, home[0])
            and params.partner != home[0]
        )
        if us_imports or us_balance or _is_world(name, view, params.datasets):
            out.append(name)

    def rank(name: str) -> tuple[int, str]:
        for i, pref in enumerate(params.datasets):
            if name.startswith(pref):
                return i, name
        return len(params.datasets), name

    return sorted(out, key=rank)


def _pick(data: ClaimData, names: list[str], year: int) -> tuple[str, int] | None:
    """The first data set holding ``year``, else the first one at its nearest year."""
    for name in names:
        if year in data.view(name).years:
            return name, year
    for name in names:
        years = data.view(name).years
        if years:
            return name, min(years, key=lambda y: (abs(y - year), -y))
    return None


# -- products --------------------------------------------------------------------------------
def _hs6_codes(view: DatasetView) -> list[str]:
    return view.memo(
        ("claim_hs6",), lambda: sorted({str(p)[:6] for p in view.product_codes() if len(p) >= 6})
    )


def _members(view: DatasetView, products: Products) -> tuple[list[str], list[str]]:
    """HS6 codes of the data set in the claim's products, and notes on the scope."""
    from tradelever.analysis.groups import default_groups, member_products, selector_table

    revision = _revision(view)
    codes = _hs6_codes(view)
    notes: list[str] = []
    if products.group is not None:
        group = default_groups()[products.group]
        if group.definition(revision) is None:
            raise LookupError(f"group {products.group!r} has no {revision} definition")
        selector = selector_table({products.group: group}, revision, codes)
        chosen = member_products(selector) if len(selector) else []
        notes.append(f"products: group {products.group} in its {revision} definition")
    else:
        include = tuple(products.hs or ())
        exclude = tuple(products.exclude)
        chosen = [c for c in codes if c.startswith(include) and not c.startswith(exclude or ("#",))]
        if products.revision and revision and products.revision != revision:
            notes.append(
                f"HS revision differs: the claim's codes are {products.revision}, the data "
                f"{revision}; codes matched as written"
            )
    return chosen, notes


# -- computations ----------------------------------------------------------------------------
def _coverage_gap(view: DatasetView, chapters: set[str]) -> tuple[float, str] | None:
    """Uncovered US imports of the chapters in ``census-us-2024``, and the coverage text."""
    if not view.has_table("coverage") or not chapters:
        return None
    cov = view.memo(("claim_coverage",), lambda: view.table("coverage").to_pandas())
    part = cov[cov["chapter"].astype(str).isin(chapters)]
    if part.empty:
        return None
    world = float(part["world_imports_usd"].sum())
    covered = float(part["covered_imports_usd"].sum())
    share = covered / world if world > 0 else float("nan")
    return max(world - covered, 0.0), (
        f"chapter{'s' if len(chapters) > 1 else ''} {', '.join(sorted(chapters))}: the covered "
        f"suppliers are {share:.1%} of US imports"
    )


def _value(frame: pd.DataFrame) -> float:
    return float(frame["value_usd"].sum()) if len(frame) else 0.0


def _import_figure(
    view: DatasetView, name: str, measure: str, params: Parameters, year: int
) -> Recomputed:
    unit = MEASURE_UNITS[measure]
    assert params.products is not None and params.partner is not None
    codes, notes = _members(view, params.products)
    if not codes:
        return Recomputed(
            None, unit, year, name, missing_reason=f"no product of the claim in {name}"
        )
    flows = view.table("flows")
    part = flows.filter(
        (flows["year"] == year)
        & (flows["importer"] == params.partner)
        & (flows["exporter"] != params.partner)
        & flows["product"].substr(0, 6).isin(codes)
    )
    frame = part.group_by("exporter").aggregate(value_usd=part["value_usd"].sum()).to_pandas()
    total = _value(frame)
    home = params.home or []
    suppliers = set(frame["exporter"].astype(str))
    if name == US_IMPORTS:
        absent = [h for h in home if h not in suppliers and h not in view.countries()]
        if absent:
            why = (
                "census-us-2024 records the EU-27 as one supplier (EUU), not its members"
                if any(a != "EUU" for a in absent)
                else ""
            )
            return Recomputed(
                None,
                unit,
                year,
                name,
                missing_reason=f"{', '.join(absent)} not among the suppliers of {name} "
                f"(the 50 largest and the EU-27 as one){'; ' + why if why else ''}",
            )
        notes.append(
            "census-us-2024: US imports for consumption (customs value) of the 50 largest "
            "suppliers and the EU-27 as one; HTS 2024 lines matched on their HS 2022 subheading"
        )
    home_value = _value(frame[frame["exporter"].isin(home)])
    gap = _coverage_gap(view, {c[:2] for c in codes}) if name == US_IMPORTS else None
    if measure == "partner_imports":
        value: float | None = total
        if gap is not None:
            notes.append(
                f"US imports from the covered suppliers only ({gap[1]}): a lower bound; all "
                f"suppliers give at most {format_value(total + gap[0], 'USD')}"
            )
    else:
        value = home_value / total if total > 0 else None
        if gap is not None and total > 0:
            notes.append(
                f"share of the covered suppliers' total ({gap[1]}); over all suppliers it is at "
                f"least {format_value(home_value / (total + gap[0]), 'share')} (were every "
                f"uncovered import of the chapters, {format_value(gap[0], 'USD')}, in these codes)"
            )
    return _result(view, name, value, unit, year, codes, notes)


def _result(
    view: DatasetView,
    name: str,
    value: float | None,
    unit: str,
    year: int,
    codes: Sequence[str],
    notes: list[str],
) -> Recomputed:
    return Recomputed(
        value=value,
        unit=unit,
        year=year,
        dataset=name,
        provenance=view.manifest.provenance(year),
        products=tuple(codes),
        notes=tuple(notes),
    )


def _world_figure(
    view: DatasetView, name: str, measure: str, params: Parameters, year: int
) -> Recomputed:
    unit = MEASURE_UNITS[measure]
    assert params.products is not None and params.home is not None
    codes, notes = _members(view, params.products)
    if not codes:
        return Recomputed(
            None, unit, year, name, missing_reason=f"no product of the claim in {name}"
        )
    flows = view.table("flows")
    exports = flows.filter((flows["year"] == year) & (flows["exporter"] != flows["importer"]))
    in_k = exports["product"].substr(0, 6).isin(codes)
    home = exports["exporter"].isin(params.home)
    if measure == "world_export_share":
        part = exports.filter(in_k)
        frame = part.group_by("exporter").aggregate(value_usd=part["value_usd"].sum()).to_pandas()
        world = _value(frame)
        value = _value(frame[frame["exporter"].isin(params.home)]) / world if world > 0 else None
        notes.append(f"world exports W(K): every exporter in {name}, {year}")
    else:
        part = exports.filter(home)
        frame = (
            part.mutate(in_k=in_k)
            .group_by("in_k")
            .aggregate(value_usd=part["value_usd"].sum())
            .to_pandas()
        )
        total = _value(frame)
        value = _value(frame[frame["in_k"]]) / total if total > 0 else None
        notes.append(f"denominator: all exports of {', '.join(params.home)} in {name}, {year}")
    return _result(view, name, value, unit, year, codes, notes)


def _balance_figure(view: DatasetView, name: str, params: Parameters, year: int) -> Recomputed:
    assert params.home is not None and params.partner is not None
    home, partner = params.home, params.partner
    if name == US_BALANCE:
        from tradelever.analysis.formula import annual_balance

        other = partner if home[0] == US else home[0]
        table = view.table("balance")
        part = table.filter((table["year"] == year) & (table["partner"] == other)).to_pandas()
        if part.empty:
            return Recomputed(
                None, "USD", year, name, missing_reason=f"{other} has no row in {name} for {year}"
            )
        months = sorted({int(m) for m in part["month"]})
        if months != list(range(1, 13)):
            return Recomputed(
                None,
                "USD",
                year,
                name,
                missing_reason=f"{name} holds {len(months)} months of {year}, not the full year",
            )
        row = annual_balance(part, year).iloc[0]
        us_exports, us_imports = float(row["exports_usd"]), float(row["imports_usd"])
        value = us_exports - us_imports if home[0] == US else us_imports - us_exports
        notes = [
            "census-us-trade: US general imports (customs value) and total exports (f.a.s.), "
            "goods, as first published in early 2025; the balance is read from the US record "
            "for both directions"
        ]
        return _result(view, name, value, "USD", year, (), notes)
    flows = view.table("flows")
    part = flows.filter(flows["year"] == year)
    if params.products is not None:
        codes, notes = _members(view, params.products)
        part = part.filter(part["product"].substr(0, 6).isin(codes))
    else:
        codes, notes = [], []
    out_ = part.filter(part["exporter"].isin(home) & (part["importer"] == partner))
    in_ = part.filter((part["exporter"] == partner) & part["importer"].isin(home))
    value = float(out_["value_usd"].sum().to_pandas() or 0.0) - float(
        in_["value_usd"].sum().to_pandas() or 0.0
    )
    return _result(view, name, value, "USD", year, codes, notes)


def recompute(data: ClaimData, measure: str, params: Parameters) -> Recomputed:
    """The claim's figure from the store (see the module docstring for the choice of data).

    Never raises for missing data: returns ``value=None`` with ``missing_reason`` naming
    the data that would settle the claim.
    """
    unit = MEASURE_UNITS[measure]
    names = _candidates(data, measure, params)
    picked = _pick(data, names, params.year)
    if picked is None:
        if measure in _WORLD_MEASURES:
            needs = _WORLD_DATA
        elif measure in _US_IMPORT_MEASURES:
            needs = f"imports of {params.partner} by partner and HS6 product ({_WORLD_DATA})"
        else:
            pair = f"{', '.join(params.home or [])} and {params.partner}"
            needs = f"bilateral trade of {pair} ({_WORLD_DATA})"
        return Recomputed(
            None,
            unit,
            params.year,
            None,
            missing_reason=f"needs {needs}; no such data set in the store",
        )
    name, year = picked
    view = data.view(name)
    try:
        if measure in _US_IMPORT_MEASURES:
            return _import_figure(view, name, measure, params, year)
        if measure in _WORLD_MEASURES:
            return _world_figure(view, name, measure, params, year)
        return _balance_figure(view, name, params, year)
    except (LookupError, TradeleverError) as exc:
        reason = exc.args[0] if exc.args else str(exc)
        return Recomputed(None, unit, year, name, missing_reason=str(reason))


# -- the result --------------------------------------------------------------------------------
def check_rows(checks: Sequence[ClaimCheck], texts: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """One row per claim: :meth:`ClaimCheck.to_row` plus ``measure`` and ``text``."""
    rows = []
    for check in checks:
        row = check.to_row()
        measure, text = texts[check.id]
        row["measure"] = measure
        row["text"] = text
        rows.append({k: row[k] for k in CHECK_COLUMNS})
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS), dtype=object)


def check_claims_result(data: ClaimData, path: str | Path) -> TableResult:
    """Check every claim of a claims file against the store; one row per claim.

    ``summary``: the file's title and source and the number of claims per verdict; each
    row's ``provenance`` is the data set of its recomputed figure.

    Raises
    ------
    DataFileError
        The claims file is missing or invalid (file, line and field named).
    """
    claims = read_claims_file(path)
    figure: Callable[[str, Parameters], Recomputed] = lambda m, p: recompute(data, m, p)  # noqa: E731
    checks = check_claims(claims, figure)
    texts = {c.id: (c.measure, c.text) for c in claims.claims}
    rows = check_rows(checks, texts)
    counts = {
        v: int((rows["verdict"] == v).sum()) for v in ("supported", "contradicted", "not_checkable")
    }
    used = sorted({c.dataset for c in checks if c.dataset})
    provenance: dict[str, Any] = {
        "claims": {"file": Path(path).name, "title": claims.title, "source": claims.source},
        **{name: data.view(name).manifest.provenance(None) for name in used},
    }
    return TableResult(
        kind="claims",
        params={"path": str(path)},
        rows=rows,
        provenance=provenance,
        assumptions=[
            "supported: the recomputed value is within the claim's stated tolerance; "
            "contradicted: outside it; not_checkable: no figure from the data, a measure trade "
            "data cannot settle (production, capacity, rankings), or another year or basis "
            "than the claim's (the value is still reported).",
            "A claim's year, products and data sets are read as its file states them; the "
            "notes repeat the ambiguities of scope recorded with each claim.",
        ],
        columns=CHECK_COLUMNS,
        summary={"title": claims.title, "claims": len(rows), **counts},
    )

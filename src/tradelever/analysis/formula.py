"""The US "reciprocal" tariff formula of 2 April 2025 and its inversion.

For a home country e and the partner p that sets the tariff (the United States), let
m = p's goods imports from e and x = p's goods exports to e (US dollars, one year). The
rate published in Annex I of Executive Order 14257 follows::

    deficit_over_imports = (m - x) / m
    formula_rate         = max(0.10, deficit_over_imports / 2)

(the USTR's stated method divides the bilateral deficit by imports times the product of
an import demand elasticity of 4 and a pass-through of 0.25, which is (m - x) / m, and
the announced "discounted" rate is half of that, with a floor of 10%).

Extra purchases d from the partner raise x to x + d. The purchases that bring the formula
rate down to a target t solve ``(m - (x + d)) / (2 m) = t``::

    d = m - x - 2 m t          (clipped at 0: nothing needed if the rate is already <= t)

Because the rate never falls below the 10% floor, a target t <= 0.10 needs
d = max(0, m - x - 0.2 m), the purchases that reach the floor.

Rounding. Annex I rates are whole percentages. :func:`whole_percent` rounds the formula
rate *up* to the next whole percent (ceiling); :func:`nearest_percent` rounds to the
nearest; ``formula_rate`` itself is unrounded. On the US Census 2024 goods balance in the
vintage the rates were set from (``census-us-trade``), :func:`annex_i_rate` is the
computation that reproduces the most listed rates: round (m - x) / m to a whole percent
(halves up), halve, round up, floor 10%. It matches 68 of the 71 partners of the enforced
Annex I (revised on 3 April 2025); the misses are Viet Nam (45 against 46), Japan (23
against 24) and Afghanistan (25 against 10, one of the partners listed at the 10%
baseline). The Annex I first posted on 2 April followed the ceiling of the unrounded half
instead (:func:`whole_percent`): 56 of its 57 partners, Switzerland the miss (31 against
32). :func:`annex_match_table` gives the comparison row by row. ``tradelever
formula-annex`` (:func:`annex_reproduction`) sets both roundings against every Annex I
rate on whatever data set is loaded: on ``icio2022`` (intermediate goods, 2022) neither
reproduces the rates (about one entry in nine matches), because the intermediate-goods
deficit is not the goods deficit.

On the embedded ``icio2022`` network, m and x are intermediate goods only (the network has
no bilateral final demand) and are restricted to the goods industries of
:data:`ICIO_GOODS_INDUSTRIES`, so they understate total goods trade.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.analysis.request import DATASET, HOME, PARTNER, YEAR, Request
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Analysis, Option

__all__ = [
    "ANNEX_COLUMNS",
    "ANNEX_MATCH_COLUMNS",
    "ANNEX_VERSIONS",
    "FLOOR_RATE",
    "FORMULA",
    "FORMULA_ANNEX",
    "ICIO_GOODS_INDUSTRIES",
    "AnnexEntry",
    "AnnexRate",
    "additional_exports_needed",
    "annex_entries",
    "annex_i_rate",
    "annex_match_table",
    "annex_reproduction",
    "announced_rate",
    "annual_balance",
    "bilateral_balance",
    "bilateral_goods_trade",
    "deficit_over_imports",
    "formula",
    "formula_annex",
    "formula_from_figures",
    "formula_rate",
    "goods_codes",
    "nearest_percent",
    "partner_trade_by_country",
    "whole_percent",
]

FLOOR_RATE: Final = 0.10
ANNEX_PARTNER: Final = "USA"

# ISIC Rev.4 sections A (agriculture, forestry, fishing), B (mining, except B09 mining
# support *services*) and C (manufacturing) of the OECD ICIO 2025 release: the industries
# whose output crosses borders as goods that US customs records. D (electricity, gas,
# steam) is left out: it is a utility sector whose trade is mostly not customs goods trade
# (and electricity is a negligible share of US-Asia trade).
ICIO_GOODS_INDUSTRIES: Final = (
    "A01",
    "A02",
    "A03",
    "B05",
    "B06",
    "B07",
    "B08",
    "C10T12",
    "C13T15",
    "C16",
    "C17_18",
    "C19",
    "C20",
    "C21",
    "C22",
    "C23",
    "C24A",
    "C24B",
    "C25",
    "C26",
    "C27",
    "C28",
    "C29",
    "C301",
    "C302T309",
    "C31T33",
)


def goods_codes(level: str) -> tuple[str, ...] | None:
    """Codes that count as goods at a level (``None``: every code is a good, as for HS)."""
    return ICIO_GOODS_INDUSTRIES if level == "industry" else None


def _check_amount(value: float, parameter: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number (US dollars)", parameter=parameter) from None
    if not math.isfinite(v) or v < 0:
        raise InputError(
            f"must be a finite amount >= 0 in US dollars, got {value}", parameter=parameter
        )
    return v


def deficit_over_imports(m: float, x: float) -> float:
    """Bilateral deficit over imports, (m - x) / m (dimensionless; NaN when m = 0).

    Parameters
    ----------
    m
        Partner's goods imports from home, US dollars.
    x
        Partner's goods exports to home, US dollars.
    """
    m = _check_amount(m, "imports")
    x = _check_amount(x, "exports")
    return (m - x) / m if m > 0 else float("nan")


def formula_rate(m: float, x: float, floor: float = FLOOR_RATE) -> float:
    """Reciprocal rate max(floor, (m - x) / (2 m)); the floor when m = 0 (no deficit)."""
    ratio = deficit_over_imports(m, x)
    if math.isnan(ratio):
        return floor
    return max(floor, ratio / 2.0)


def whole_percent(rate: float) -> float:
    """Round a rate up to the next whole percent: ceil(100 r) / 100 (0.2361 -> 0.24).

    A tolerance of 1e-9 keeps exact whole percentages (0.24) from rounding up.
    """
    return math.ceil(100.0 * rate - 1e-9) / 100.0


def additional_exports_needed(m: float, x: float, target: float) -> float:
    """Extra partner exports d to home (US dollars) that bring the formula rate to ``target``.

    ``d = max(0, m - x - 2 m max(target, 0.10))``: solving (m - (x + d)) / (2 m) = t.
    Targets below the 10% floor are treated as the floor (the rate cannot go lower).

    Raises
    ------
    InputError
        If ``target`` is not in [0, 1).
    """
    m = _check_amount(m, "imports")
    x = _check_amount(x, "exports")
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise InputError(f"{target!r} is not a number", parameter="target_rate") from None
    if not (0.0 <= t < 1.0):
        raise InputError(
            f"{target} is not a rate between 0 and 1 (e.g. 0.15 for 15%)",
            parameter="target_rate",
        )
    t = max(t, FLOOR_RATE)
    return max(0.0, m - x - 2.0 * m * t)


@dataclass(frozen=True)
class AnnexRate:
    """A rate of Annex I of EO 14257 (2 April 2025) with its source."""

    iso3: str
    partner_name: str
    rate: float
    source: str


def _annex_table() -> dict[str, AnnexRate]:
    """ISO3 -> Annex I rate (EU members get the European Union's row)."""
    return {
        iso3: AnnexRate(iso3, e.partner_name, e.rate, e.source)
        for e in annex_entries()
        for iso3 in e.members
    }


def announced_rate(home: str, partner: str = ANNEX_PARTNER) -> AnnexRate | None:
    """The Annex I (2 April 2025) rate the US announced for ``home``, if listed.

    EU member states get the European Union's rate. ``None`` when ``partner`` is not the
    United States or ``home`` is not listed (Canada and Mexico were not in Annex I;
    unlisted partners paid the 10% baseline of EO 14257).
    """
    if partner != ANNEX_PARTNER:
        return None
    if home in ("EU27", "EUU"):
        return next(
            AnnexRate("EU27", e.partner_name, e.rate, e.source)
            for e in annex_entries()
            if e.code == "EU27"
        )
    return _annex_table().get(home)


def bilateral_goods_trade(
    coded: Any, *, home: str | list[str], partner: str, codes: tuple[str, ...] | None
) -> pd.DataFrame:
    """Partner's goods imports from and exports to home, by year (one Ibis query).

    ``home`` may be a list of countries (a group such as the EU), in which case m and x
    are summed over the members (trade among members is not counted: only flows with the
    partner enter).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``partner_imports_from_home_usd`` (m), ``partner_exports_to_home_usd``
        (x), sorted by year; years with no flow in either direction are absent.
    """
    members = [home] if isinstance(home, str) else list(home)
    t = coded
    if codes is not None:
        t = t.filter(t["code"].isin(list(codes)))
    from_home = t[f.EXPORTER].isin(members) & (t[f.IMPORTER] == partner)
    to_home = (t[f.EXPORTER] == partner) & t[f.IMPORTER].isin(members)
    t = t.filter(from_home | to_home)
    v = t[f.VALUE_USD]
    out = (
        t.group_by(f.YEAR)
        .aggregate(
            partner_imports_from_home_usd=v.sum(where=t[f.EXPORTER].isin(members)),
            partner_exports_to_home_usd=v.sum(where=t[f.EXPORTER] == partner),
        )
        .to_pandas()
    )
    for col in ("partner_imports_from_home_usd", "partner_exports_to_home_usd"):
        out[col] = out[col].astype(float).fillna(0.0)
    out[f.YEAR] = out[f.YEAR].astype(int)
    if len(out) and not (out["partner_exports_to_home_usd"] > 0).any():
        _require_partner_exports(coded, partner)
    return out.sort_values(f.YEAR).reset_index(drop=True)


def _require_partner_exports(coded: Any, partner: str) -> None:
    """Raise when the data set holds no export of the partner at all: x is unknown, not 0.

    A single-reporter data set (``census-us-2024``: US imports only) would otherwise give
    x = 0 and the 50% maximum rate. Called only when x is 0, so it costs one query then.
    """
    shipped = coded.filter(coded[f.EXPORTER] == partner).limit(1).count().to_pandas()
    if int(shipped) == 0:
        raise InputError(
            f"--dataset: the data set holds no exports of {partner}, so x (the partner's "
            f"exports) is unknown, not zero; use census-us-trade (the US goods balance) or "
            "give --imports and --exports"
        )


@dataclass(frozen=True)
class AnnexEntry:
    """One row of Annex I: a partner (country or the European Union) and its rate."""

    code: str
    partner_name: str
    members: tuple[str, ...]
    rate: float
    source: str


@cache
def annex_entries() -> tuple[AnnexEntry, ...]:
    """The rows of Annex I as shipped in ``data/reciprocal_rates_2025.csv``.

    The European Union is one entry (code ``EU27``) whose members are the 27 member states.
    """
    from tradelever.reference.countries import group_members

    text = (
        resources.files("tradelever.data").joinpath("reciprocal_rates_2025.csv").read_text("utf-8")
    )
    out = []
    for row in csv.DictReader(text.splitlines()):
        code = row["iso3"]
        members = group_members(code) if code == "EU27" else (code,)
        rate = float(row["annex_i_rate_percent"]) / 100.0
        out.append(AnnexEntry(code, row["partner_name"], tuple(members), rate, row["source"]))
    return tuple(out)


def partner_trade_by_country(
    coded: Any, *, partner: str, year: int, codes: tuple[str, ...] | None
) -> pd.DataFrame:
    """Partner's goods imports from (m) and exports to (x) every country in one year.

    One Ibis query. Returns ``country``, ``partner_imports_from_home_usd``,
    ``partner_exports_to_home_usd`` (zero where there is no flow).
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    if codes is not None:
        t = t.filter(t["code"].isin(list(codes)))
    t = t.filter((t[f.IMPORTER] == partner) | (t[f.EXPORTER] == partner))
    frame = t.group_by([f.EXPORTER, f.IMPORTER]).aggregate(v=t[f.VALUE_USD].sum()).to_pandas()
    m = frame[frame[f.IMPORTER] == partner].groupby(f.EXPORTER)["v"].sum()
    x = frame[frame[f.EXPORTER] == partner].groupby(f.IMPORTER)["v"].sum()
    if len(m) and not (x > 0).any():
        _require_partner_exports(coded, partner)
    idx = m.index.union(x.index)
    return pd.DataFrame(
        {
            "country": idx.astype(str),
            "partner_imports_from_home_usd": m.reindex(idx).fillna(0.0).astype(float).values,
            "partner_exports_to_home_usd": x.reindex(idx).fillna(0.0).astype(float).values,
        }
    )


def nearest_percent(rate: float) -> float:
    """Round a rate to the nearest whole percent, halves up: floor(100 r + 0.5) / 100."""
    return math.floor(100.0 * rate + 0.5 + 1e-9) / 100.0


ANNEX_COLUMNS: Final = (
    "code",
    "partner_name",
    "members_covered",
    "partner_imports_from_home_usd",
    "partner_exports_to_home_usd",
    "deficit_over_imports",
    "formula_rate",
    "formula_rate_whole_percent",
    "formula_rate_nearest_percent",
    "announced_rate",
    "difference",
    "matches_rounded_up",
    "matches_nearest",
)


def annex_reproduction(trade: pd.DataFrame, available: set[str]) -> tuple[pd.DataFrame, list]:
    """Compare the formula on ``trade`` with every Annex I rate whose partner is covered.

    Parameters
    ----------
    trade
        Output of :func:`partner_trade_by_country` (partner = USA).
    available
        Countries in the data set.

    Returns
    -------
    (pandas.DataFrame, list)
        Rows of :data:`ANNEX_COLUMNS` (``difference`` = rounded-up formula rate minus the
        announced rate) and the codes of Annex I entries with no member in the data set.
    """
    by_country = trade.set_index("country")
    rows = []
    skipped = []
    for entry in annex_entries():
        members = [c for c in entry.members if c in available]
        if not members:
            skipped.append(entry.code)
            continue
        part = by_country.reindex(members).fillna(0.0)
        m = float(part["partner_imports_from_home_usd"].sum())
        x = float(part["partner_exports_to_home_usd"].sum())
        rate = formula_rate(m, x)
        up, near = whole_percent(rate), nearest_percent(rate)
        rows.append(
            {
                "code": entry.code,
                "partner_name": entry.partner_name,
                "members_covered": len(members),
                "partner_imports_from_home_usd": m,
                "partner_exports_to_home_usd": x,
                "deficit_over_imports": deficit_over_imports(m, x),
                "formula_rate": rate,
                "formula_rate_whole_percent": up,
                "formula_rate_nearest_percent": near,
                "announced_rate": entry.rate,
                "difference": round(up - entry.rate, 6),
                "matches_rounded_up": math.isclose(up, entry.rate, abs_tol=1e-9),
                "matches_nearest": math.isclose(near, entry.rate, abs_tol=1e-9),
            }
        )
    return pd.DataFrame(rows, columns=list(ANNEX_COLUMNS)), skipped


def formula_rows(trade: pd.DataFrame, target: float | None) -> pd.DataFrame:
    """Apply the formula to a table of ``partner_imports_from_home_usd`` (m) and exports (x).

    Adds ``deficit_usd`` (m - x), ``deficit_over_imports``, ``formula_rate``,
    ``formula_rate_whole_percent`` and, with a target, ``additional_partner_exports_needed_usd``.
    """
    out = trade.copy()
    m = out["partner_imports_from_home_usd"].astype(float)
    x = out["partner_exports_to_home_usd"].astype(float)
    out["deficit_usd"] = m - x
    out["deficit_over_imports"] = [deficit_over_imports(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate"] = [formula_rate(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate_whole_percent"] = [whole_percent(r) for r in out["formula_rate"]]
    if target is not None:
        out["additional_partner_exports_needed_usd"] = [
            additional_exports_needed(a, b, target) for a, b in zip(m, x, strict=True)
        ]
    return out


# -- the analyses: options, orchestration, assumptions --------------------------------------
TARGET_RATE = Option(
    "target_rate",
    float | None,
    None,
    "Target rate (e.g. 0.15): purchases needed to reach it.",
    ge=0.0,
    lt=1.0,
)
FORMULA = Analysis(
    name="formula",
    command="formula",
    summary='The US "reciprocal" tariff formula of April 2025, with a what-if on purchases',
    options=(
        HOME.but(help="Home country, ISO3 (e.g. MYS), or a group (EU27) summed over its members."),
        PARTNER.but(default=ANNEX_PARTNER, help="Country setting the tariff (ISO3)."),
        DATASET,
        YEAR,
        Option(
            "imports_usd",
            float | None,
            None,
            "m: partner's goods imports from home, US dollars.",
            flag="--imports",
            query="imports",
            gt=0.0,
        ),
        Option(
            "exports_usd",
            float | None,
            None,
            "x: partner's goods exports to home, US dollars.",
            flag="--exports",
            query="exports",
            ge=0.0,
        ),
        TARGET_RATE,
    ),
    home_groups=True,
)
FORMULA_ANNEX = Analysis(
    name="formula_annex",
    command="formula-annex",
    summary="The reciprocal formula for every Annex I partner against the announced rate",
    options=(DATASET, YEAR),
)
_FORMULA_COLUMNS: Final = (
    "year",
    "partner_imports_from_home_usd",
    "partner_exports_to_home_usd",
    "deficit_usd",
    "deficit_over_imports",
    "formula_rate",
    "formula_rate_whole_percent",
)
_GOODS_NOTE: Final = (
    "goods only: m and x sum the ICIO goods industries A01-B08 and C10T12-C31T33 "
    "(agriculture, mining except mining support services, manufacturing); "
    "services, utilities (D) and construction are excluded. icio2022 holds "
    "intermediate flows only, so m and x understate total goods trade and the "
    "formula rate can differ from the rate computed on customs data"
)


def formula(request: Request, *, target_rate: float | None = None) -> TableResult:
    """The reciprocal formula for home from the data set: one row per year, summary for one.

    m and x are the partner's goods imports from and exports to home (a group's members
    summed, trade among them not counted) in every year of the data set; the summary is
    for the request's year.
    """
    FORMULA.check(target_rate=target_rate)
    if target_rate is not None:
        additional_exports_needed(1.0, 0.0, target_rate)  # validates the target
    home, partner = str(request.home), str(request.partner)
    goods = goods_codes(request.level)
    trade = bilateral_goods_trade(
        request.coded, home=list(request.members or ()) or home, partner=partner, codes=goods
    )
    if request.year not in set(trade["year"]):
        raise InputError(
            f"no goods trade between {home} and {partner} in {request.dataset} {request.year}; "
            "the formula needs the partner's imports from home",
            parameter="home",
        )
    params = request.params(home=home, partner=partner)
    assumptions = [*request.assumptions]
    if request.members is not None:
        params["members"] = list(request.members)
        assumptions.append(
            f"home {home}: m and x summed over its {len(request.members)} members in "
            f"{request.dataset} (trade among members not counted)"
        )
    if goods is not None:
        assumptions.append(_GOODS_NOTE)
    else:
        assumptions.append("m and x sum every product code of the data set (goods)")
    provenance = {**request.provenance, "years": [int(y) for y in trade["year"]]}
    return _formula_result(
        trade, home, partner, params, provenance, assumptions, request.year, target_rate
    )


def formula_from_figures(
    home: str,
    partner: str = ANNEX_PARTNER,
    *,
    imports_usd: float | None,
    exports_usd: float | None,
    year: int | None = None,
    target_rate: float | None = None,
) -> TableResult:
    """The reciprocal formula from given m (``imports_usd``) and x (``exports_usd``).

    No data set is read; ``home`` and ``partner`` are checked against tradelever's list of
    countries and ``year`` is only a label.
    """
    from tradelever.reference.countries import resolve_country

    FORMULA.check(imports_usd=imports_usd, exports_usd=exports_usd, target_rate=target_rate)
    if target_rate is not None:
        additional_exports_needed(1.0, 0.0, target_rate)
    if imports_usd is None or exports_usd is None:
        missing = "exports_usd" if exports_usd is None else "imports_usd"
        raise InputError(
            "give both imports and exports (the partner's goods imports from and exports to "
            "home, US dollars)",
            parameter=missing,
        )
    m = _check_amount(imports_usd, "imports_usd")
    x = _check_amount(exports_usd, "exports_usd")
    if m <= 0:
        raise InputError("the partner's imports from home must be > 0", parameter="imports_usd")
    home_code = resolve_country(home, None, parameter="home")
    partner_code = resolve_country(partner, None, parameter="partner")
    if home_code == partner_code:
        raise InputError(
            f"must be a different country from home ({home_code})", parameter="partner"
        )
    trade = pd.DataFrame(
        {
            "year": [year],
            "partner_imports_from_home_usd": [m],
            "partner_exports_to_home_usd": [x],
        }
    )
    params: dict[str, Any] = {
        "home": home_code,
        "partner": partner_code,
        "dataset": None,
        "year": year,
        "level": None,
    }
    provenance: dict[str, Any] = {"source": "imports and exports given by the user"}
    assumptions = [
        "m and x given by the user (partner's goods imports from and exports to home, US dollars)"
    ]
    return _formula_result(
        trade, home_code, partner_code, params, provenance, assumptions, year, target_rate
    )


def _formula_result(
    trade: pd.DataFrame,
    home: str,
    partner: str,
    params: dict[str, Any],
    provenance: dict[str, Any],
    assumptions: list[str],
    selected_year: int | None,
    target_rate: float | None,
) -> TableResult:
    """Rows, summary and the assumption sentences common to both ways of getting m and x."""
    rows = formula_rows(trade, target_rate)
    sel = rows[rows["year"].eq(selected_year)] if selected_year is not None else rows
    rec = (sel if len(sel) else rows).iloc[-1]
    annex = announced_rate(home, partner)
    summary: dict[str, Any] = {
        "partner_imports_from_home_usd": float(rec["partner_imports_from_home_usd"]),
        "partner_exports_to_home_usd": float(rec["partner_exports_to_home_usd"]),
        "deficit_usd": float(rec["deficit_usd"]),
        "deficit_over_imports": float(rec["deficit_over_imports"]),
        "formula_rate": float(rec["formula_rate"]),
        "formula_rate_whole_percent": float(rec["formula_rate_whole_percent"]),
        "announced_rate": annex.rate if annex else None,
        "announced_rate_source": annex.source if annex else None,
    }
    if target_rate is not None:
        summary["target_rate"] = float(target_rate)
        summary["additional_partner_exports_needed_usd"] = float(
            rec["additional_partner_exports_needed_usd"]
        )
    assumptions.append(
        "formula_rate = max(0.10, (m - x) / (2 m)) (EO 14257 method: deficit over imports, "
        "halved, floor 10%); formula_rate_whole_percent rounds it up to a whole percent, as "
        "Annex I rates are whole percentages"
    )
    if annex is None:
        assumptions.append(
            "announced_rate: none: "
            + (
                "Annex I of EO 14257 lists US rates only"
                if partner != ANNEX_PARTNER
                else f"{home} is not listed in Annex I (unlisted partners paid the 10% "
                "baseline; Canada and Mexico were under separate IEEPA orders)"
            )
        )
    else:
        note = " (the European Union's rate)" if annex.partner_name == "European Union" else ""
        assumptions.append(f"announced_rate: Annex I of EO 14257, 2 April 2025{note}")
    if target_rate is not None:
        assumptions.append(
            "additional_partner_exports_needed_usd = max(0, m - x - 2 m t): extra purchases "
            "from the partner that bring formula_rate to the target t, imports unchanged"
        )
        if target_rate <= FLOOR_RATE:
            assumptions.append(
                "the target is at or below the 10% floor: the formula never goes below 10%, "
                "so the figure is the purchases that bring the rate to the floor"
            )
    columns = [*_FORMULA_COLUMNS]
    if target_rate is not None:
        columns.append("additional_partner_exports_needed_usd")
    return TableResult(
        kind="formula",
        params={**params, "target_rate": target_rate},
        rows=rows,
        provenance=provenance,
        assumptions=assumptions,
        columns=tuple(columns),
        summary=summary,
    )


def formula_annex(request: Request) -> TableResult:
    """The formula on a data set for every Annex I partner, against the announced rate.

    One row per Annex I entry with a member in the data set (the European Union as one
    entry, its members' trade summed); shows how often rounding up and rounding to the
    nearest whole percent reproduce the announced rates. See :func:`annex_reproduction`.
    """
    partner = str(request.partner)
    goods = goods_codes(request.level)
    trade = partner_trade_by_country(request.coded, partner=partner, year=request.year, codes=goods)
    rows, skipped = annex_reproduction(trade, set(request.view.countries()))
    n = len(rows)
    summary = {
        "entries": n,
        "share_matching_rounded_up": float(rows["matches_rounded_up"].mean()) if n else None,
        "share_matching_nearest": float(rows["matches_nearest"].mean()) if n else None,
        "mean_absolute_difference": float(rows["difference"].abs().mean()) if n else None,
        "skipped": skipped,
    }
    assumptions = [
        *request.assumptions,
        "formula_rate = max(0.10, (m - x) / (2 m)) with m, x the US goods imports from and "
        "exports to the partner in the data set; difference = rounded-up rate - announced",
        "Annex I rates were computed by the US from 2024 US Census goods trade; a data set "
        "of another year, scope or valuation will not reproduce them exactly",
    ]
    if goods is not None:
        assumptions.append(
            "icio2022: intermediate goods only (goods industries A01-B08, C10T12-C31T33), "
            "2022: the formula here measures the intermediate-goods deficit, which differs "
            "widely from the total goods deficit (final goods such as consumer electronics, "
            "clothing and cars are missing)"
        )
    return TableResult(
        kind="formula_annex",
        params={"partner": partner, **request.params()},
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=ANNEX_COLUMNS,
        summary=summary,
    )


# -- the Annex I computation on the US Census balance (census-us-trade) --------------------
#: ``revised``: Annex I as revised on 3 April 2025 and enforced (the rates of
#: ``data/reciprocal_rates_2025.csv``); ``first``: Annex I as first posted on 2 April 2025.
ANNEX_VERSIONS: Final = ("revised", "first")


def _half_up(value: float) -> int:
    """Round to the nearest integer, halves up (47.5 -> 48); 1e-9 absorbs binary noise."""
    return math.floor(value + 0.5 + 1e-9)


def annex_i_rate(m: float, x: float, *, version: str = "revised") -> float:
    """The Annex I rate computed from US goods imports m and exports x, as the US did.

    Of the computations tried on the Census 2024 balance (``census-us-trade``; half the
    deficit over imports rounded up, to the nearest or down, rounded before or after
    halving, on full-precision or published US$ million figures), these reproduce the most
    Annex I rates (68 of the 71 listed partners in each version)::

        revised:  p    = round_half_up(100 (m - x) / m)       whole percent, the "tariffs
                                                              charged to the USA" of the
                                                              2 April chart
                  rate = max(10, ceil(p / 2)) / 100
        first:    rate = max(10, ceil(100 (m - x) / (2 m))) / 100

    When m <= x (no deficit) the rate is the 10% floor.

    Parameters
    ----------
    m, x
        US goods imports from and exports to the partner in one year (US dollars, Census
        basis: general imports, customs value; total exports, f.a.s.).
    version
        ``revised`` (3 April 2025, enforced) or ``first`` (as first posted on 2 April).

    Raises
    ------
    InputError
        If an amount is negative or not finite, or the version is unknown.
    """
    m = _check_amount(m, "imports")
    x = _check_amount(x, "exports")
    if version not in ANNEX_VERSIONS:
        raise InputError(f"version: {version!r} is not one of {', '.join(ANNEX_VERSIONS)}")
    floor = round(100 * FLOOR_RATE)
    if m <= 0 or x >= m:
        return FLOOR_RATE
    ratio = 100.0 * (m - x) / m
    if version == "revised":
        percent = math.ceil(_half_up(ratio) / 2.0 - 1e-9)
    else:
        percent = math.ceil(ratio / 2.0 - 1e-9)
    return max(floor, percent) / 100.0


def annual_balance(balance: pd.DataFrame, year: int) -> pd.DataFrame:
    """US imports (m) and exports (x) per partner in one calendar year, from monthly rows.

    Parameters
    ----------
    balance
        The ``balance`` table of ``census-us-trade`` (``partner``, ``year``, ``month``,
        ``imports_usd``, ``exports_usd``, optionally ``name`` and ``aggregate``), or any
        part of it holding the year.
    year
        A calendar year whose twelve months are in the table.

    Returns
    -------
    pandas.DataFrame
        ``partner`` (, ``name``, ``aggregate``), ``imports_usd`` (m) and ``exports_usd``
        (x), US dollars, sorted by partner.

    Raises
    ------
    InputError
        If the year is absent or incomplete (the workbook's last year holds a few months).
    """
    part = balance[balance["year"].astype(int) == int(year)]
    months = sorted({int(v) for v in part["month"]})
    if months != list(range(1, 13)):
        years = sorted({int(v) for v in balance["year"]})
        span = f"{years[0]}-{years[-1]}" if years else "none"
        got = f"months {months[0]}-{months[-1]} only" if months else "no month"
        raise InputError(
            f"--year: {year} has {got} in the balance table (years {span}); the formula "
            "needs a complete calendar year"
        )
    keys = [c for c in ("partner", "name", "aggregate") if c in part.columns]
    out = part.groupby(keys, as_index=False, sort=True)[["imports_usd", "exports_usd"]].sum()
    out["imports_usd"] = out["imports_usd"].astype(float)
    out["exports_usd"] = out["exports_usd"].astype(float)
    return out.reset_index(drop=True)


def bilateral_balance(
    balance: pd.DataFrame, partner: str, *, frequency: str = "month"
) -> pd.DataFrame:
    """US trade with one partner over time: m, x, the balance and the formula inputs.

    Returns ``year`` (and ``month`` when ``frequency="month"``), ``imports_usd`` (m),
    ``exports_usd`` (x), ``balance_usd`` = x - m (negative: a US deficit) and
    ``deficit_over_imports`` = (m - x) / m (NaN when m = 0). With ``frequency="year"``
    only complete years are returned.

    Raises
    ------
    InputError
        If the partner has no row or the frequency is not ``month`` or ``year``.
    """
    if frequency not in ("month", "year"):
        raise InputError(f"frequency: {frequency!r} is not 'month' or 'year'")
    rows = balance[balance["partner"] == partner]
    if rows.empty:
        raise InputError(f"--partner: {partner} has no row in the balance table")
    if frequency == "year":
        counts = rows.groupby("year")["month"].nunique()
        rows = rows[rows["year"].isin(counts[counts == 12].index)]
        keys = ["year"]
    else:
        keys = ["year", "month"]
    out = rows.groupby(keys, as_index=False)[["imports_usd", "exports_usd"]].sum()
    m = out["imports_usd"].astype(float)
    x = out["exports_usd"].astype(float)
    out["balance_usd"] = x - m
    out["deficit_over_imports"] = ((m - x) / m.where(m > 0)).astype(float)
    return out.sort_values(keys).reset_index(drop=True)


ANNEX_MATCH_COLUMNS: Final = (
    "partner",
    "partner_name",
    "m",
    "x",
    "deficit_over_imports",
    "computed",
    "announced",
    "match",
    "gap",
)


def annex_match_table(
    trade: pd.DataFrame,
    *,
    version: str = "revised",
    announced: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The Annex I computation for every listed partner the data cover, against the rate.

    Parameters
    ----------
    trade
        ``partner``, ``imports_usd`` (m) and ``exports_usd`` (x) per partner code for one
        year (:func:`annual_balance`). The European Union is read from its aggregate row
        ``EUU`` when present, else summed over the member states present.
    version
        Computation of :func:`annex_i_rate`.
    announced
        Annex code -> announced rate (fraction) to compare with; default the package's
        Annex I (the revised annex, :func:`annex_entries`). Pass the first-posted rates to
        check ``version="first"`` against them.

    Returns
    -------
    (pandas.DataFrame, list[str])
        Rows of :data:`ANNEX_MATCH_COLUMNS` in Annex I order (``partner`` is the data
        code: ``EUU`` for the European Union; ``m`` and ``x`` in US dollars; ``computed``
        and ``announced`` fractions; ``gap`` = computed - announced), and the Annex I codes
        with no data.
    """
    by_code = trade.set_index(trade["partner"].astype(str))
    rates = dict(announced) if announced is not None else {e.code: e.rate for e in annex_entries()}
    rows, missing = [], []
    for entry in annex_entries():
        if entry.code not in rates:
            continue
        if entry.code == "EU27" and "EUU" in by_code.index:
            codes = ["EUU"]
        else:
            codes = [c for c in entry.members if c in by_code.index]
        if not codes:
            missing.append(entry.code)
            continue
        m = float(by_code.loc[codes, "imports_usd"].sum())
        x = float(by_code.loc[codes, "exports_usd"].sum())
        computed = annex_i_rate(m, x, version=version)
        rate = float(rates[entry.code])
        rows.append(
            {
                "partner": "EUU" if entry.code == "EU27" else entry.code,
                "partner_name": entry.partner_name,
                "m": m,
                "x": x,
                "deficit_over_imports": deficit_over_imports(m, x),
                "computed": computed,
                "announced": rate,
                "match": math.isclose(computed, rate, abs_tol=1e-9),
                "gap": round(computed - rate, 6),
            }
        )
    return pd.DataFrame(rows, columns=list(ANNEX_MATCH_COLUMNS)), missing

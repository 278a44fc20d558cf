"""The ``formula`` analysis: the reciprocal rate for one home country, and the what-if.

m and x come from a data set (one row per year; the summary for the request's year) or are
given by the caller (:func:`formula_from_figures`). With the United States as partner and
no data set given, the data set is ``census-us-trade``, the Census goods balance by partner
in the vintage the 2 April 2025 rates were computed from: for Malaysia in 2024, m =
US$52,534.8 mn and x = US$27,704.8 mn give (m - x) / m = 47.3%, a formula rate of 23.6%
and, computed as the US did (:func:`~tradelever.analysis.formula.annex.annex_i_rate`), the
announced 24%.

Each row carries ``formula_rate`` (unrounded), ``formula_rate_whole_percent`` (rounded
up), ``annex_method_rate`` (the US computation) and, with a target rate, the purchases
that reach it (:mod:`tradelever.analysis.formula.purchases`).
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.analysis.balance import bilateral_goods_trade, goods_codes
from tradelever.analysis.formula.annex import annex_i_rate, announced_rate
from tradelever.analysis.formula.purchases import (
    TARGET_RATE,
    additional_exports_needed,
    check_target,
)
from tradelever.analysis.formula.rate import (
    ANNEX_PARTNER,
    FLOOR_RATE,
    check_amount,
    deficit_over_imports,
    formula_rate,
    whole_percent,
)
from tradelever.analysis.request import DATASET_BY_QUESTION, HOME, PARTNER, YEAR, Request
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Analysis, Option
from tradelever.reference.countries import EU_AGGREGATE, EU_ALIASES

__all__ = ["FORMULA", "FORMULA_COLUMNS", "formula", "formula_from_figures", "formula_rows"]


def formula_rows(trade: pd.DataFrame, target: float | None) -> pd.DataFrame:
    """Apply the formula to a table of ``partner_imports_from_home_usd`` (m) and exports (x).

    Adds ``deficit_usd`` (m - x), ``deficit_over_imports``, ``formula_rate``,
    ``formula_rate_whole_percent``, ``annex_method_rate`` (the computation the US used,
    :func:`~tradelever.analysis.formula.annex.annex_i_rate`) and, with a target,
    ``additional_partner_exports_needed_usd``.
    """
    out = trade.copy()
    m = out["partner_imports_from_home_usd"].astype(float)
    x = out["partner_exports_to_home_usd"].astype(float)
    out["deficit_usd"] = m - x
    out["deficit_over_imports"] = [deficit_over_imports(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate"] = [formula_rate(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate_whole_percent"] = [whole_percent(r) for r in out["formula_rate"]]
    out["annex_method_rate"] = [annex_i_rate(a, b) for a, b in zip(m, x, strict=True)]
    if target is not None:
        out["additional_partner_exports_needed_usd"] = [
            additional_exports_needed(a, b, target) for a, b in zip(m, x, strict=True)
        ]
    return out


FORMULA = Analysis(
    name="formula",
    command="formula",
    summary='The US "reciprocal" tariff formula of April 2025, with a what-if on purchases',
    options=(
        HOME.but(help="Home country, ISO3 (e.g. MYS), or a group (EU27) summed over its members."),
        PARTNER.but(default=ANNEX_PARTNER, help="Country setting the tariff (ISO3)."),
        DATASET_BY_QUESTION,
        YEAR,
        Option(
            "imports_usd",
            float | None,
            None,
            "m: partner's goods imports from home, in US dollars (52.5e9 for US$52.5 bn).",
            flag="--imports",
            query="imports",
            gt=0.0,
        ),
        Option(
            "exports_usd",
            float | None,
            None,
            "x: partner's goods exports to home, in US dollars (27.7e9 for US$27.7 bn).",
            flag="--exports",
            query="exports",
            ge=0.0,
        ),
        TARGET_RATE,
    ),
    home_groups=True,
)
FORMULA_COLUMNS: Final = (
    "year",
    "partner_imports_from_home_usd",
    "partner_exports_to_home_usd",
    "deficit_usd",
    "deficit_over_imports",
    "formula_rate",
    "formula_rate_whole_percent",
    "annex_method_rate",
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
        check_target(target_rate)
    home, partner = str(request.home), str(request.partner)
    goods = goods_codes(request.level)
    # m and x are over every good; at group level the coded flows hold the groups' only
    coded = request.coded
    if request.level == "group":
        coded = request.flows.mutate(code=request.flows[f.PRODUCT])
    trade = bilateral_goods_trade(
        coded, home=list(request.members or ()) or home, partner=partner, codes=goods
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
    elif request.level == "total":
        assumptions.append(
            "m and x are the data set's calendar-year totals of goods trade between the partner "
            "and home"
        )
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
        check_target(target_rate)
    if imports_usd is None or exports_usd is None:
        missing = "exports_usd" if exports_usd is None else "imports_usd"
        raise InputError(
            "give both imports and exports (the partner's goods imports from and exports to "
            "home, US dollars)",
            parameter=missing,
        )
    m = check_amount(imports_usd, "imports_usd", plausible=True)
    x = check_amount(exports_usd, "exports_usd", plausible=True)
    if m <= 0:
        raise InputError("the partner's imports from home must be > 0", parameter="imports_usd")
    if isinstance(home, str) and home.strip().upper() in EU_ALIASES:
        home_code = EU_AGGREGATE  # the European Union as one economy (Annex I lists it so)
    else:
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
        "annex_method_rate": float(rec["annex_method_rate"]),
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
        "Annex I rates are whole percentages; annex_method_rate is the rate computed as the "
        "US did (round 100 (m - x) / m to a whole percent, halve, round up, floor 10%), which "
        "reproduces 68 of the 71 rates of Annex I from the Census 2024 balance"
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
                "the target is the 10% floor, below which the formula never goes: the figure "
                "is the purchases that bring the rate to the floor"
            )
    columns = [*FORMULA_COLUMNS]
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

"""Display labels of result fields, one registry for the command line, the brief and the dashboard.

Field names are the stable contract (``schema.py`` and the JSON of every command); how a
field is shown is decided here once: a ``label`` for prose and brief tables ("home share of
partner imports"), a ``short`` header for terminal and dashboard tables ("home share"),
its ``kind`` (how to format it) and the ``digits`` shown.

=========  ================================================================
kind       shown as
=========  ================================================================
``usd``    US dollars with a scale: ``US$2.47 bn`` (unbounded for +inf)
``share``  a fraction as a percentage with ``digits`` decimals: ``2.3%``
``ratio``  a plain number with ``digits`` decimals (HHI, RCA, sigma)
``count``  a whole number with thousands separators
``year``   a year
``text``   text (descriptions, names), cut to ``width`` characters in tables
``code``   a code (ISO3, HS, ICIO industry), never cut
``flag``   yes / no
=========  ================================================================

The HTTP API serves the registry at ``/api/labels`` for the dashboard.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

from tradelever.formatting import fmt_usd

__all__ = ["LABELS", "Kind", "Label", "fmt", "label", "registry"]

Kind = Literal["usd", "share", "ratio", "count", "year", "text", "code", "flag"]


@dataclass(frozen=True)
class Label:
    """How one field is shown."""

    name: str
    label: str
    short: str
    kind: Kind
    digits: int = 1
    width: int = 48

    def fmt(self, value: Any) -> str:
        """The value as text for a table cell (``-`` when missing or undefined)."""
        return fmt(value, self.kind, self.digits, self.width)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


def fmt(value: Any, kind: Kind, digits: int = 1, width: int = 48) -> str:
    """Format a value of a kind (see the module docstring)."""
    if kind == "usd":
        return fmt_usd(value)
    if kind == "text":
        return "" if _missing(value) else str(value)[:width]
    if kind == "code":
        return "" if _missing(value) else str(value)
    if _missing(value):
        return "-"
    if kind == "flag":
        return "yes" if value else "no"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "-"
    if kind == "share":
        return f"{100 * number:.{digits}f}%"
    if kind == "ratio":
        return f"{number:,.{digits}f}"
    if kind == "year":
        return str(int(number))
    return f"{int(number):,}"


def _l(name: str, label: str, short: str, kind: Kind, digits: int = 1, width: int = 48) -> Label:
    return Label(name, label, short, kind, digits, width)


LABELS: Final[dict[str, Label]] = {
    item.name: item
    for item in (
        # identifiers and text
        _l("code", "code", "code", "code"),
        _l("description", "description", "description", "text"),
        _l("country", "country", "country", "code"),
        _l("name", "name", "name", "text", width=24),
        _l("partner_name", "partner", "partner", "text", width=24),
        _l("industry", "industry", "code", "code"),
        _l("importer", "importer", "importer", "code"),
        _l("exporter", "exporter", "exporter", "code"),
        _l("year", "year", "year", "year"),
        # leverage contract (schema.LEVERAGE_FIELDS) and indicators
        _l("home_share_of_partner_imports", "home share of partner imports", "home share", "share"),
        _l("partner_imports_usd", "partner imports", "partner imports", "usd"),
        _l(
            "home_exports_to_partner_usd",
            "home exports to partner",
            "home exports to partner",
            "usd",
        ),
        _l("home_world_export_share", "home world export share", "home world share", "share"),
        _l(
            "rival_share_of_partner_imports",
            "rival share of partner imports",
            "rival share",
            "share",
        ),
        _l("partner_import_hhi", "partner import HHI", "HHI", "ratio", 3),
        _l("home_export_weight", "home export weight", "export weight", "share"),
        _l(
            "partner_cost_of_losing_home_usd",
            "partner cost of losing home",
            "partner cost of losing home",
            "usd",
        ),
        _l("sigma", "elasticity of substitution", "sigma", "ratio", 2),
        _l("home_rca", "home RCA", "home RCA", "ratio", 2),
        _l("rival_rca", "rival RCA", "rival RCA", "ratio", 2),
        _l("rest_of_world_supply_ratio", "rest-of-world supply ratio", "RoW supply (x)", "ratio"),
        _l(
            "partner_imports_to_exports",
            "partner imports to exports",
            "imports/exports",
            "ratio",
            2,
        ),
        _l("world_export_hhi", "world export HHI", "world HHI", "ratio", 3),
        _l("home_share_change", "change in home share (pp)", "share change (pp)", "ratio"),
        _l("partner_imports_cagr", "partner imports growth a year", "imports CAGR", "share"),
        _l("partner_cost_low_usd", "partner cost, sigma high", "cost (low)", "usd"),
        _l("partner_cost_high_usd", "partner cost, sigma low", "cost (high)", "usd"),
        _l("sigma_low", "sigma, low (trade elasticity halved)", "sigma low", "ratio", 2),
        _l("sigma_high", "sigma, high (trade elasticity doubled)", "sigma high", "ratio", 2),
        _l("trend_base_year", "trend base year", "base year", "year"),
        _l("eu_hhi_flag", "EU criterion: import HHI > 0.4", "HHI > 0.4", "flag"),
        _l("eu_import_share_flag", "EU criterion: imports over exports > 1", "M/X > 1", "flag"),
        _l("world_export_hhi_flag", "world export HHI > 0.4", "world HHI > 0.4", "flag"),
        _l("flags", "flags", "flags", "text"),
        # the scan of every partner, and its reverse view (analysis/scan.py)
        _l("partner", "partner", "partner", "code"),
        _l("supplier", "supplier", "supplier", "code"),
        _l("supplier_name", "supplier", "supplier", "text", width=24),
        _l("top_supplier", "partner's top supplier", "top supplier", "code"),
        _l("top_supplier_share", "top supplier's share", "top share", "share"),
        _l("partner_suppliers", "suppliers of the partner", "suppliers", "count"),
        _l(
            "supplier_share_of_partner_imports",
            "supplier share of partner imports",
            "supplier share",
            "share",
        ),
        _l(
            "supplier_exports_to_partner_usd",
            "supplier exports to partner",
            "supplier exports to partner",
            "usd",
        ),
        _l(
            "partner_cost_of_losing_supplier_usd",
            "partner cost of losing supplier",
            "partner cost of losing supplier",
            "usd",
        ),
        # substitution
        _l(
            "rival_exports_to_partner_usd",
            "rival exports to partner",
            "rival exports to partner",
            "usd",
        ),
        _l("home_exports_usd", "home exports", "home exports", "usd"),
        _l("home_imports_usd", "home imports", "home imports", "usd"),
        _l("home_imports_from_partner_usd", "home imports from partner", "from partner", "usd"),
        _l("partner_exports_usd", "partner exports", "partner exports", "usd"),
        _l(
            "home_exports_to_rest_of_world_usd",
            "home exports to the rest of the world",
            "home exports elsewhere",
            "usd",
        ),
        _l(
            "redirectable_share",
            "redirectable share of home's other exports",
            "redirectable",
            "share",
            0,
        ),
        _l(
            "home_redirectable_usd", "home exports it could redirect", "redirectable exports", "usd"
        ),
        _l("plausible_supply_usd", "plausible supply", "plausible supply", "usd"),
        _l(
            "plausible_share_of_home_exports",
            "plausible supply as a share of home exports",
            "of home exports",
            "share",
        ),
        _l(
            "plausible_share_of_rival_sales",
            "plausible share of rival sales",
            "of rival sales",
            "share",
        ),
        # exposure
        _l(
            "partner_share_of_home_product_exports",
            "partner share of home exports",
            "partner share of product",
            "share",
        ),
        _l("share_of_home_exports", "share of home exports", "share of exports", "share", 2),
        _l("share_of_gdp", "share of home GDP", "share of GDP", "share", 2),
        _l("rest_of_world_imports_usd", "rest-of-world imports", "rest-of-world imports", "usd"),
        _l("absorption_ratio", "absorption ratio", "absorption (x)", "ratio", 1),
        _l(
            "home_share_of_row_imports",
            "home share of rest-of-world imports",
            "home RoW share",
            "share",
        ),
        _l(
            "home_share_of_row_imports_if_redirected",
            "home share of rest-of-world imports if redirected",
            "if redirected",
            "share",
        ),
        _l("gdp_usd", "GDP", "GDP", "usd"),
        # reciprocal formula
        _l(
            "partner_imports_from_home_usd",
            "partner goods imports from home",
            "m: partner imports",
            "usd",
        ),
        _l(
            "partner_exports_to_home_usd",
            "partner goods exports to home",
            "x: partner exports",
            "usd",
        ),
        _l("deficit_usd", "deficit", "deficit", "usd"),
        _l("deficit_over_imports", "deficit over imports", "deficit/imports", "share"),
        _l("formula_rate", "formula rate", "formula rate", "share"),
        _l("formula_rate_whole_percent", "formula rate, whole percent", "rounded up", "share", 0),
        _l("formula_rate_nearest_percent", "formula rate, nearest percent", "nearest", "share", 0),
        _l("announced_rate", "announced rate", "announced", "share", 0),
        _l("difference", "rounded-up rate less announced rate", "difference", "share", 0),
        _l("matches_rounded_up", "rounded-up rate is the announced rate", "match (up)", "flag"),
        _l("matches_nearest", "nearest rate is the announced rate", "match (nearest)", "flag"),
        _l("members_covered", "members covered", "members", "count"),
        _l("target_rate", "target rate", "target rate", "share"),
        _l(
            "additional_partner_exports_needed_usd",
            "purchases needed",
            "extra purchases needed",
            "usd",
        ),
        # concessions
        _l(
            "home_imports_from_others_usd",
            "home imports from others",
            "home imports from others",
            "usd",
        ),
        _l(
            "partner_exports_to_others_usd",
            "partner exports to others",
            "partner exports elsewhere",
            "usd",
        ),
        _l("partner_rca", "partner RCA", "partner RCA", "ratio", 2),
        _l(
            "partner_world_export_share",
            "partner world export share",
            "partner world share",
            "share",
        ),
        _l("switchable_usd", "switchable purchases", "switchable", "usd"),
        _l("cumulative_switchable_usd", "switchable, running total", "running total", "usd"),
        _l("cumulative_share_of_needed", "share of the purchases needed", "of needed", "share", 0),
        # peers
        _l("exports_to_partner_usd", "exports to partner", "exports to partner", "usd"),
        _l(
            "share_of_partner_imports",
            "share of partner imports",
            "share of partner imports",
            "share",
            2,
        ),
        _l("total_ces_leverage_usd", "total CES leverage", "CES leverage", "usd"),
        _l("exposure", "exposure", "exposure", "share"),
        _l("overlap_with_home", "overlap with home", "overlap", "share"),
        _l(
            "export_similarity_with_home",
            "export similarity with home",
            "similarity (FK)",
            "ratio",
            3,
        ),
        # single-reporter data sets, the Annex I computation, the balance (us-defaults)
        _l(
            "coverage", "covered share of the partner's imports of the chapter", "coverage", "share"
        ),
        _l(
            "applied_rate",
            "applied rate on the partner's imports (duty / value)",
            "applied rate",
            "share",
        ),
        _l(
            "home_applied_rate",
            "applied rate on home's goods (duty / value)",
            "home applied rate",
            "share",
        ),
        _l("annex_method_rate", "rate computed as the US did", "US computation", "share", 0),
        _l("annex_method_gap", "US computation less announced rate", "gap", "share", 0),
        _l("matches_annex_method", "US computation gives the announced rate", "match (US)", "flag"),
        _l(
            "home_market_rca", "home RCA in the partner's market", "home RCA in partner", "ratio", 2
        ),
        _l("date", "month or year", "date", "code"),
        _l("imports_usd", "partner goods imports from home (m)", "imports", "usd"),
        _l("exports_usd", "partner goods exports to home (x)", "exports", "usd"),
        _l("balance_usd", "partner balance with home (x - m)", "balance", "usd"),
        # supply chain
        _l(
            "direct_deliveries_to_partner_usd",
            "direct deliveries to partner",
            "deliveries to partner",
            "usd",
        ),
        _l(
            "home_va_in_partner_output_usd",
            "home value added in partner output",
            "home VA in partner output",
            "usd",
        ),
        _l(
            "home_va_in_partner_final_sales_usd",
            "home value added in partner final sales",
            "home VA in partner final sales",
            "usd",
        ),
        _l("partner_output_loss_usd", "partner output loss", "partner output loss", "usd"),
        _l("partner_output_loss_share", "share of partner output", "% partner output", "share", 4),
        _l("home_output_loss_usd", "home output loss", "home output loss", "usd"),
        _l("direct_requirement", "direct requirement", "direct req.", "ratio", 4),
        _l("total_requirement", "total requirement", "total req.", "ratio", 4),
        _l(
            "partner_loss_per_dollar_delivered",
            "partner output loss per dollar delivered",
            "loss per $",
            "ratio",
            2,
        ),
        _l("world_output_loss_usd", "world output loss", "world output loss", "usd"),
        _l("exports_usd", "exports", "exports", "usd"),
        _l("is_home", "home country", "home", "flag"),
        _l("partner_goods_imports_usd", "partner goods imports", "goods imports", "usd"),
        _l("partner_goods_exports_usd", "partner goods exports", "goods exports", "usd"),
        _l("unbounded_leverage_codes", "codes with unbounded leverage", "unbounded", "count"),
        # scenarios
        _l("baseline_imports_usd", "baseline imports", "baseline", "usd"),
        _l("old_rate", "old rate", "old", "share"),
        _l("new_rate", "new rate", "new", "share"),
        _l("trade_creation_usd", "trade creation", "creation", "usd"),
        _l("trade_diversion_usd", "trade diversion", "diversion", "usd"),
        _l("total_effect_usd", "total effect", "total", "usd"),
        _l("change_pct", "change", "change", "share"),
        _l("baseline_exports_usd", "baseline exports", "baseline", "usd"),
        _l("exports_a_usd", "exports under A", "under A", "usd"),
        _l("exports_b_usd", "exports under B", "under B", "usd"),
        _l("difference_usd", "difference B - A", "difference", "usd"),
        _l("measures", "measures", "measures", "count"),
        # US deals and claims (issue 14)
        _l("deal", "deal", "deal", "code"),
        _l("partner", "partner", "partner", "code"),
        _l("kind", "kind of deal", "kind", "text", width=14),
        _l("deal_date", "deal date", "date", "text", width=10),
        _l("deal_date_is", "deal date is the", "date is", "text", width=10),
        _l("deal_date_precision", "precision of the deal date", "precision", "text", width=12),
        _l("days_since_2025_04_02", "days from 2 April 2025 to the deal", "days", "count"),
        _l("rate_effective_from", "rate in effect from", "rate from", "text", width=10),
        _l("days_to_rate", "days from 2 April 2025 to the rate", "days to rate", "count"),
        _l("annex_i_rate", "EO 14257 Annex I rate", "Annex I", "share", 0),
        _l("eo_14326_rate", "EO 14326 rate", "EO 14326", "share", 0),
        _l("rate_obtained", "rate obtained in the deal", "rate obtained", "share", 0),
        _l("rate_obtained_basis", "basis of the rate obtained", "basis", "text", width=14),
        _l("rate_cut", "rate cut (Annex I - obtained, points)", "cut", "share", 0),
        _l("rate_cut_note", "rate cut note", "cut note", "text"),
        _l("purchases_usd", "headline purchase pledges (totals)", "purchases", "usd"),
        _l("purchases_usd_a_year", "headline purchase pledges a year", "purchases/yr", "usd"),
        _l("investment_usd", "headline investment pledges (totals)", "investment", "usd"),
        _l("investment_usd_a_year", "headline investment pledges a year", "invest./yr", "usd"),
        _l("pledges_usd", "pledges (totals, any period)", "pledges", "usd"),
        _l("pledges_usd_a_year", "pledges a year (annualised)", "pledges/yr", "usd"),
        _l("pledges_unannualised_usd", "pledges with no period", "no period", "usd"),
        _l("exports_to_us_2024_usd", "exports to the US, 2024", "exports to US 2024", "usd"),
        _l("pledges_share_of_exports", "pledges / 2024 exports to the US", "pledges/X", "share"),
        _l(
            "pledges_a_year_share_of_exports",
            "pledges a year / 2024 exports to the US",
            "pledges/yr/X",
            "share",
        ),
        _l("pledges_share_of_gdp", "pledges / GDP", "pledges/GDP", "share"),
        _l("pledges_a_year_share_of_gdp", "pledges a year / GDP", "pledges/yr/GDP", "share", 2),
        _l(
            "effective_rate_2025_04_09",
            "effective additional US tariff on 9 April 2025",
            "eff. 9 Apr 25",
            "share",
        ),
        _l(
            "effective_rate_before_deal",
            "effective additional US tariff the day before the deal",
            "eff. before",
            "share",
        ),
        _l(
            "effective_rate_after",
            "effective additional US tariff on the deal's effective date",
            "eff. after",
            "share",
        ),
        _l("missing_facts", "facts missing from the texts", "missing", "count"),
        _l("notes", "notes", "notes", "text"),
        _l("offer", "offer", "offer", "text", width=20),
        _l("summary", "summary", "summary", "text"),
        _l("amount_usd", "amount", "amount", "usd"),
        _l("share", "stated coverage of the tariff elimination", "coverage", "share", 0),
        _l("commitment", "firmness of the text", "commitment", "text", width=16),
        _l("sentence", "precedent", "precedent", "text", width=400),
        _l("quote", "quoted passage", "quote", "text", width=600),
        _l("url", "URL", "URL", "text", width=200),
        _l("verdict", "verdict", "verdict", "text", width=14),
        _l("claimed", "claimed value", "claimed", "ratio", 3),
        _l("recomputed", "recomputed value", "recomputed", "ratio", 3),
        _l("measure", "measure", "measure", "text", width=26),
        _l("text", "claim", "claim", "text"),
        # the US tariff schedule (tariffs) and scenario bands, flags and home split
        _l(
            "effective_additional_rate",
            "effective additional tariff rate",
            "additional rate",
            "share",
        ),
        _l("rate_change", "change from the previous date", "change", "share"),
        _l("baseline_rate_2024", "2024 applied rate (duty / value)", "2024 rate", "share"),
        _l("exempt_share", "share of value exempt", "exempt", "share"),
        _l("s232_share", "share of value under Section 232", "s232 share", "share"),
        _l("contribution", "contribution to the effective rate", "contribution", "share", 2),
        _l("charged_share", "share of value charged", "charged", "share"),
        _l("measure_id", "measure", "measure", "code"),
        _l("hs6", "HS6 product", "HS6", "code"),
        _l("total_effect_low_usd", "total effect, low", "low", "usd"),
        _l("total_effect_high_usd", "total effect, high", "high", "usd"),
        _l("own_tariff_effect_usd", "effect of home's own tariffs", "own tariffs", "usd"),
        _l("rival_tariff_effect_usd", "effect of tariffs on rivals", "rivals' tariffs", "usd"),
        _l("rate_level_effect_usd", "effect of the rate level", "level", "usd"),
        _l("rate_gap_effect_usd", "effect of the rate gap to competitors", "gap", "usd"),
        # fields the dashboard showed unlabelled (a fraction must print as a percentage)
        _l(
            "mean_absolute_difference",
            "mean absolute difference, rounded-up less announced rate",
            "mean abs. difference",
            "share",
        ),
        _l("price_index_change", "change in the import price index", "price index change", "share"),
        _l("export_price_change", "change in export prices", "export price change", "share"),
        # data sets
        _l("rows", "rows", "rows", "count"),
    )
}


def label(name: str) -> Label:
    """The label of a field; an unknown field gets one from its name (``*_usd`` as US$)."""
    found = LABELS.get(name)
    if found is not None:
        return found
    text = name.removesuffix("_usd").replace("_", " ")
    kind: Kind = "usd" if name.endswith("_usd") else "text"
    return Label(name, text, text, kind)


def registry() -> dict[str, dict[str, Any]]:
    """The registry as JSON-ready records (served at ``/api/labels``)."""
    return {name: asdict(item) for name, item in LABELS.items()}

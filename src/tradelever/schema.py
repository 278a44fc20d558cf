"""Canonical column names shared by every reader, query and interface.

One registry (as ``bblocks``' ``Fields``) so that the BACI reader, the ICIO reader, the
analysis and the JSON contract all spell a column the same way. Display labels for briefs
live elsewhere.
"""

from __future__ import annotations

from typing import Final

# flows(dataset, year, exporter, importer, product, classification, value_usd, quantity)
DATASET: Final = "dataset"
YEAR: Final = "year"
EXPORTER: Final = "exporter"
IMPORTER: Final = "importer"
PRODUCT: Final = "product"
CLASSIFICATION: Final = "classification"
VALUE_USD: Final = "value_usd"
QUANTITY: Final = "quantity"

FLOW_COLUMNS: Final = (
    DATASET,
    YEAR,
    EXPORTER,
    IMPORTER,
    PRODUCT,
    CLASSIFICATION,
    VALUE_USD,
    QUANTITY,
)

# network nodes(dataset, year, country, industry, output_usd, final_demand_usd, ...)
COUNTRY: Final = "country"
INDUSTRY: Final = "industry"
OUTPUT_USD: Final = "output_usd"
FINAL_DEMAND_USD: Final = "final_demand_sales_usd"
INTERMEDIATE_SALES_USD: Final = "intermediate_sales_usd"
INTERMEDIATE_INPUTS_USD: Final = "intermediate_inputs_usd"

# products(classification, code, description, parent, level)
CODE: Final = "code"
DESCRIPTION: Final = "description"
PARENT: Final = "parent"
LEVEL: Final = "level"

# The leverage contract: field names of `tradelever leverage --format json` rows.
LEVERAGE_FIELDS: Final = (
    "home_share_of_partner_imports",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "home_world_export_share",
    "rival_share_of_partner_imports",
    "partner_import_hhi",
    "home_export_weight",
    "partner_cost_of_losing_home_usd",
)

# Indicators appended after the contract fields in `leverage` rows (formulas in
# tradelever.analysis.leverage and tradelever.analysis.indicators).
LEVERAGE_EXTRA_FIELDS: Final = (
    "rest_of_world_supply_ratio",
    "partner_imports_to_exports",
    "world_export_hhi",
    "eu_hhi_flag",
    "eu_import_share_flag",
    "world_export_hhi_flag",
    "home_rca",
    "rival_rca",
    "home_share_change",
    "partner_imports_cagr",
    "trend_base_year",
    "partner_cost_low_usd",
    "partner_cost_high_usd",
    "sigma_low",
    "sigma_high",
    "flags",
    "coverage",
    "applied_rate",
    "home_applied_rate",
)

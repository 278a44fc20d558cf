"""The data the deal measures need, read once per session from the data sets in the store.

Exports to the US (``census-us-trade``: US general imports by partner, 2024), the GDP proxy
(``icio2022``: value added by country, 2022) and the effective additional US tariff on each
partner's goods on the dates a deal needs (the tariff schedule over ``census-us-2024``
weights). :func:`deal_inputs` returns them as a :class:`DealInputs` record for
:func:`tradelever.analysis.deals.deal_measures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from tradelever.analysis.formula import annual_balance
from tradelever.analysis.tariffs import tariff_timeline
from tradelever.reference.countries import EU_AGGREGATE, group_members
from tradelever.sources.us_deals import Deal, deal_date, load_deals
from tradelever.store.dataset import DatasetView

__all__ = [
    "ANNEX_I_DAY",
    "EXPORTS_DATASET",
    "EXPORTS_YEAR",
    "GDP_DATASET",
    "GDP_YEAR",
    "RATES_DATASET",
    "DealInputs",
    "deal_inputs",
    "gdp_by_partner",
    "rate_dates",
]

#: The one day the Annex I rates of EO 14257 applied (9 April 2025; paused on 10 April).
ANNEX_I_DAY: Final = dt.date(2025, 4, 9)
EXPORTS_DATASET: Final = "census-us-trade"
EXPORTS_YEAR: Final = 2024
RATES_DATASET: Final = "census-us-2024"
GDP_DATASET: Final = "icio2022"
GDP_YEAR: Final = 2022


# -- inputs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DealInputs:
    """The data the measures need, each with its provenance (empty when not in the store).

    Attributes
    ----------
    exports_usd
        Partner code -> US general imports from it in :data:`EXPORTS_YEAR` (US dollars),
        i.e. the partner's goods exports to the US on the US record (``EUU``: the EU-27).
    gdp_usd
        Partner code -> value added in the ICIO 2022 (US dollars, GDP at basic prices).
    rates
        (partner, date) -> effective additional US tariff rate (fraction) on its 2024 goods.
    rate_exporters
        Partners the rates cover (those of ``census-us-2024``).
    provenance
        ``exports``, ``gdp``, ``rates``: the data sets' records.
    notes
        Sentences on what could not be computed and why.
    """

    exports_usd: Mapping[str, float] = field(default_factory=dict)
    gdp_usd: Mapping[str, float] = field(default_factory=dict)
    rates: Mapping[tuple[str, dt.date], float] = field(default_factory=dict)
    rate_exporters: frozenset[str] = frozenset()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def rate_dates(deal: Deal) -> dict[str, dt.date | None]:
    """The dates of the effective rates of a deal: Annex I day, day before the deal, effective."""
    when = deal_date(deal)
    return {
        "effective_rate_2025_04_09": ANNEX_I_DAY,
        "effective_rate_before_deal": None if when is None else when.value - dt.timedelta(days=1),
        "effective_rate_after": deal.dates.effective.value if deal.dates.effective else None,
    }


def gdp_by_partner(value_added: Mapping[str, float], partners: Iterable[str]) -> dict[str, float]:
    """Partner -> GDP proxy from value added by country; ``EUU`` sums the EU-27 members.

    The EU gets a value only when all 27 members are in ``value_added``.
    """
    out: dict[str, float] = {}
    for code in partners:
        if code == EU_AGGREGATE:
            members = group_members("EU27")
            if all(m in value_added for m in members):
                out[code] = float(sum(value_added[m] for m in members))
        elif code in value_added:
            out[code] = float(value_added[code])
    return out


def deal_inputs(
    *,
    trade: DatasetView | None,
    imports: DatasetView | None,
    network: DatasetView | None,
) -> DealInputs:
    """Read what :func:`deal_measures` needs from the data sets that are in the store.

    Each piece is remembered by its data-set view (computed once per session).

    Parameters
    ----------
    trade
        ``census-us-trade`` (exports to the US: US general imports by partner).
    imports
        ``census-us-2024`` (2024 US imports by partner and HS10: effective-rate weights).
    network
        ``icio2022`` (value added: the GDP proxy).
    """
    partners = sorted({p for d in load_deals() for p in d.partners})
    notes: list[str] = []
    provenance: dict[str, Any] = {}
    exports: dict[str, float] = {}
    if trade is not None:

        def read_exports() -> dict[str, float]:
            balance = trade.table("balance")
            part = balance.filter(balance["year"] == EXPORTS_YEAR).to_pandas()
            annual = annual_balance(part, EXPORTS_YEAR)
            return {
                str(k): float(v)
                for k, v in zip(annual["partner"], annual["imports_usd"], strict=True)
            }

        exports = trade.memo(("deal_exports", EXPORTS_YEAR), read_exports)
        provenance["exports"] = trade.manifest.provenance(EXPORTS_YEAR)
    else:
        notes.append(f"{EXPORTS_DATASET} is not in the store: no pledge shares of exports.")
    gdp: dict[str, float] = {}
    if network is not None and network.has_table("nodes"):

        def read_value_added() -> dict[str, float]:
            nodes = network.table("nodes")
            part = nodes.filter(nodes["year"] == GDP_YEAR)
            frame = part.group_by("country").aggregate(va=part["value_added_usd"].sum())
            out = frame.to_pandas()
            return {str(k): float(v) for k, v in zip(out["country"], out["va"], strict=True)}

        gdp = gdp_by_partner(network.memo(("value_added", GDP_YEAR), read_value_added), partners)
        provenance["gdp"] = network.manifest.provenance(GDP_YEAR)
    else:
        notes.append(f"{GDP_DATASET} is not in the store: no pledge shares of GDP.")
    rates: dict[tuple[str, dt.date], float] = {}
    covered: frozenset[str] = frozenset()
    if imports is not None:
        days = sorted({day for d in load_deals() for day in rate_dates(d).values() if day})

        def read_rates() -> tuple[dict[tuple[str, dt.date], float], frozenset[str], dict[str, Any]]:
            flows = imports.table("flows")
            frame = flows.filter(flows["exporter"].isin(partners)).to_pandas()
            present = sorted(set(frame["exporter"]))
            result = tariff_timeline(
                frame,
                present,
                dates=days,
                trade_provenance=imports.manifest.provenance(EXPORTS_YEAR),
            )
            out = result.rows
            when = pd.to_datetime(out["date"]).dt.date
            found = {
                (str(e), w): float(r)
                for e, w, r in zip(
                    out["exporter"], when, out["effective_additional_rate"], strict=True
                )
            }
            return found, frozenset(present), dict(result.provenance)

        rates, covered, source = imports.memo(("deal_rates", tuple(days)), read_rates)
        provenance["rates"] = source
    else:
        notes.append(f"{RATES_DATASET} is not in the store: no effective rates.")
    return DealInputs(
        exports_usd=exports,
        gdp_usd=gdp,
        rates=rates,
        rate_exporters=covered,
        provenance=provenance,
        notes=tuple(notes),
    )

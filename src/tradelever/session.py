"""A Session: one store, its data-set views, and every analysis as a typed method.

Each analysis method does two things: :func:`~tradelever.analysis.request.resolve` the
request (every check, once) and call the analysis function that owns the formulas and
assumptions (:mod:`tradelever.analysis.leverage`, ``substitution``, ``exposure``,
``formula``, ``concessions``, ``peers``, ``supply_chain``, ``scenarios.simulate``). The
signatures are those of the analyses' option records (``tests/test_api.py`` checks that they
agree), so ``help(Session.leverage)`` shows what the command line and the HTTP API offer.

A Session keeps one :class:`~tradelever.store.dataset.DatasetView` per data set (countries,
names, export totals and flows cubes are computed once per view). It owns one connection of
its configuration's engine (an in-memory DuckDB connection, or a session of the process's
Spark application: ``config.engine``): use one Session per thread (the HTTP server keeps a
pool).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradelever.analysis import balance as _balance
from tradelever.analysis import concessions as _concessions
from tradelever.analysis import effective_tariffs as _tariffs
from tradelever.analysis import exposure as _exposure
from tradelever.analysis import formula as _formula
from tradelever.analysis import leverage as _leverage
from tradelever.analysis import peers as _peers
from tradelever.analysis import scan as _scan
from tradelever.analysis import substitution as _substitution
from tradelever.analysis import supply_chain as _supply_chain
from tradelever.analysis.leverage import TREND_WINDOW, LeverageResult
from tradelever.analysis.request import DEFAULT_DATASET, Request, resolve
from tradelever.analysis.result import TableResult
from tradelever.analysis.scenarios import simulate as _scenarios
from tradelever.config import Config
from tradelever.errors import UnknownDatasetError
from tradelever.options import Analysis, Level, Mode
from tradelever.store import Store
from tradelever.store.dataset import DatasetView
from tradelever.store.embedded import ensure_embedded
from tradelever.store.engines import engine_for

if TYPE_CHECKING:
    from tradelever.analysis.scenarios.model import Scenario
    from tradelever.analysis.scenarios.result import ScenarioResult
    from tradelever.brief.model import Brief

__all__ = ["DEFAULT_DATASET", "Session", "open_store"]

PathLike = str | os.PathLike[str]


def open_store(data_dir: PathLike | None = None, *, config: Config | None = None) -> Store:
    """Open the data directory and make sure the embedded data sets are in it."""
    config = config or Config.resolve(data_dir=data_dir)
    store = Store(config.data_dir, engine=engine_for(config))
    ensure_embedded(store)
    return store


class Session:
    """A store plus its data-set views; the analyses as methods.

    Parameters
    ----------
    data_dir
        Data directory (default ``$TRADELEVER_DATA_DIR``, else the platform's user data
        folder); ignored when ``config`` is given.
    config
        A resolved :class:`~tradelever.config.Config`.
    """

    def __init__(self, data_dir: PathLike | None = None, *, config: Config | None = None) -> None:
        self.config = config or Config.resolve(data_dir=data_dir)
        self.store = open_store(config=self.config)
        self._views: dict[str, tuple[str, DatasetView]] = {}

    def __repr__(self) -> str:
        return f"Session({str(self.store.root)!r})"

    # -- data sets ----------------------------------------------------------------------------
    def view(self, dataset: str) -> DatasetView:
        """The view of a data set's version being read (kept while that version is current).

        Raises
        ------
        UnknownDatasetError
            If the store has no such data set (``exc.parameter == "dataset"``).
        """
        try:
            version = self.store.version(dataset)
        except UnknownDatasetError as exc:
            raise UnknownDatasetError(exc.message, parameter="dataset") from None
        found = self._views.get(dataset)
        if found is None or found[0] != version:
            # A re-ingested data set: a new view; the other data sets' views stay warm.
            found = self._views[dataset] = (version, DatasetView(self.store, dataset))
        return found[1]

    def request(self, analysis: Analysis, **given: Any) -> Request:
        """Resolve a request for ``analysis`` (see :func:`tradelever.analysis.request.resolve`)."""
        return resolve(self, analysis, **given)

    def datasets(self) -> pd.DataFrame:
        """The ``datasets`` table (provenance of every data set in the store)."""
        return self.store.datasets()

    def manifest(self, dataset: str) -> dict[str, Any]:
        """Provenance record of one data set, as stored."""
        return dict(self.view(dataset).manifest.raw)

    def years(self, dataset: str) -> list[int]:
        """Years available in a data set."""
        return list(self.view(dataset).years)

    def countries(self, dataset: str) -> list[str]:
        """ISO3 codes that appear as exporter or importer in a data set."""
        return self.view(dataset).countries()

    def product_codes(self, dataset: str) -> list[str]:
        """Distinct product codes that appear in a data set's flows."""
        return self.view(dataset).product_codes()

    def descriptions(self, dataset: str, level: Level) -> dict[str, str]:
        """Code -> description for a data set's products at one level (group: built-in groups)."""
        if level == "group":
            from tradelever.analysis.groups import default_groups

            return {name: g.description for name, g in default_groups().items()}
        return self.view(dataset).descriptions(level)

    def market_cube(self, dataset: str, year: int, level: Level, *, build: bool = True) -> Any:
        """The dense flows cube of a small data set (None for large ones or group level).

        See :func:`tradelever.analysis.leverage.cached_cube`; ``build=False``: built only
        when asked for a second time.
        """
        return _leverage.cached_cube(self.view(dataset), year, level, lazy=not build)

    def export_totals(self, dataset: str, year: int) -> tuple[float, dict[str, float]]:
        """World and per-exporter total exports of a data set in a year (kept by the view)."""
        return _leverage.cached_export_totals(self.view(dataset), year)

    def coded_flows(
        self, dataset: str, level: Level, groups: PathLike | None = None
    ) -> tuple[Any, dict[str, str], list[str]]:
        """The data set's Ibis ``flows`` with a ``code`` column at ``level``.

        Returns ``(coded, descriptions, notes)``; at ``group`` level ``coded`` has one row
        per (flow, group) and a ``member_sigma`` column, and ``notes`` are the assumption
        sentences on the group definitions.
        """
        request = self.request(_leverage.LEVERAGE, dataset=dataset, level=level, groups=groups)
        return request.coded, dict(request.descriptions), list(request.group_notes)

    # -- analyses -----------------------------------------------------------------------------
    def leverage(
        self,
        home: str,
        partner: str,
        rival: str | None = None,
        *,
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        sigma: float | None = None,
        groups: PathLike | None = None,
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
            One elasticity of substitution (> 1) for every product; default per product.
        groups
            A YAML or CSV file of product groups that extends (and overrides by name) the
            built-in groups; used at ``level="group"`` (see :mod:`tradelever.analysis.groups`).
        trend_window
            Trends compare the year with the first data-set year in
            ``[year - trend_window, year)``; none when the data set has no such year.

        Returns
        -------
        LeverageResult
            Rows ranked by the partner's cost of losing home's supply; see
            :func:`tradelever.analysis.leverage.leverage`.
        """
        request = self.request(
            _leverage.LEVERAGE,
            dataset=dataset,
            home=home,
            partner=partner,
            rival=rival,
            year=year,
            level=level,
            groups=groups,
        )
        return _leverage.leverage(request, sigma=sigma, trend_window=trend_window)

    def substitutes(
        self,
        home: str,
        partner: str,
        rival: str,
        *,
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        min_rca: float = 1.0,
        min_world_share: float = 0.0,
        min_rival_share: float = 0.0,
    ) -> TableResult:
        """Where ``partner`` buys from ``rival`` and ``home`` could supply instead.

        A code qualifies when home's Balassa RCA exceeds ``min_rca``, its world export
        share is at least ``min_world_share`` and the rival's share of the partner's imports
        exceeds ``min_rival_share``; ranked by plausible supply. See
        :func:`tradelever.analysis.substitution.substitutes`.
        """
        request = self.request(
            _substitution.SUBSTITUTES,
            dataset=dataset,
            home=home,
            partner=partner,
            rival=rival,
            year=year,
            level=level,
        )
        return _substitution.substitutes(
            request,
            min_rca=min_rca,
            min_world_share=min_world_share,
            min_rival_share=min_rival_share,
        )

    def exposure(
        self,
        home: str,
        partner: str,
        *,
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        gdp_usd: float | None = None,
    ) -> TableResult:
        """Home's exports to ``partner`` as shares of its exports and GDP, and their room.

        ``gdp_usd`` (US dollars) defaults to the data set's value added when it has it
        (icio2022). See :func:`tradelever.analysis.exposure.exposure`.
        """
        request = self.request(
            _exposure.EXPOSURE,
            dataset=dataset,
            home=home,
            partner=partner,
            year=year,
            level=level,
        )
        return _exposure.exposure(request, gdp_usd=gdp_usd)

    def formula(
        self,
        home: str,
        partner: str = _formula.ANNEX_PARTNER,
        *,
        dataset: str | None = None,
        year: int | None = None,
        imports_usd: float | None = None,
        exports_usd: float | None = None,
        target_rate: float | None = None,
    ) -> TableResult:
        """The US reciprocal formula rate for ``home`` (a country or a group such as EU27).

        From the data set (one row per year; the summary for ``year``), or from given m
        (``imports_usd``) and x (``exports_usd``), in which case no data set is read.
        ``target_rate``: the extra purchases that bring the rate to it. See
        :mod:`tradelever.analysis.formula`.
        """
        if imports_usd is not None or exports_usd is not None:
            return _formula.formula_from_figures(
                home,
                partner,
                imports_usd=imports_usd,
                exports_usd=exports_usd,
                year=year,
                target_rate=target_rate,
            )
        request = self.request(
            _formula.FORMULA, dataset=dataset, home=home, partner=partner, year=year
        )
        return _formula.formula(request, target_rate=target_rate)

    def formula_annex(self, *, dataset: str | None = None, year: int | None = None) -> TableResult:
        """The formula for every Annex I partner, against the announced rate.

        See :func:`tradelever.analysis.formula.formula_annex`.
        """
        request = self.request(
            _formula.FORMULA_ANNEX, dataset=dataset, partner=_formula.ANNEX_PARTNER, year=year
        )
        return _formula.formula_annex(request)

    def balance(
        self,
        home: str,
        partner: str = _formula.ANNEX_PARTNER,
        *,
        dataset: str | None = None,
        start: str | None = None,
        end: str | None = None,
        frequency: _balance.Frequency = "monthly",
    ) -> TableResult:
        """The partner's goods balance with ``home`` over time (a country or EU27).

        ``start``/``end``: ``YYYY-MM`` or ``YYYY``; ``frequency``: ``monthly`` (on
        ``census-us-trade``, the default for partner USA) or ``annual``. See
        :func:`tradelever.analysis.balance.balance`.
        """
        request = self.request(_balance.BALANCE, dataset=dataset, home=home, partner=partner)
        return _balance.balance(request, start=start, end=end, frequency=frequency)

    def concessions(
        self,
        home: str,
        partner: str,
        *,
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        target_rate: float = 0.10,
        min_rca: float = 1.0,
        min_world_share: float = 0.10,
    ) -> TableResult:
        """Purchases ``home`` could switch to ``partner``, against what the formula asks.

        The partner is competitive in a code when its RCA exceeds ``min_rca`` or its world
        export share is at least ``min_world_share``. See
        :func:`tradelever.analysis.concessions.concessions`.
        """
        request = self.request(
            _concessions.CONCESSIONS,
            dataset=dataset,
            home=home,
            partner=partner,
            year=year,
            level=level,
        )
        return _concessions.concessions(
            request, target_rate=target_rate, min_rca=min_rca, min_world_share=min_world_share
        )

    def peers(
        self,
        home: str,
        partner: str,
        peers: str = "ASEAN",
        *,
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        sigma: float | None = None,
    ) -> TableResult:
        """Home and its ``peers`` (a group or ISO3 codes) in ``partner``'s market.

        See :func:`tradelever.analysis.peers.peers`.
        """
        request = self.request(
            _peers.PEERS, dataset=dataset, home=home, partner=partner, year=year, level=level
        )
        return _peers.peers(request, peers, sigma=sigma)

    def supply_chain(
        self,
        home: str,
        partner: str,
        *,
        industry: str | Sequence[str] | None = None,
        dataset: str = DEFAULT_DATASET,
        share_lost: float = 1.0,
    ) -> TableResult:
        """Supply-chain dependence of ``partner`` on ``home`` on the ICIO network.

        ``industry``: home industry code(s) (``"C26"`` or ``"C26,C22"``), default all 50;
        ``share_lost``: the fraction of the deliveries that stops, in [0, 1]. See
        :func:`tradelever.analysis.supply_chain.supply_chain`.
        """
        request = self.request(
            _supply_chain.SUPPLY_CHAIN, dataset=dataset, home=home, partner=partner
        )
        return _supply_chain.supply_chain(request, industry=industry, share_lost=share_lost)

    # -- every market at once -----------------------------------------------------------------
    def scan(
        self,
        home: str,
        *,
        partners: str = "all",
        over: str | None = None,
        min_share: float = 0.0,
        min_imports_usd: float = 0.0,
        dataset: str = DEFAULT_DATASET,
        year: int | None = None,
        level: Level | None = None,
        sigma: float | None = None,
    ) -> TableResult:
        """``home``'s leverage over every partner at once, or who holds leverage over ``over``.

        Rows (partner or supplier, code) ranked by the partner's CES cost of losing the
        supplier; ``partners``: ``"all"``, ISO3 codes or a group; ``min_share`` (0.25 = 25%)
        and ``min_imports_usd`` filter the positions. Reads the data set's materialised
        market tables (built once per data-set version). See
        :func:`tradelever.analysis.scan.scan`.
        """
        request = self.request(_scan.SCAN, dataset=dataset, home=home, year=year, level=level)
        return _scan.scan(
            request,
            partners=partners,
            over=over,
            min_share=min_share,
            min_imports_usd=min_imports_usd,
            sigma=sigma,
        )

    def market_tables(self, dataset: str, level: Level | None = None) -> Any:
        """The materialised indicator tables of a data set's current version at ``level``.

        Built on first use per data-set version (cached in the store, kept by the view);
        see :func:`tradelever.analysis.markets.market_indicators`.
        """
        from tradelever.analysis.markets import cached_market_indicators

        view = self.view(dataset)
        return cached_market_indicators(view, level or view.manifest.level)

    # -- the US tariff schedule (tariffs) -------------------------------------------------------
    def tariffs(
        self,
        importer: str,
        exporters: str | Sequence[str],
        *,
        dates: str | Sequence[Any] | None = None,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        level: _tariffs.TariffLevel = "exporter",
        dataset: str = _tariffs.TARIFF_DATASET,
        usmca_share: float = 1.0,
    ) -> TableResult:
        """Effective additional tariff rates of ``exporters`` in ``importer`` (USA) by date.

        ``dates`` (comma-separated YYYY-MM-DD or a list) or ``start``/``end`` (one row per
        date on which anything changes for these exporters); ``level`` ``exporter``, ``hs6``
        or ``measure``. See :func:`tradelever.analysis.effective_tariffs.tariffs`.
        """
        request = _tariffs.tariff_request(self, dataset)
        return _tariffs.tariffs(
            request,
            importer,
            exporters,
            dates=dates,
            start=start,
            end=end,
            level=level,
            usmca_share=usmca_share,
        )

    # -- tariff scenarios ---------------------------------------------------------------------
    def scenarios(self) -> pd.DataFrame:
        """The preset tariff scenarios (name, date, description, measures, sources)."""
        return _scenarios.scenarios()

    def scenario(self, spec: _scenarios.ScenarioSpec) -> Scenario:
        """A preset name, YAML path or mapping as a validated Scenario (extends resolved)."""
        return _scenarios.scenario(spec)

    def run_scenario(
        self,
        spec: _scenarios.ScenarioSpec,
        *,
        dataset: str = DEFAULT_DATASET,
        year: int | None = None,
        mode: Mode = "ces",
        home: str | None = None,
        draws: int = 0,
        baseline: Any = None,
        max_rows: int | None = _scenarios.MAX_ROWS,
        progress: Any = None,
    ) -> ScenarioResult:
        """Run a tariff scenario over all its markets.

        ``mode``: ``ces`` (CES/Armington, exact hat algebra) or ``smart`` (WITS-SMART);
        ``home`` adds its losses and diversion gains; ``draws`` Monte Carlo draws over the
        elasticities; ``baseline``: what the effects are measured against (None: the
        scenario's ``relative_to``, else no additional tariffs; ``"none"``; or a scenario);
        ``max_rows``: most rows in ``rows`` (above it the largest absolute effects; None:
        every row); ``progress(done, total)`` is called during the draws. See
        :func:`tradelever.analysis.scenarios.simulate.run_scenario`.
        """
        request = self.request(_scenarios.RUN_SCENARIO, dataset=dataset, home=home, year=year)
        return _scenarios.run_scenario(
            request,
            spec,
            mode=mode,
            draws=draws,
            baseline=baseline,
            progress=progress,
            max_rows=max_rows,
        )

    def compare_scenarios(
        self,
        a: _scenarios.ScenarioSpec,
        b: _scenarios.ScenarioSpec,
        *,
        home: str,
        dataset: str = DEFAULT_DATASET,
        year: int | None = None,
        mode: Mode = "ces",
    ) -> TableResult:
        """Home's exports under scenarios A and B and the difference B - A, by product.

        See :func:`tradelever.analysis.scenarios.simulate.compare_scenarios`.
        """
        request = self.request(_scenarios.COMPARE_SCENARIOS, dataset=dataset, home=home, year=year)
        return _scenarios.compare_scenarios(request, a, b, mode=mode)

    # -- US deals and claims (issue 14) --------------------------------------------------------
    def _deal_inputs(self) -> Any:
        """Exports, GDP and effective rates for the deal measures (views that are in the store)."""
        from tradelever.analysis import deals as _deals

        def view(name: str) -> DatasetView | None:
            return self.view(name) if self.store.has(name) else None

        return _deals.deal_inputs(
            trade=view(_deals.EXPORTS_DATASET),
            imports=view(_deals.RATES_DATASET),
            network=view(_deals.GDP_DATASET),
        )

    def deals(self, partner: str = "USA", *, members: str | None = None) -> TableResult:
        """The 2025-26 US deals with derived measures, one row per deal and partner.

        ``members``: a group (``ASEAN``) or ISO3 codes. See
        :func:`tradelever.analysis.deals.deals` for the measures (days since 2 April 2025,
        rate cut, pledges against 2024 exports and GDP, effective tariffs before and after).
        """
        from tradelever.analysis import deals as _deals

        return _deals.deals(self._deal_inputs(), partner=partner, members=members)

    def deal(self, partner: str) -> TableResult:
        """Every quoted fact of one partner's US deal(s), with sources and the measures.

        See :func:`tradelever.analysis.deals.deal`.
        """
        from tradelever.analysis import deals as _deals

        return _deals.deal(self._deal_inputs(), partner)

    def first_in_line(self, partner: str = "USA", *, home: str | None = None) -> TableResult:
        """Rate obtained against days since 2 April 2025 for every deal, with Spearman's rho.

        See :func:`tradelever.analysis.deals.first_in_line`.
        """
        from tradelever.analysis import deals as _deals

        return _deals.first_in_line(self._deal_inputs(), partner=partner, home=home)

    def precedents(
        self, offer: str, partner: str = "USA", *, members: str | None = None
    ) -> TableResult:
        """Comparable precedents for an offer type, one sourced sentence per deal.

        ``offer``: ``tariff_elimination``, ``purchases`` or ``investment``. See
        :func:`tradelever.analysis.deals.precedents`.
        """
        from tradelever.analysis import deals as _deals

        return _deals.precedents(offer, partner=partner, members=members)

    def check_claims(self, path: PathLike) -> TableResult:
        """Check each claim of a claims file against the store's data.

        See :func:`tradelever.analysis.claim_figures.check_claims_result`.
        """
        from tradelever.analysis.claim_figures import check_claims_result

        return check_claims_result(self, path)

    # -- the brief ----------------------------------------------------------------------------
    def brief(
        self,
        home: str,
        partner: str,
        rival: str | None = None,
        *,
        peers: str | None = "ASEAN",
        dataset: str | None = None,
        year: int | None = None,
        level: Level | None = None,
        scenarios: Sequence[str] = (),
        deal_rate: float = 0.10,
        claims: str | os.PathLike[str] | None = None,
        currency: str | None = None,
        fx: float | str | None = None,
        fx_date: str | dt.date | None = None,
        fx_source: str | None = None,
        top: int = 5,
        today: dt.date | None = None,
        progress: Any = None,
    ) -> Brief:
        """A sourced negotiation brief; see :func:`tradelever.brief.build.build_brief`.

        ``dataset=None`` chooses by question (``census-us-2024`` at HS6 for a US partner,
        else ``icio2022``); ``peers=None`` leaves out the peers section; ``claims`` (a claims
        file) adds the "claims checked" annex; ``currency``, ``fx`` (home-currency units per
        US dollar) and ``fx_date`` go together; ``progress`` (a callable) is told each step.
        Render with ``.to_markdown()``, ``.to_html()`` or ``.to_pdf(path)``.
        """
        from tradelever.brief.build import brief

        return brief(
            self,
            home,
            partner,
            rival,
            peers=peers,
            dataset=dataset,
            year=year,
            level=level,
            scenarios=tuple(scenarios),
            deal_rate=deal_rate,
            claims=claims,
            currency=currency,
            fx=fx,
            fx_date=fx_date,
            fx_source=fx_source,
            top=top,
            today=today,
            progress=progress,
        )

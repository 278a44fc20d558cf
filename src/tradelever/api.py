"""The public Python API: what the CLI, the HTTP API and users' scripts call.

>>> import tradelever.api as tl
>>> result = tl.leverage("MYS", partner="USA", rival="CHN")   # doctest: +SKIP
>>> result.rows.head()                                        # doctest: +SKIP

A :class:`Session` keeps one store open and answers every analysis through a typed method;
the module functions here have the same signatures plus ``data_dir`` and ``config`` and
open a Session for one call. Every result is a
:class:`~tradelever.analysis.result.TableResult` (``rows``, ``summary``, ``provenance``,
``assumptions``, ``params``, ``to_dict()``, ``to_json()``) and every error a
:class:`~tradelever.errors.TradeleverError` whose ``parameter`` names the argument at fault.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradelever.analysis import effective_tariffs as _tariffs
from tradelever.analysis import formula as _formula
from tradelever.analysis.balance import Frequency
from tradelever.analysis.leverage import TREND_WINDOW, LeverageResult
from tradelever.analysis.result import TableResult
from tradelever.analysis.scenarios.result import ScenarioResult
from tradelever.config import Config, Secret
from tradelever.options import Level, Mode
from tradelever.session import DEFAULT_DATASET, Session, open_store
from tradelever.sources.http import HttpClient, ProgressHook
from tradelever.store import Store
from tradelever.store import fetch as _fetch
from tradelever.store.fetch import FetchResult

if TYPE_CHECKING:
    from tradelever.analysis.scenarios.model import Scenario
    from tradelever.analysis.scenarios.simulate import ScenarioSpec
    from tradelever.brief.model import Brief
    from tradelever.store.ingest import IngestResult

__all__ = [
    "DEFAULT_DATASET",
    "Config",
    "FetchResult",
    "LeverageResult",
    "ScenarioResult",
    "Session",
    "TableResult",
    "balance",
    "brief",
    "check_claims",
    "compare_scenarios",
    "concessions",
    "datasets",
    "deal",
    "deals",
    "exposure",
    "fetch_baci",
    "fetch_census",
    "fetch_comtrade",
    "first_in_line",
    "formula",
    "formula_annex",
    "ingest_baci",
    "leverage",
    "open_store",
    "peers",
    "precedents",
    "run_scenario",
    "scan",
    "scenario",
    "scenarios",
    "substitutes",
    "supply_chain",
    "tariffs",
]

PathLike = str | os.PathLike[str]


def _session(data_dir: PathLike | None, config: Config | None) -> Session:
    return Session(config=_configure(config, data_dir=data_dir))


def leverage(
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
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> LeverageResult:
    """Where ``partner`` depends on ``home`` (and on ``rival``); see :meth:`Session.leverage`."""
    return _session(data_dir, config).leverage(
        home,
        partner,
        rival,
        dataset=dataset,
        year=year,
        level=level,
        sigma=sigma,
        groups=groups,
        trend_window=trend_window,
    )


def substitutes(
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
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Rival substitution; see :meth:`Session.substitutes`."""
    return _session(data_dir, config).substitutes(
        home,
        partner,
        rival,
        dataset=dataset,
        year=year,
        level=level,
        min_rca=min_rca,
        min_world_share=min_world_share,
        min_rival_share=min_rival_share,
    )


def exposure(
    home: str,
    partner: str,
    *,
    dataset: str | None = None,
    year: int | None = None,
    level: Level | None = None,
    gdp_usd: float | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Home's exposure to the partner; see :meth:`Session.exposure`."""
    return _session(data_dir, config).exposure(
        home, partner, dataset=dataset, year=year, level=level, gdp_usd=gdp_usd
    )


def formula(
    home: str,
    partner: str = _formula.ANNEX_PARTNER,
    *,
    dataset: str | None = None,
    year: int | None = None,
    imports_usd: float | None = None,
    exports_usd: float | None = None,
    target_rate: float | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """The reciprocal formula; see :meth:`Session.formula`.

    With ``imports_usd`` and ``exports_usd`` no data directory is opened.
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
    return _session(data_dir, config).formula(
        home, partner, dataset=dataset, year=year, target_rate=target_rate
    )


def formula_annex(
    *,
    dataset: str | None = None,
    year: int | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """The formula for every Annex I partner; see :meth:`Session.formula_annex`."""
    return _session(data_dir, config).formula_annex(dataset=dataset, year=year)


def balance(
    home: str,
    partner: str = _formula.ANNEX_PARTNER,
    *,
    dataset: str | None = None,
    start: str | None = None,
    end: str | None = None,
    frequency: Frequency = "monthly",
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """The partner's goods balance with ``home`` over time; see :meth:`Session.balance`."""
    return _session(data_dir, config).balance(
        home, partner, dataset=dataset, start=start, end=end, frequency=frequency
    )


def concessions(
    home: str,
    partner: str,
    *,
    dataset: str | None = None,
    year: int | None = None,
    level: Level | None = None,
    target_rate: float = 0.10,
    min_rca: float = 1.0,
    min_world_share: float = 0.10,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """The concession finder; see :meth:`Session.concessions`."""
    return _session(data_dir, config).concessions(
        home,
        partner,
        dataset=dataset,
        year=year,
        level=level,
        target_rate=target_rate,
        min_rca=min_rca,
        min_world_share=min_world_share,
    )


def peers(
    home: str,
    partner: str,
    peers: str = "ASEAN",
    *,
    dataset: str | None = None,
    year: int | None = None,
    level: Level | None = None,
    sigma: float | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Home and its peers in the partner's market; see :meth:`Session.peers`."""
    return _session(data_dir, config).peers(
        home, partner, peers, dataset=dataset, year=year, level=level, sigma=sigma
    )


def scan(
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
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Home's leverage over every partner at once (``over``: reversed); see :meth:`Session.scan`."""
    return _session(data_dir, config).scan(
        home,
        partners=partners,
        over=over,
        min_share=min_share,
        min_imports_usd=min_imports_usd,
        dataset=dataset,
        year=year,
        level=level,
        sigma=sigma,
    )


def supply_chain(
    home: str,
    partner: str,
    *,
    industry: str | Sequence[str] | None = None,
    dataset: str = DEFAULT_DATASET,
    share_lost: float = 1.0,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Supply-chain dependence on the ICIO network; see :meth:`Session.supply_chain`."""
    return _session(data_dir, config).supply_chain(
        home, partner, industry=industry, dataset=dataset, share_lost=share_lost
    )


# -- the US tariff schedule ---------------------------------------------------------------------
def tariffs(
    importer: str,
    exporters: str | Sequence[str],
    *,
    dates: str | Sequence[Any] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    level: _tariffs.TariffLevel = "exporter",
    dataset: str = _tariffs.TARIFF_DATASET,
    usmca_share: float = 1.0,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Effective additional tariff rates by date and exporter; see :meth:`Session.tariffs`."""
    return _session(data_dir, config).tariffs(
        importer,
        exporters,
        dates=dates,
        start=start,
        end=end,
        level=level,
        dataset=dataset,
        usmca_share=usmca_share,
    )


def scenarios() -> pd.DataFrame:
    """The preset tariff scenarios (no data directory needed)."""
    from tradelever.analysis.scenarios import simulate

    return simulate.scenarios()


def scenario(spec: ScenarioSpec) -> Scenario:
    """A preset name, YAML file or mapping as a validated Scenario (no data directory needed)."""
    from tradelever.analysis.scenarios import simulate

    return simulate.scenario(spec)


def run_scenario(
    spec: ScenarioSpec,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    mode: Mode = "ces",
    home: str | None = None,
    draws: int = 0,
    baseline: Any = None,
    max_rows: int | None = 250_000,
    progress: Any = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> ScenarioResult:
    """Run a tariff scenario over all its markets; see :meth:`Session.run_scenario`."""
    return _session(data_dir, config).run_scenario(
        spec,
        dataset=dataset,
        year=year,
        mode=mode,
        home=home,
        draws=draws,
        baseline=baseline,
        max_rows=max_rows,
        progress=progress,
    )


def compare_scenarios(
    a: ScenarioSpec,
    b: ScenarioSpec,
    *,
    home: str,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    mode: Mode = "ces",
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Home's exports under two scenarios; see :meth:`Session.compare_scenarios`."""
    return _session(data_dir, config).compare_scenarios(
        a, b, home=home, dataset=dataset, year=year, mode=mode
    )


def brief(
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
    claims: PathLike | None = None,
    currency: str | None = None,
    fx: float | str | None = None,
    fx_date: str | dt.date | None = None,
    fx_source: str | None = None,
    top: int = 5,
    today: dt.date | None = None,
    progress: Any = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> Brief:
    """A sourced negotiation brief; see :meth:`Session.brief`."""
    return _session(data_dir, config).brief(
        home,
        partner,
        rival,
        peers=peers,
        dataset=dataset,
        year=year,
        level=level,
        scenarios=scenarios,
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


# -- US deals and claims (issue 14) ------------------------------------------------------------
def deals(
    partner: str = "USA",
    *,
    members: str | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """The 2025-26 US deals with derived measures; see :meth:`Session.deals`."""
    return _session(data_dir, config).deals(partner, members=members)


def deal(
    partner: str, *, data_dir: PathLike | None = None, config: Config | None = None
) -> TableResult:
    """Every quoted fact of one partner's US deal(s); see :meth:`Session.deal`."""
    return _session(data_dir, config).deal(partner)


def first_in_line(
    partner: str = "USA",
    *,
    home: str | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Rate obtained against the date of each deal; see :meth:`Session.first_in_line`."""
    return _session(data_dir, config).first_in_line(partner, home=home)


def precedents(
    offer: str,
    partner: str = "USA",
    *,
    members: str | None = None,
    data_dir: PathLike | None = None,
    config: Config | None = None,
) -> TableResult:
    """Comparable precedents for an offer type; see :meth:`Session.precedents`."""
    return _session(data_dir, config).precedents(offer, partner, members=members)


def check_claims(
    path: PathLike, *, data_dir: PathLike | None = None, config: Config | None = None
) -> TableResult:
    """Check a claims file against the data; see :meth:`Session.check_claims`."""
    return _session(data_dir, config).check_claims(path)


def ingest_baci(
    path: PathLike,
    name: str | None = None,
    data_dir: PathLike | None = None,
    *,
    years: list[int] | None = None,
    progress: Any = None,
    config: Config | None = None,
    tables: bool = False,
) -> IngestResult:
    """Ingest a CEPII BACI release (zip, folder or one yearly CSV) into the store.

    See :func:`tradelever.store.ingest.ingest_baci`; returns its ``IngestResult`` (``name``,
    ``manifest``, ``unchanged``, ``rows``, ``seconds``). Re-ingesting identical files is a
    no-op; a malformed row raises ``DataFileError`` and leaves the store unchanged.

    ``tables``: also compute the market tables at the data set's level
    (:func:`tradelever.analysis.markets.market_indicators`) before the new version is
    published, so that readers (a running server) never see it without them; ``progress``
    then also gets two ``tables`` events (``bytes_done`` 0 of 1 when the build starts, 1 of
    1 when it is done). Their failure publishes nothing.
    """
    from tradelever.analysis.markets import market_indicators
    from tradelever.store.ingest import IngestProgress
    from tradelever.store.ingest import ingest_baci as _ingest

    store = Store(_configure(config, data_dir=data_dir).data_dir)

    def build_tables(staged: Any, record: dict[str, Any]) -> None:
        if progress is not None:
            progress(IngestProgress("tables", staged.name, 0, 0, 1))
        market_indicators(store, staged.name, staged=staged, record=record)
        if progress is not None:
            progress(IngestProgress("tables", staged.name, 0, 1, 1))

    result = _ingest(
        store,
        path,
        name,
        years=years,
        progress=progress,
        before_publish=build_tables if tables else None,
    )
    if tables and result.unchanged:  # the same files: their tables may not be built yet
        market_indicators(store, result.name)
    return result


def datasets(data_dir: PathLike | None = None, *, config: Config | None = None) -> pd.DataFrame:
    """The ``datasets`` table of a data directory."""
    return open_store(config=_configure(config, data_dir=data_dir)).datasets()


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
    max_bytes: int | None = None,
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
        max_bytes=max_bytes,
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
    max_bytes: int | None = None,
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
        max_bytes=max_bytes,
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
    max_bytes: int | None = None,
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
        max_bytes=max_bytes,
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

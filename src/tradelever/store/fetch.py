"""Fetch real data into the store: UN Comtrade, US Census, CEPII BACI downloads.

:mod:`tradelever.api` wraps these as ``fetch_comtrade``, ``fetch_census`` and ``fetch_baci``
(resolving the :class:`~tradelever.config.Config`: data directory, keys, base URLs, cache).
Each call validates its parameters before any request, fetches through the shared HTTP
layer (retries, backoff, deadlines and size caps, safe redirects, an on-disk cache of
validated answers under ``<data_dir>/cache/http``), converts to canonical tables and stores
one data set atomically. Progress goes to an optional hook ``progress(description, done,
total)``; nothing is printed. Keys come from the configuration; nothing here reads the
environment.

>>> import tradelever.api as tl
>>> r = tl.fetch_census(2024, "8542,4015")                      # doctest: +SKIP
>>> tl.leverage("MYS", "USA", dataset=r.name, level="hs6")       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tradelever.config import Config, reveal
from tradelever.errors import InputError
from tradelever.sources import baci_download, census, comtrade
from tradelever.sources.http import HttpClient, ProgressHook
from tradelever.store import Store
from tradelever.store.fetched import save_fetched
from tradelever.store.ingest import ingest_baci

__all__ = ["FetchResult", "fetch_baci", "fetch_census", "fetch_comtrade"]


@dataclass(frozen=True)
class FetchResult:
    """What a fetch stored.

    Attributes
    ----------
    name
        Data set name (use it as ``--dataset``).
    rows
        Flow rows stored.
    manifest
        The data set's provenance record.
    report
        Unmapped partner codes (kept as placeholders), totals checks, empty chunks,
        request and cache counts; for BACI the download record.
    """

    name: str
    rows: int
    manifest: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        keys = ("source", "endpoint", "retrieved_at", "licence", "years", "classification")
        return {
            "name": self.name,
            "rows": self.rows,
            **{k: self.manifest.get(k) for k in keys},
            "assumptions": list(self.manifest.get("assumptions", [])),
            "report": self.report,
        }


@contextlib.contextmanager
def _client(config: Config, client: HttpClient | None) -> Iterator[HttpClient]:
    """The caller's client, or one with the configured response cache, closed afterwards."""
    if client is not None:
        yield client
        return
    own = HttpClient(cache_dir=config.http_cache_dir, cache_max_age=config.http_cache_max_age)
    try:
        yield own
    finally:
        own.close()


def _fetch_and_store(
    fetch: Callable[..., Any],
    query: Any,
    *,
    key: Any,
    base: str,
    name: str | None,
    refresh: bool,
    config: Config,
    progress: ProgressHook | None,
    client: HttpClient | None,
    max_bytes: int | None,
) -> FetchResult:
    """Run one API source's ``fetch(query, ...)`` with its key and base URL, then store it."""
    store = Store(config.data_dir)
    with _client(config, client) as http:
        fetched = fetch(
            query,
            client=http,
            api_key=reveal(key),
            base=base,
            progress=progress,
            refresh=refresh,
            max_bytes=max_bytes,
        )
    manifest = save_fetched(store, fetched, name)
    return FetchResult(manifest["name"], fetched.rows, manifest, fetched.report)


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
    refresh: bool = False,
    config: Config,
    progress: ProgressHook | None = None,
    client: HttpClient | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """Fetch UN Comtrade data and store it as a data set (default ``comtrade-usa-m-2023``).

    Parameters
    ----------
    reporter
        ISO3 code(s) of the reporting country, e.g. ``"USA"``.
    hs
        HS codes of one length (``"8542,4015"`` or 6-digit codes for HS6 detail).
    years
        ``2023``, ``"2023,2024"``; with ``freq="M"`` also ``YYYYMM`` months.
    partner
        ``"all"`` (default) or ISO3 codes.
    flow
        ``M`` (reporter's imports) or ``X`` (reporter's exports).
    freq
        ``A`` annual or ``M`` monthly.
    classification
        ``HS`` as reported, or an HS revision (``HS22``).
    name
        Data set name.
    refresh
        Ignore cached responses.
    config
        Data directory, ``comtrade_api_key`` (without one the public preview is used),
        ``comtrade_url`` and the response cache.
    progress
        ``progress(description, done, total)`` hook.
    client
        An :class:`HttpClient` to use (tests, custom retry settings).
    max_bytes
        Size cap of one answer (default 16 MiB for the preview, 384 MiB for the full API).

    Raises
    ------
    InputError
        Invalid parameters, before any request.
    FetchError, EmptyResultError
        See :func:`tradelever.sources.comtrade.fetch_comtrade`.
    """
    if isinstance(years, int):
        years = str(years)
    query = comtrade.ComtradeQuery.build(
        reporters=reporter,
        partners=partner,
        hs=hs,
        periods=years if isinstance(years, str) else [str(y) for y in years],
        flow=str(flow).strip().upper(),
        freq=str(freq).strip().upper(),
        classification=classification,
    )
    return _fetch_and_store(
        comtrade.fetch_comtrade,
        query,
        key=config.comtrade_api_key,
        base=config.comtrade_url,
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
    refresh: bool = False,
    config: Config,
    progress: ProgressHook | None = None,
    client: HttpClient | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """Fetch US Census trade by HS6 and partner for one year; store it (``census-imports-2024``).

    The result works with ``leverage(home, "USA", dataset=name, level="hs6")``: the home
    country's place in US imports. Parameters as :func:`fetch_comtrade`; the key (optional;
    without one the keyless quota of 500 calls a day) and base URL are
    ``config.census_api_key`` and ``config.census_url``; ``max_bytes`` defaults to 64 MiB.

    Raises
    ------
    InputError, FetchError, EmptyResultError, DataFileError
        See :func:`tradelever.sources.census.fetch_census`.
    """
    query = census.CensusQuery.build(year=year, hs=hs, flow=flow)
    return _fetch_and_store(
        census.fetch_census,
        query,
        key=config.census_api_key,
        base=config.census_url,
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
    sha256: str | None = None,
    force: bool = False,
    config: Config,
    progress: ProgressHook | None = None,
    ingest_progress: Callable[[Any], None] | None = None,
    client: HttpClient | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """Download ``BACI_{hs}_{release}.zip`` from CEPII (resumable, verified) and ingest it.

    The zip goes to ``<data_dir>/downloads/baci/`` and stays there (re-running reuses it
    after re-checking its sha256), then goes to :func:`tradelever.store.ingest.ingest_baci`.

    Parameters
    ----------
    release, hs
        ``V202501`` and ``HS22``.
    years
        Years to ingest (default all); a year absent from the release is an
        :class:`InputError` naming the years it has.
    name
        Data set name (default from the release, e.g. ``baci-hs22-v202501``).
    sha256
        Expected digest of the zip, if known.
    force
        Download again even if a verified zip is present.
    config
        Data directory (the zip goes under it) and ``baci_url`` (default CEPII's folder).
    progress
        Download progress hook (bytes).
    ingest_progress
        Passed to the ingest as its ``progress`` callback.
    max_bytes
        Size cap of the zip (default 8 GiB).

    Raises
    ------
    InputError, FetchError, DataFileError
        Invalid options; download failures (the ``.part`` file is kept for resuming);
        a corrupt archive (deleted) or an ingest error.
    """
    release, hs = baci_download.validate_release(release, hs)
    year_list: list[int] | None = None
    if years is not None:
        items = years.split(",") if isinstance(years, str) else [str(y) for y in years]
        try:
            year_list = sorted({int(str(y).strip()) for y in items if str(y).strip()})
        except ValueError:
            raise InputError(f"--years: {years!r} is not a list of years YYYY") from None
    store = Store(config.data_dir)
    with _client(config, client) as http:
        download = baci_download.download_baci(
            release,
            hs,
            dest_dir=store.root / "downloads" / "baci",
            client=http,
            base=config.baci_url,
            expected_sha256=sha256,
            progress=progress,
            force=force,
            max_bytes=max_bytes or baci_download.MAX_ZIP_BYTES,
        )
    if year_list is not None:
        absent = [y for y in year_list if y not in download.years]
        if absent:
            raise InputError(
                f"--years: {', '.join(map(str, absent))} not in {download.path.name} (years "
                f"{', '.join(map(str, download.years))})"
            )
    result = ingest_baci(store, download.path, name, years=year_list, progress=ingest_progress)
    rows = int(result.manifest.get("rows") or 0)
    ds_name = result.name
    manifest = result.manifest
    return FetchResult(ds_name, rows, manifest, {"download": download.record()})

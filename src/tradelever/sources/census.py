"""US Census Bureau international trade API: US imports and exports by HS code and country.

Endpoints (``reference/data-formats.md`` section c), base ``https://api.census.gov`` unless
``$TRADELEVER_CENSUS_URL`` or the ``base`` parameter says otherwise:

- imports: ``/data/timeseries/intltrade/imports/hs`` (``I_COMMODITY``, ``GEN_VAL_YR``);
- exports: ``/data/timeseries/intltrade/exports/hs`` (``E_COMMODITY``, ``ALL_VAL_YR``).

An optional key (the ``api_key`` argument; the command line reads ``$CENSUS_API_KEY``) lifts
the 500-calls-a-day limit. It is sent as ``key=`` to the API's own origin only, and never
reaches a cache file, a manifest, a message or a log. The response is a JSON array of arrays:
a header row, then one row per country and commodity, every value a string, predicate
variables (``time``, ``COMM_LVL``) appended as columns. HTTP 204 with no body means "no
data": the fetcher explains why rather than returning an empty table.

Annual values
-------------
``GEN_VAL_YR`` (general imports, customs value) and ``ALL_VAL_YR`` (total exports, FOB) are
year-to-date sums, so the value at ``time=YYYY-12`` is the calendar-year total. One call per
HS code asks for its 6-digit detail (``COMM_LVL=HS6``, ``I_COMMODITY=8542*``).

Countries
---------
``CTY_CODE`` is a Census Schedule C code, not ISO or M49 (5570 Malaysia, 5700 China, 5830
Taiwan). ``data/census_countries.csv`` maps them to ISO3 and says where each comes from.
Aggregate rows (``CTY_CODE`` ``-`` "TOTAL FOR ALL COUNTRIES", ``0xxx`` groupings such as the
European Union, ``nXXX`` continents, ``SUMMARY_LVL`` other than ``DET``) are never stored as
flows; the total row checks that the country rows add up. A country code not in the table is
kept as ``CTY<code>`` (so US totals stay complete) and listed in the fetch report.

Direction: imports give ``exporter = partner, importer = USA``; exports give
``exporter = USA, importer = partner``. US-reported data only, no mirror data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.errors import DataFileError, EmptyResultError, InputError
from tradelever.reference.package_data import read_code_list
from tradelever.sources.fetched import FetchedFlows, country_code_placeholder
from tradelever.sources.http import HttpClient, HttpResponse, ProgressHook, base_url

__all__ = [
    "DEFAULT_URL",
    "ENV_KEY",
    "ENV_URL",
    "LICENCE",
    "MAX_RESPONSE_BYTES",
    "CensusQuery",
    "census_country_table",
    "fetch_census",
    "hs_revision",
    "names_agree",
    "parse_census_json",
    "rows_to_flows",
]

DEFAULT_URL: Final = "https://api.census.gov"
ENV_URL: Final = "TRADELEVER_CENSUS_URL"
ENV_KEY: Final = "CENSUS_API_KEY"
LICENCE: Final = "Public domain (US Government work; Census Bureau data are CC0)"
_PATHS: Final = {
    "imports": "/data/timeseries/intltrade/imports/hs",
    "exports": "/data/timeseries/intltrade/exports/hs",
}
_FIELDS: Final = {
    "imports": ("I_COMMODITY", "I_COMMODITY_SDESC", "GEN_VAL_YR"),
    "exports": ("E_COMMODITY", "E_COMMODITY_SDESC", "ALL_VAL_YR"),
}
FIRST_YEAR: Final = 2013
#: Size cap of one answer: all countries for every HS6 code under one chapter are about
#: 10 MB of JSON.
MAX_RESPONSE_BYTES: Final = 64 * 1024**2
OFFLINE_HINT: Final = (
    "the Census API is unreachable; to work offline, load a downloaded CEPII BACI release "
    "with `tradelever ingest baci PATH`"
)


@cache
def census_country_table() -> pd.DataFrame:
    """The packaged Schedule C table: ``cty_code, iso3, census_name, source``."""
    return read_code_list("census_countries.csv", ["cty_code", "iso3", "census_name", "source"])


@cache
def _cty_to_iso3() -> dict[str, str]:
    t = census_country_table()
    return dict(zip(t["cty_code"], t["iso3"], strict=True))


@cache
def _cty_names() -> dict[str, str]:
    t = census_country_table()
    return dict(zip(t["cty_code"], t["census_name"], strict=True))


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^A-Z]+", name.upper()) if len(t) >= 3]


def names_agree(expected: str, got: str) -> bool:
    """Whether two spellings of a country name plausibly name the same country.

    True when a word of one shares its first four letters with a word of the other
    ("KOREA, SOUTH" / "SOUTH KOREA", "TURKEY" / "TURKIYE", "CZECH REPUBLIC" / "CZECHIA").
    """
    a, b = _tokens(expected), _tokens(got)
    return any(x[:4] == y[:4] for x in a for y in b)


def hs_revision(year: int) -> str:
    """HS revision of US 6-digit codes in a year (HS22 from 2022, HS17 2017-21, ...)."""
    for start, label in ((2022, "HS22"), (2017, "HS17"), (2012, "HS12"), (2007, "HS07")):
        if year >= start:
            return label
    return "HS02"


@dataclass(frozen=True)
class CensusQuery:
    """A validated Census request: one year, HS codes, imports or exports.

    Use :meth:`build`, which raises :class:`InputError` naming the option at fault.
    """

    year: int
    hs: tuple[str, ...]
    flow: Literal["imports", "exports"] = "imports"

    @classmethod
    def build(
        cls, *, year: int | str, hs: str | list[str] | tuple[str, ...], flow: str = "imports"
    ) -> CensusQuery:
        """Validate the options (before any request) and return a query."""
        try:
            year_i = int(str(year).strip())
        except ValueError:
            raise InputError(f"--year: {year!r} is not a year YYYY") from None
        this_year = datetime.now(UTC).year
        if not FIRST_YEAR <= year_i <= this_year:
            raise InputError(
                f"--year: {year_i} is outside {FIRST_YEAR}-{this_year}, the years the Census "
                "HS time series covers"
            )
        items = [
            s.strip() for s in (hs.split(",") if isinstance(hs, str) else hs) if str(s).strip()
        ]
        if not items:
            raise InputError("--hs: give at least one HS code (e.g. 8542,4015)")
        for item in items:
            if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", item):
                raise InputError(
                    f"--hs: {item!r} is not an HS code of 2, 4 or 6 digits (chapters 01-09 need "
                    "their leading zero)"
                )
        flow_key = str(flow).strip().lower()
        if flow_key not in _PATHS:
            raise InputError(f"--flow: {flow!r} is not imports or exports")
        return cls(year=year_i, hs=tuple(dict.fromkeys(items)), flow=flow_key)  # type: ignore[arg-type]

    def default_name(self) -> str:
        """``census-imports-2024``."""
        return f"census-{self.flow}-{self.year}"

    def params(self, code: str) -> dict[str, str]:
        """Query parameters for one HS code (6-digit detail under it)."""
        commodity, sdesc, value = _FIELDS[self.flow]
        return {
            "get": f"CTY_CODE,CTY_NAME,{commodity},{sdesc},{value},SUMMARY_LVL",
            "time": f"{self.year}-12",
            "COMM_LVL": "HS6",
            commodity: code if len(code) == 6 else f"{code}*",
        }


def parse_census_json(body: Any, url: str) -> pd.DataFrame:
    """Turn the array-of-arrays body into a DataFrame of strings (header row = columns).

    Duplicate header names (a predicate also listed in ``get``) keep the first column.

    Raises
    ------
    DataFileError
        If the body is not a list of equally long lists of strings with a header row.
    """
    if not isinstance(body, list) or not body or not isinstance(body[0], list):
        raise DataFileError("expected a JSON array of arrays with a header row", path=url)
    header = [str(h) for h in body[0]]
    rows = body[1:]
    for i, row in enumerate(rows, start=2):
        if not isinstance(row, list) or len(row) != len(header):
            raise DataFileError(
                f"row has {len(row) if isinstance(row, list) else 'no'} values, header has "
                f"{len(header)}",
                path=url,
                line=i,
            )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame.astype(str)


def _is_aggregate(code: str, level: str) -> bool:
    return code == "-" or code.startswith("0") or not code.isdigit() or level not in ("DET", "")


def rows_to_flows(
    frame: pd.DataFrame, query: CensusQuery, url: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Convert one response (all countries, 6-digit codes) to flows, products and a report.

    ``value_usd`` = the December year-to-date value (string -> float, US dollars);
    ``quantity`` is NaN (Census quantities are defined at HS10, in varying units).
    """
    commodity, sdesc, value = _FIELDS[query.flow]
    needed = ["CTY_CODE", "CTY_NAME", commodity, value]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"response lacks the columns {', '.join(missing)}; the API variables may have "
            "changed (see variables.json)",
            path=url,
        )
    frame = frame.copy()
    numbers = pd.to_numeric(frame[value].str.strip(), errors="coerce")
    bad = ~np.isfinite(numbers.astype(float)) | (numbers < 0)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(
            f"value {frame[value].iloc[pos]!r} for CTY_CODE {frame['CTY_CODE'].iloc[pos]} is "
            "not a finite non-negative number of dollars",
            path=url,
            line=pos + 2,
            field=value,
        )
    frame["value"] = numbers.astype(float)
    frame["code"] = frame["CTY_CODE"].str.strip()
    frame["product"] = frame[commodity].str.strip()
    level = frame["SUMMARY_LVL"].str.strip() if "SUMMARY_LVL" in frame.columns else ""
    frame["aggregate"] = [
        _is_aggregate(c, lv)
        for c, lv in zip(frame["code"], pd.Series(level, index=frame.index), strict=True)
    ]
    badp = ~frame["product"].str.fullmatch(r"\d{6}")
    if badp.any():
        pos = int(np.flatnonzero(badp.to_numpy())[0])
        raise DataFileError(
            f"commodity {frame['product'].iloc[pos]!r} is not a 6-digit HS code",
            path=url,
            line=pos + 2,
            field=commodity,
        )
    detail = frame[~frame["aggregate"]].copy()
    totals = frame[frame["code"] == "-"]
    mapping = _cty_to_iso3()
    detail["partner"] = detail["code"].map(mapping)
    # A code whose name in the response does not resemble the table's name is not trusted:
    # kept under a placeholder and reported (the table, not the data, is then suspect).
    names = _cty_names()
    suspect = [
        c
        for c, n in zip(detail["code"], detail["CTY_NAME"], strict=True)
        if c in names and not names_agree(names[c], n)
    ]
    detail.loc[detail["code"].isin(suspect), "partner"] = None
    unmapped = detail[detail["partner"].isna()]
    unmapped_report = []
    for c, g in unmapped.groupby("code"):
        entry = {
            "code": c,
            "name": str(g["CTY_NAME"].iloc[0]),
            "kept_as": country_code_placeholder("census", c),
            "value_usd": float(g["value"].sum()),
        }
        if c in names:
            entry["note"] = (
                f"tradelever's table maps {c} to {mapping[c]} ({names[c]}), but the API names "
                "it differently: mapping not applied; check data/census_countries.csv"
            )
        unmapped_report.append(entry)
    detail.loc[detail["partner"].isna(), "partner"] = detail.loc[
        detail["partner"].isna(), "code"
    ].map(lambda c: country_code_placeholder("census", c))
    if query.flow == "imports":
        exporter, importer = detail["partner"], pd.Series("USA", index=detail.index)
    else:
        exporter, importer = pd.Series("USA", index=detail.index), detail["partner"]
    flows = pd.DataFrame(
        {
            f.YEAR: np.full(len(detail), query.year, dtype="int16"),
            f.EXPORTER: exporter.astype(str).to_numpy(),
            f.IMPORTER: importer.astype(str).to_numpy(),
            f.PRODUCT: detail["product"].to_numpy(),
            f.CLASSIFICATION: hs_revision(query.year),
            f.VALUE_USD: detail["value"].to_numpy(),
            f.QUANTITY: np.full(len(detail), np.nan),
        }
    )
    flows = flows[flows[f.VALUE_USD] > 0]
    desc = frame[sdesc] if sdesc in frame.columns else pd.Series("", index=frame.index)
    products = pd.DataFrame(
        {
            f.CLASSIFICATION: hs_revision(query.year),
            f.CODE: frame["product"].to_numpy(),
            f.DESCRIPTION: desc.str.strip().to_numpy(),
        }
    ).drop_duplicates(f.CODE)
    check = []
    sums = detail.groupby("product")["value"].sum()
    for product, total in totals.groupby("product")["value"].sum().items():
        partners = float(sums.get(product, 0.0))
        check.append({"code": product, "total_usd": float(total), "countries_usd": partners})
    return flows, products, {"unmapped_partners": unmapped_report, "totals": check}


def fetch_census(
    query: CensusQuery,
    *,
    client: HttpClient,
    api_key: str | None = None,
    base: str | None = None,
    progress: ProgressHook | None = None,
    refresh: bool = False,
    max_bytes: int | None = None,
) -> FetchedFlows:
    """Fetch a validated query (one call per HS code) and convert it to canonical flows.

    Parameters
    ----------
    query
        See :class:`CensusQuery`.
    client
        The shared HTTP client (retries, bounds, cache).
    api_key
        Census API key (the command line passes ``$CENSUS_API_KEY``), sent as ``key=``;
        None or empty uses the keyless quota (500 calls a day).
    base
        Base URL; default ``$TRADELEVER_CENSUS_URL`` or ``https://api.census.gov``.
    progress
        Hook called as ``progress("Census requests", done, total)``.
    refresh
        Ignore cached responses.
    max_bytes
        Size cap of one answer; default :data:`MAX_RESPONSE_BYTES`.

    Raises
    ------
    FetchError
        On HTTP failures (401/403 name ``$CENSUS_API_KEY``), a body that is not JSON, a
        bad redirect, an answer over the cap.
    DataFileError
        On a malformed response (the message names the URL, row and field). Neither is
        cached; an answer from the cache that fails says so and names ``--refresh``.
    EmptyResultError
        When every code came back empty (HTTP 204), with the likely reasons.
    """
    key = api_key or None
    endpoint = base_url(DEFAULT_URL, base) + _PATHS[query.flow]
    hint = (
        f"the key (${ENV_KEY}) was refused: check it, or unset it to use the keyless quota "
        "(500 calls a day)"
        if key
        else f"without a key the quota is 500 calls a day: request a free key at "
        f"https://api.census.gov/data/key_signup.html and set ${ENV_KEY}"
    )

    def validate(response: HttpResponse) -> Any:
        frame = parse_census_json(response.json(), response.url)
        return rows_to_flows(frame, query, response.url)

    all_flows, all_products, unmapped, totals, empty = [], [], [], [], []
    retrieved: list[str] = []
    cached = 0
    for i, code in enumerate(query.hs, start=1):
        params: dict[str, str] = query.params(code)
        if key:
            params["key"] = key
        response = client.get(
            endpoint,
            params,
            use_cache=not refresh,
            auth_hint=hint,
            validate=validate,
            max_bytes=max_bytes or MAX_RESPONSE_BYTES,
            offline_hint=OFFLINE_HINT,
        )
        cached += int(response.from_cache)
        retrieved.append(response.retrieved_at)
        if response.status == 204 or not response.content.strip():
            empty.append(code)
        else:
            flows, products, report = response.parsed
            all_flows.append(flows)
            all_products.append(products)
            unmapped.extend(report["unmapped_partners"])
            totals.extend(report["totals"])
        if progress is not None:
            progress("Census requests", i, len(query.hs))
    if not all_flows or all(fr.empty for fr in all_flows):
        raise EmptyResultError(_explain_empty(query, empty), url=endpoint, status=204)
    flows = pd.concat(all_flows, ignore_index=True)
    flows = (
        flows.groupby([f.YEAR, f.EXPORTER, f.IMPORTER, f.PRODUCT, f.CLASSIFICATION], as_index=False)
        .agg({f.VALUE_USD: "sum", f.QUANTITY: "first"})
        .sort_values([f.PRODUCT, f.EXPORTER, f.IMPORTER], kind="mergesort")
        .reset_index(drop=True)
    )
    flows[f.YEAR] = flows[f.YEAR].astype("int16")
    products = pd.concat(all_products, ignore_index=True).drop_duplicates(f.CODE)
    products[f.PARENT] = products[f.CODE].str[:4]
    products[f.LEVEL] = "hs6"
    products = products.sort_values(f.CODE).reset_index(drop=True)
    mismatches = [
        t
        for t in totals
        if abs(t["total_usd"] - t["countries_usd"]) > max(1.0, 0.001 * t["total_usd"])
    ]
    report = {
        "requests": len(query.hs),
        "cached_responses": cached,
        "empty_codes": empty,
        "unmapped_partners": unmapped,
        "totals_check": {"checked": len(totals), "mismatches": mismatches},
    }
    manifest = _manifest(query, endpoint, min(retrieved), report)
    manifest["years"] = [query.year]
    return FetchedFlows(
        source="census",
        default_name=query.default_name(),
        flows=flows,
        products=products,
        manifest=manifest,
        report=report,
    )


def _explain_empty(query: CensusQuery, codes: list[str]) -> str:
    return (
        f"the Census API returned no data (HTTP 204) for US {query.flow}, time={query.year}-12, "
        f"HS {', '.join(codes or query.hs)}. Likely causes: December {query.year} figures are "
        f"not published yet (they appear in early February {query.year + 1}); or the codes "
        "have no US trade at 6-digit level (check them against the HS nomenclature)"
    )


def _manifest(
    query: CensusQuery, endpoint: str, retrieved_at: str, report: dict[str, Any]
) -> dict[str, Any]:
    value = _FIELDS[query.flow][2]
    what = (
        "general imports, customs value (not CIF): exporter = partner, importer = USA"
        if query.flow == "imports"
        else "total exports (domestic and foreign), FOB: exporter = USA, importer = partner"
    )
    assumptions = [
        f"US Census Bureau data as reported by the United States only ({what}); no mirror "
        "data from the partners",
        f"annual value = {value} at time={query.year}-12 (December year-to-date); quantity "
        "not stored (Census quantities are per HS10 line, in varying units)",
        "world-level fields (home_world_export_share, home_export_weight) are partial: the "
        "data set holds only US trade, so 'world' means trade with the United States",
        f"HS 6-digit codes of the revision in force in {query.year} ({hs_revision(query.year)})",
    ]
    if report["unmapped_partners"]:
        kept = ", ".join(f"{u['code']} ({u['name']})" for u in report["unmapped_partners"])
        assumptions.append(
            "Census country codes not in tradelever's Schedule C table kept as CTY<code>: " + kept
        )
    if report["totals_check"]["mismatches"]:
        codes = ", ".join(m["code"] for m in report["totals_check"]["mismatches"])
        assumptions.append(
            f"country rows do not add up to 'TOTAL FOR ALL COUNTRIES' for HS {codes} (see the "
            "fetch report)"
        )
    if report["empty_codes"]:
        assumptions.append(f"no data returned for HS {', '.join(report['empty_codes'])}")
    query_record = {"year": query.year, "hs": list(query.hs), "flow": query.flow}
    return {
        "source": f"US Census Bureau International Trade API ({query.flow} by HS)",
        "version": f"time={query.year}-12, retrieved {retrieved_at[:10]}",
        "endpoint": endpoint,
        "query": {**query_record, "params": [query.params(c) for c in query.hs]},
        "retrieved_at": retrieved_at,
        "licence": LICENCE,
        "citation": "U.S. Census Bureau, International Trade API, https://api.census.gov",
        "classification": hs_revision(query.year),
        "level": "hs6",
        "note": "US-reported data only",
        "assumptions": assumptions,
        "fetch_report": report,
    }

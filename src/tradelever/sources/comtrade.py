"""UN Comtrade API v1: final goods data by reporter, partner, HS code, period and flow.

Endpoints (``reference/data-formats.md`` section b):

- public preview, no key: ``/public/v1/preview/C/{A|M}/{cl}``, at most 500 records a call;
- full API with ``COMTRADE_API_KEY``: ``/data/v1/get/C/{A|M}/{cl}`` with the key in the
  ``Ocp-Apim-Subscription-Key`` header, at most 250,000 records a call.

The base URL is ``https://comtradeapi.un.org`` unless ``$TRADELEVER_COMTRADE_URL`` or the
``base_url`` parameter says otherwise (tests point it at a local server).

Why a thin ``httpx`` client and not the official ``comtradeapicall`` package
---------------------------------------------------------------------------
``comtradeapicall`` (PyPI, MIT) wraps the same endpoints, but: it prints errors and carries on
instead of raising (comtradeapicall #5), so a script cannot tell a failure from an empty
answer or retry it; malformed parameters (``period=2023`` with ``freqCode=M``, an ISO code
for ``reporterCode``) come back as an empty DataFrame rather than an error (#18, #21); it has
no retry on HTTP 429 (#3), no on-disk cache and no resumable chunking (#12); and it would
pull ``requests`` beside our ``httpx``. The API itself is a plain GET returning a small JSON
envelope, so a client of a few hundred lines with local validation (pydantic), typed errors,
backoff, caching and chunking costs less than working around the package.

Reporter-side data, no mirror
-----------------------------
Every record is what the *reporter* declared. ``reporter=USA, flow=M`` gives US imports
by partner, stored as ``exporter = partner, importer = USA``; ``flow=X`` gives US exports,
``exporter = USA, importer = partner``. No mirror data (the partners' own declarations)
are fetched or reconciled, unlike CEPII BACI: the data set's assumptions say so. Import
values (``primaryValue``) are normally CIF and export values FOB, as reported.

Chunks and resuming
-------------------
A query is split into chunks (reporter x year x groups of HS codes) sized so that the
expected record count stays under the endpoint's cap; a chunk whose answer reaches the cap
(``count == cap``) is split again, and one that cannot be split raises rather than
returning a truncated table. Every completed chunk is in the on-disk cache, so re-running
a fetch that failed half-way (quota, network) asks only for the chunks still missing.

Country codes
-------------
Comtrade area codes are M49-like but not M49 (USA 842, France 251, India 699, Italy 380 and
formerly 381, Switzerland 757, Norway 579, Taiwan 490 "Other Asia, nes"). The mapping table
``data/comtrade_areas.csv`` says where it comes from. Partner ``0`` (World) is never stored as
a flow; it is used to check that the partner rows add up. Partner areas without an ISO3 code
(bunkers, free zones, "areas, nes") are kept as placeholders (``CT899``) so totals stay
complete, and are listed in the fetch report.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from tradelever import schema as f
from tradelever.errors import EmptyResultError, FetchError, InputError
from tradelever.reference.package_data import read_code_list
from tradelever.sources.fetched import FetchedFlows, country_code_placeholder, product_level
from tradelever.sources.http import HttpClient, ProgressHook, base_url, redact_url

__all__ = [
    "DEFAULT_URL",
    "ENV_KEY",
    "ENV_URL",
    "LICENCE",
    "PREVIEW_CAP",
    "ComtradeQuery",
    "comtrade_area_table",
    "comtrade_code",
    "fetch_comtrade",
    "records_to_flows",
]

log = logging.getLogger(__name__)

DEFAULT_URL: Final = "https://comtradeapi.un.org"
ENV_URL: Final = "TRADELEVER_COMTRADE_URL"
ENV_KEY: Final = "COMTRADE_API_KEY"
PREVIEW_CAP: Final = 500
FULL_CAP: Final = 250_000
LICENCE: Final = (
    "UN Comtrade terms of use (https://uncomtrade.org/docs/terms-of-use/): data may be used "
    "and cited with the source 'UN Comtrade'; bulk redistribution requires UN permission"
)
#: Comtrade classificationCode -> HS revision label used in the store.
HS_REVISIONS: Final = {
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
}
_REVISION_TO_CL: Final = {v: k for k, v in HS_REVISIONS.items()}
#: Partners a single "all partners" call may return (about 240 areas plus aggregates).
_ALL_PARTNERS_ESTIMATE: Final = 260


@cache
def comtrade_area_table() -> pd.DataFrame:
    """The packaged Comtrade area code table: ``code, iso3, name, kind``."""
    return read_code_list("comtrade_areas.csv", ["code", "iso3", "name", "kind"])


@cache
def _code_to_iso3() -> dict[int, str]:
    t = comtrade_area_table()
    return {int(c): i for c, i in zip(t["code"], t["iso3"], strict=True) if i}


@cache
def _iso3_to_code() -> dict[str, int]:
    t = comtrade_area_table()
    current = t[t["kind"] == "country"]
    return {i: int(c) for c, i in zip(current["code"], current["iso3"], strict=True)}


def comtrade_code(iso3: str, *, parameter: str = "reporter") -> int:
    """Comtrade area code of an ISO3 country (``USA`` -> 842, ``FRA`` -> 251).

    Raises
    ------
    InputError
        If the code is not an ISO3 code Comtrade reports under.
    """
    key = str(iso3).strip().upper()
    table = _iso3_to_code()
    if key not in table:
        import difflib

        close = difflib.get_close_matches(key, list(table), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise InputError(f"{parameter}: {iso3!r} is not an ISO3 country known to UN Comtrade{hint}")
    return table[key]


def _split(value: str | Sequence[str] | Sequence[int]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return [s.strip() for s in items if s.strip()]


class ComtradeQuery(BaseModel):
    """A Comtrade request, validated locally before any call is made.

    Parameters
    ----------
    reporters
        ISO3 codes of the reporting countries (``USA``), converted to Comtrade codes.
    partners
        ISO3 codes, or None / ``"all"`` for every partner (World, partner 0, is then used
        only to check totals).
    hs
        HS codes, all of one length: 2, 4 or 6 digits (``8542``, ``854231``). Records come
        back at the level asked: to get 6-digit detail, list 6-digit codes.
    periods
        Years ``YYYY``; with ``freq="M"`` also months ``YYYYMM`` (a year means its 12
        months).
    flow
        ``M`` imports or ``X`` exports, as declared by the reporter.
    freq
        ``A`` annual or ``M`` monthly.
    classification
        ``HS`` (as reported, the default) or a revision (``HS22`` / ``H6`` ... ``HS92`` /
        ``H0``).
    """

    model_config = ConfigDict(frozen=True)

    reporters: tuple[str, ...]
    partners: tuple[str, ...] | None = None
    hs: tuple[str, ...]
    periods: tuple[str, ...]
    flow: Literal["M", "X"] = "M"
    freq: Literal["A", "M"] = "A"
    classification: str = "HS"

    @field_validator("reporters", mode="before")
    @classmethod
    def _reporters(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one reporter as ISO3 (e.g. USA)")
        for item in items:
            comtrade_code(item, parameter="reporter")
        return tuple(dict.fromkeys(i.upper() for i in items))

    @field_validator("partners", mode="before")
    @classmethod
    def _partners(cls, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        items = _split(value)
        if not items or [i.lower() for i in items] == ["all"]:
            return None
        for item in items:
            if item.lower() == "all":
                raise ValueError("'all' cannot be combined with country codes")
            if item.upper() in ("WLD", "W00", "WORLD", "0"):
                raise ValueError(
                    "World (partner 0) is not a trading partner; use 'all' (World totals "
                    "are then used to check the partner rows)"
                )
            comtrade_code(item, parameter="partner")
        return tuple(dict.fromkeys(i.upper() for i in items))

    @field_validator("hs", mode="before")
    @classmethod
    def _hs(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one HS code (e.g. 8542,4015)")
        for item in items:
            if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", item):
                raise ValueError(
                    f"{item!r} is not an HS code of 2, 4 or 6 digits (write chapters 01-09 "
                    "with their leading zero)"
                )
        if len({len(i) for i in items}) > 1:
            raise ValueError(
                f"codes {', '.join(items)} mix levels; give codes of one length so that the "
                "data set has one product level"
            )
        return tuple(dict.fromkeys(items))

    @field_validator("periods", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> tuple[str, ...]:
        items = _split(value)
        if not items:
            raise ValueError("give at least one year (YYYY)")
        this_year = datetime.now(UTC).year
        for item in items:
            if not re.fullmatch(r"\d{4}(\d{2})?", item):
                raise ValueError(f"{item!r} is not a period YYYY (annual) or YYYYMM (monthly)")
            year = int(item[:4])
            if not 1962 <= year <= this_year:
                raise ValueError(f"{item!r}: year outside 1962-{this_year}")
            if len(item) == 6 and not 1 <= int(item[4:]) <= 12:
                raise ValueError(f"{item!r}: month must be 01-12")
        return tuple(dict.fromkeys(items))

    @field_validator("classification", mode="before")
    @classmethod
    def _classification(cls, value: Any) -> str:
        key = str(value or "HS").strip().upper()
        if key == "HS" or key in HS_REVISIONS:
            return key
        if key in _REVISION_TO_CL:
            return _REVISION_TO_CL[key]
        raise ValueError(
            f"{value!r} is not HS (as reported) or an HS revision ({', '.join(_REVISION_TO_CL)})"
        )

    @model_validator(mode="after")
    def _period_matches_freq(self) -> ComtradeQuery:
        monthly = [p for p in self.periods if len(p) == 6]
        if self.freq == "A" and monthly:
            raise ValueError(
                f"--years: periods {', '.join(monthly)} are months (YYYYMM) but freq is A "
                "(annual); give years YYYY or use freq M"
            )
        return self

    @classmethod
    def build(cls, **kwargs: Any) -> ComtradeQuery:
        """Validate and return a query; errors become :class:`InputError` naming the field."""
        try:
            return cls(**kwargs)
        except ValidationError as exc:
            raise InputError(_validation_message(exc)) from None

    # -- derived --------------------------------------------------------------------------
    def api_periods(self) -> list[list[str]]:
        """Period groups, one per year: ``[["2023"]]`` or the 12 months of each year."""
        if self.freq == "A":
            return [[p] for p in self.periods]
        groups: dict[str, list[str]] = {}
        for p in self.periods:
            months = [p] if len(p) == 6 else [f"{p}{m:02d}" for m in range(1, 13)]
            groups.setdefault(p[:4], []).extend(months)
        return [list(dict.fromkeys(v)) for v in groups.values()]

    def years(self) -> list[int]:
        """Calendar years covered."""
        return sorted({int(p[:4]) for p in self.periods})

    def default_name(self) -> str:
        """``comtrade-usa-m-2023`` (reporters, flow, years; monthly adds ``-monthly``)."""
        reporters = "-".join(r.lower() for r in self.reporters)
        years = "-".join(str(y) for y in self.years())
        name = f"comtrade-{reporters}-{self.flow.lower()}-{years}"
        return name + ("-monthly" if self.freq == "M" else "")


#: Query field -> command-line option named in error messages.
_OPTIONS: Final = {
    "reporters": "--reporter",
    "partners": "--partner",
    "hs": "--hs",
    "periods": "--years",
    "flow": "--flow",
    "freq": "--freq",
    "classification": "--classification",
}


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"][:1])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{_OPTIONS.get(loc, loc)}: {msg}" if loc else msg)
    return "; ".join(parts)


# -- fetching -----------------------------------------------------------------------------
class _Chunk:
    __slots__ = ("codes", "periods", "reporter")

    def __init__(self, reporter: str, periods: list[str], codes: list[str]) -> None:
        self.reporter = reporter
        self.periods = periods
        self.codes = codes

    def halves(self) -> list[_Chunk] | None:
        if len(self.codes) > 1:
            mid = len(self.codes) // 2
            return [
                _Chunk(self.reporter, self.periods, self.codes[:mid]),
                _Chunk(self.reporter, self.periods, self.codes[mid:]),
            ]
        if len(self.periods) > 1:
            mid = len(self.periods) // 2
            return [
                _Chunk(self.reporter, self.periods[:mid], self.codes),
                _Chunk(self.reporter, self.periods[mid:], self.codes),
            ]
        return None

    def label(self) -> str:
        return (
            f"reporter {self.reporter}, period {','.join(self.periods)}, HS {','.join(self.codes)}"
        )


def _plan(query: ComtradeQuery, cap: int) -> list[_Chunk]:
    """Chunks whose expected record count stays under the cap (split further if not)."""
    partners = len(query.partners) if query.partners else _ALL_PARTNERS_ESTIMATE
    chunks = []
    for reporter in query.reporters:
        for periods in query.api_periods():
            groups = [periods] if partners * len(periods) <= cap else [[p] for p in periods]
            for group in groups:
                per_call = max(1, cap // (partners * len(group)))
                codes = list(query.hs)
                for i in range(0, len(codes), per_call):
                    chunks.append(_Chunk(reporter, group, codes[i : i + per_call]))
    return chunks


def fetch_comtrade(
    query: ComtradeQuery,
    *,
    client: HttpClient,
    api_key: str | None = None,
    base: str | None = None,
    progress: ProgressHook | None = None,
    refresh: bool = False,
) -> FetchedFlows:
    """Fetch a validated query and convert it to canonical flows.

    Parameters
    ----------
    query
        See :class:`ComtradeQuery`.
    client
        The shared HTTP client (retries, cache).
    api_key
        Subscription key (``$COMTRADE_API_KEY`` through :class:`tradelever.config.Config`);
        without one the public preview (500 records a call) is used.
    base
        Base URL; default ``https://comtradeapi.un.org``.
    progress
        Hook called as ``progress("Comtrade requests", done, total)``.
    refresh
        Ignore cached responses.

    Raises
    ------
    FetchError
        HTTP failure, an ``error`` in the response, or a chunk that cannot be made small
        enough to avoid the record cap.
    EmptyResultError
        When no records came back at all; the message says what was asked and why it may
        be empty.
    """
    key = api_key or None
    root = base_url(DEFAULT_URL, base)
    if key:
        endpoint = f"{root}/data/v1/get/C/{query.freq}/{query.classification}"
        cap, headers, mode = FULL_CAP, {"Ocp-Apim-Subscription-Key": key}, "full API (key)"
        hint = (
            f"the subscription key in ${ENV_KEY} was rejected: check it on comtradedeveloper.un.org"
        )
    else:
        endpoint = f"{root}/public/v1/preview/C/{query.freq}/{query.classification}"
        cap, headers, mode = PREVIEW_CAP, {}, "public preview (no key)"
        hint = f"the public preview refused the call; set ${ENV_KEY} to use the full API"
    pending = _plan(query, cap)
    records: list[dict[str, Any]] = []
    empty: list[str] = []
    done = 0
    requests = 0
    cached = 0
    first_retrieved: str | None = None
    while pending:
        chunk = pending.pop(0)
        params = _params(query, chunk, cap)
        response = client.get(
            endpoint, params, headers=headers, use_cache=not refresh, auth_hint=hint
        )
        requests += 1
        cached += int(response.from_cache)
        first_retrieved = min(first_retrieved or response.retrieved_at, response.retrieved_at)
        data = _envelope(response.json() if response.status != 204 else {}, response.url)
        count = data["count"]
        if count >= cap or count > len(data["data"]) or len(data["data"]) >= cap:
            parts = chunk.halves()
            if parts is None:
                raise FetchError(
                    f"{redact_url(endpoint, params)}: {count} records for one code and one "
                    f"period reached the {cap}-record cap of the {mode}; the answer would be "
                    f"truncated. Name fewer partners (--partner) or set ${ENV_KEY}",
                    url=redact_url(endpoint, params),
                    status=response.status,
                )
            log.info("Comtrade chunk hit the cap (%d); splitting %s", cap, chunk.label())
            pending[0:0] = parts
            continue
        if not data["data"]:
            empty.append(chunk.label())
        records.extend(data["data"])
        done += 1
        if progress is not None:
            progress("Comtrade requests", done, done + len(pending))
    if not records:
        raise EmptyResultError(_explain_empty(query, mode), url=endpoint, status=200)
    flows, products, report = records_to_flows(records, query)
    if flows.empty:
        raise EmptyResultError(
            _explain_empty(query, mode)
            + f" ({len(records)} records came back, but none for a partner country: "
            "only World or aggregate rows)",
            url=endpoint,
            status=200,
        )
    report.update(requests=requests, cached_responses=cached, empty_chunks=empty, mode=mode)
    manifest = _manifest(query, endpoint, first_retrieved, flows, report, key is not None)
    return FetchedFlows(
        source="comtrade",
        default_name=query.default_name(),
        flows=flows,
        products=products,
        manifest=manifest,
        report=report,
    )


def _params(query: ComtradeQuery, chunk: _Chunk, cap: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "reporterCode": comtrade_code(chunk.reporter),
        "period": ",".join(chunk.periods),
        "cmdCode": ",".join(chunk.codes),
        "flowCode": query.flow,
        "partner2Code": 0,
        "motCode": 0,
        "customsCode": "C00",
        "includeDesc": "true",
        "maxRecords": cap,
    }
    if query.partners:
        params["partnerCode"] = ",".join(
            str(comtrade_code(p, parameter="partner")) for p in query.partners
        )
    return params


def _envelope(body: Any, url: str) -> dict[str, Any]:
    """Check the ``{elapsedTime, count, data, error}`` envelope; raise on ``error``."""
    if body in ({}, None):
        return {"count": 0, "data": []}
    if not isinstance(body, dict) or "data" not in body:
        raise FetchError(f"{url}: unexpected response shape (no 'data' field)", url=url, status=200)
    error = body.get("error")
    if error:
        raise FetchError(f"{url}: UN Comtrade returned an error: {error}", url=url, status=200)
    data = body.get("data") or []
    if not isinstance(data, list):
        raise FetchError(f"{url}: 'data' is not a list", url=url, status=200)
    count = body.get("count")
    count = int(count) if isinstance(count, (int, float)) else len(data)
    return {"count": count, "data": data}


def _explain_empty(query: ComtradeQuery, mode: str) -> str:
    partners = ", ".join(query.partners) if query.partners else "all partners"
    freq = "annual" if query.freq == "A" else "monthly"
    return (
        f"UN Comtrade ({mode}) returned no records for reporter {', '.join(query.reporters)}, "
        f"flow {query.flow}, {freq} periods {', '.join(query.periods)}, HS "
        f"{', '.join(query.hs)}, {partners}. Likely causes: the reporter has not yet "
        f"reported those periods to UN Comtrade (recent years arrive with a lag of months); "
        f"the HS codes do not exist in the classification {query.classification}; or the "
        f"reporter has no trade in them with those partners"
    )


def _num(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def records_to_flows(
    records: list[dict[str, Any]], query: ComtradeQuery
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Convert Comtrade records to canonical flows, products and a report.

    - Only total rows of the breakdowns are kept (``partner2Code`` 0, ``motCode`` 0,
      ``customsCode`` C00, when present) so nothing is counted twice.
    - ``value_usd`` = ``primaryValue`` (US dollars); ``quantity`` = ``netWgt`` / 1000
      (tonnes) where ``netWgt`` is given and positive, else NaN.
    - ``classification`` from ``classificationCode`` (H6 -> HS22).
    - Partner 0 (World) rows are not flows; they check the sum of partner rows.
    """
    frame = pd.DataFrame.from_records(records)
    required = ["reporterCode", "partnerCode", "cmdCode", "flowCode", "primaryValue", "period"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FetchError(
            f"UN Comtrade records lack the fields {', '.join(missing)}; the API format may "
            "have changed"
        )
    for col, total in (("partner2Code", 0), ("motCode", 0), ("customsCode", "C00")):
        if col in frame.columns:
            keep = frame[col].isna() | (frame[col].astype(str) == str(total))
            frame = frame[keep]
    frame = frame[frame["flowCode"].astype(str) == query.flow]
    frame = frame.drop_duplicates(subset=["reporterCode", "partnerCode", "cmdCode", "period"])
    frame = frame.copy()
    frame["partnerCode"] = frame["partnerCode"].astype(int)
    frame["reporterCode"] = frame["reporterCode"].astype(int)
    frame["value"] = frame["primaryValue"].map(_num)
    frame["cmd"] = frame["cmdCode"].astype(str)
    frame["period_s"] = frame["period"].astype(str)
    frame["year"] = frame["period_s"].str[:4].astype(int)
    cl = frame["classificationCode"] if "classificationCode" in frame.columns else "HS"
    frame["classification"] = (
        pd.Series(cl, index=frame.index).astype(str).map(lambda c: HS_REVISIONS.get(c, c))
    )
    bad = frame[frame["value"].isna() | (frame["value"] < 0)]
    if not bad.empty:
        rec = bad.iloc[0]
        raise FetchError(
            f"UN Comtrade record reporter {rec['reporterCode']}, partner {rec['partnerCode']}, "
            f"cmdCode {rec['cmd']}, period {rec['period_s']}: field 'primaryValue' is "
            f"{rec['primaryValue']!r}, not a non-negative number"
        )
    world = frame[frame["partnerCode"] == 0]
    detail = frame[frame["partnerCode"] != 0].copy()
    code_map = _code_to_iso3()
    detail["partner_iso3"] = detail["partnerCode"].map(code_map)
    unmapped = detail[detail["partner_iso3"].isna()]
    unmapped_report = []
    if not unmapped.empty:
        desc = unmapped.get("partnerDesc", pd.Series("", index=unmapped.index))
        grouped = (
            unmapped.assign(desc=desc.fillna("").astype(str))
            .groupby(["partnerCode", "desc"], as_index=False)["value"]
            .sum()
        )
        unmapped_report = [
            {
                "code": str(r.partnerCode),
                "name": r.desc,
                "kept_as": country_code_placeholder("comtrade", str(r.partnerCode)),
                "value_usd": float(r.value),
            }
            for r in grouped.itertuples()
        ]
        detail.loc[detail["partner_iso3"].isna(), "partner_iso3"] = detail.loc[
            detail["partner_iso3"].isna(), "partnerCode"
        ].map(lambda c: country_code_placeholder("comtrade", str(c)))
    detail["reporter_iso3"] = detail["reporterCode"].map(code_map)
    if detail["reporter_iso3"].isna().any():
        code = detail.loc[detail["reporter_iso3"].isna(), "reporterCode"].iloc[0]
        raise FetchError(f"UN Comtrade returned reporter code {code}, which is not in the query")
    if query.flow == "M":
        exporter, importer = detail["partner_iso3"], detail["reporter_iso3"]
    else:
        exporter, importer = detail["reporter_iso3"], detail["partner_iso3"]
    net = (
        detail["netWgt"].map(_num)
        if "netWgt" in detail.columns
        else pd.Series(np.nan, index=detail.index)
    )
    quantity = np.where(net > 0, net / 1000.0, np.nan)
    flows = pd.DataFrame(
        {
            f.YEAR: detail["year"].astype("int16").to_numpy(),
            f.EXPORTER: exporter.astype(str).to_numpy(),
            f.IMPORTER: importer.astype(str).to_numpy(),
            f.PRODUCT: detail["cmd"].to_numpy(),
            f.CLASSIFICATION: detail["classification"].to_numpy(),
            f.VALUE_USD: detail["value"].astype(float).to_numpy(),
            f.QUANTITY: quantity.astype(float),
        }
    )
    if query.freq == "M":
        flows["period"] = detail["period_s"].to_numpy()
    flows = flows.sort_values([f.YEAR, f.PRODUCT, f.EXPORTER, f.IMPORTER], kind="mergesort")
    flows = flows.reset_index(drop=True)
    products = _products(frame)
    report: dict[str, Any] = {
        "unmapped_partners": unmapped_report,
        "totals_check": _totals_check(world, detail),
        "records": len(records),
    }
    return flows, products, report


def _products(frame: pd.DataFrame) -> pd.DataFrame:
    desc = frame["cmdDesc"] if "cmdDesc" in frame.columns else pd.Series("", index=frame.index)
    table = pd.DataFrame(
        {
            f.CLASSIFICATION: frame["classification"].to_numpy(),
            f.CODE: frame["cmd"].to_numpy(),
            f.DESCRIPTION: desc.fillna("").astype(str).to_numpy(),
        }
    ).drop_duplicates([f.CLASSIFICATION, f.CODE])
    table[f.PARENT] = [c[:-2] if len(c) > 2 else "" for c in table[f.CODE]]
    table[f.LEVEL] = [product_level(c) for c in table[f.CODE]]
    return table.sort_values([f.CLASSIFICATION, f.CODE]).reset_index(drop=True)


def _totals_check(world: pd.DataFrame, detail: pd.DataFrame) -> dict[str, Any]:
    """Compare World (partner 0) rows with the sum of partner rows, per reporter-code-period."""
    if world.empty:
        return {"checked": 0, "note": "no World rows (partners were named): not checked"}
    keys = ["reporterCode", "cmd", "period_s"]
    sums = detail.groupby(keys)["value"].sum()
    totals = world.groupby(keys)["value"].sum()
    joined = pd.concat([totals.rename("world"), sums.rename("partners")], axis=1).fillna(0.0)
    joined["gap"] = joined["world"] - joined["partners"]
    tol = np.maximum(1.0, 0.005 * joined["world"].abs())
    off = joined[joined["gap"].abs() > tol]
    return {
        "checked": len(joined),
        "mismatches": [
            {
                "reporter": int(k[0]),
                "code": k[1],
                "period": k[2],
                "world_usd": float(r.world),
                "partners_usd": float(r.partners),
            }
            for k, r in off.iterrows()
        ],
    }


def _manifest(
    query: ComtradeQuery,
    endpoint: str,
    retrieved_at: str | None,
    flows: pd.DataFrame,
    report: dict[str, Any],
    keyed: bool,
) -> dict[str, Any]:
    classes = sorted(flows[f.CLASSIFICATION].unique())
    products = sorted(flows[f.PRODUCT].unique())
    direction = (
        "imports as declared by the reporter: exporter = partner, importer = reporter"
        if query.flow == "M"
        else "exports as declared by the reporter: exporter = reporter, importer = partner"
    )
    assumptions = [
        f"UN Comtrade reporter-side data only ({direction}); no mirror data (partners' own "
        "declarations) and no reconciliation as in BACI",
        "value_usd = primaryValue in current US dollars (imports usually CIF, exports FOB, "
        "as reported); quantity = netWgt / 1000 (tonnes) where given",
        "world-level fields (home_world_export_share, home_export_weight) are partial: the "
        f"data set holds only the reporters {', '.join(query.reporters)}, not world trade",
    ]
    if len(classes) > 1:
        assumptions.append(
            f"HS codes as reported mix revisions {', '.join(classes)} across reporters or "
            "years; codes are not converted between revisions"
        )
    if report["unmapped_partners"]:
        kept = ", ".join(f"{u['code']} ({u['name'] or '?'})" for u in report["unmapped_partners"])
        assumptions.append(
            f"partner areas without an ISO3 code kept as placeholders CT<code>: {kept}"
        )
    if report.get("empty_chunks"):
        assumptions.append(
            "UN Comtrade returned no records for: " + "; ".join(report["empty_chunks"])
        )
    if report["totals_check"].get("mismatches"):
        assumptions.append(
            f"{len(report['totals_check']['mismatches'])} reporter-product-periods where "
            "partner rows do not add up to the World row (see the fetch report)"
        )
    if query.freq == "M":
        assumptions.append(
            "monthly data: year figures are sums of the months fetched "
            f"({', '.join(sorted(set(flows['period'])))})"
        )
    return {
        "source": "UN Comtrade API v1 (comtradeapi.un.org), final data"
        + (" (public preview)" if not keyed else ""),
        "version": f"retrieved {(retrieved_at or '')[:10]}",
        "endpoint": endpoint,
        "query": query.model_dump(mode="json"),
        "retrieved_at": retrieved_at,
        "licence": LICENCE,
        "citation": "United Nations, UN Comtrade Database, https://comtradeplus.un.org",
        "years": sorted(int(y) for y in flows[f.YEAR].unique()),
        "classification": classes[0] if len(classes) == 1 else ",".join(classes),
        "level": product_level(products[0]) if products else "hs6",
        "note": "reporter-side data, no mirror reconciliation",
        "assumptions": assumptions,
        "fetch_report": report,
    }

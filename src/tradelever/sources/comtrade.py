"""UN Comtrade API v1: final goods data by reporter, partner, HS code, period and flow.

Endpoints (``reference/data-formats.md`` section b):

- public preview, no key: ``/public/v1/preview/C/{A|M}/{cl}``, at most 500 records a call;
- full API with ``COMTRADE_API_KEY``: ``/data/v1/get/C/{A|M}/{cl}`` with the key in the
  ``Ocp-Apim-Subscription-Key`` header, at most 250,000 records a call.

The base URL is ``https://comtradeapi.un.org`` unless ``$TRADELEVER_COMTRADE_URL`` or the
``base_url`` parameter says otherwise (tests point it at a local server). The key is an
argument (the command line reads ``$COMTRADE_API_KEY``); it travels only in the header, to
the API's own origin, and never into a cache file, a manifest, a message or a log.

Every answer is checked (JSON, the ``{count, data, error}`` envelope, every record
convertible) before it is cached: a maintenance page or a truncated body is never cached,
and an answer with no records is not cached either (a reporter may publish later).
Parameter validation lives in :mod:`tradelever.sources.comtrade_query`.

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
from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.errors import EmptyResultError, FetchError
from tradelever.sources.comtrade_query import (
    HS_REVISIONS,
    ComtradeQuery,
    area_iso3,
    comtrade_area_table,
    comtrade_code,
)
from tradelever.sources.fetched import FetchedFlows, country_code_placeholder, product_level
from tradelever.sources.http import HttpClient, HttpResponse, ProgressHook, base_url, redact_url

__all__ = [
    "DEFAULT_URL",
    "ENV_KEY",
    "ENV_URL",
    "FULL_MAX_BYTES",
    "LICENCE",
    "PREVIEW_CAP",
    "PREVIEW_MAX_BYTES",
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
#: Size caps of one answer: 500 preview records are about 0.5 MB and 250,000 records of the
#: full API about 250 MB of JSON (about 1 kB a record with descriptions).
PREVIEW_MAX_BYTES: Final = 16 * 1024**2
FULL_MAX_BYTES: Final = 384 * 1024**2
OFFLINE_HINT: Final = (
    "UN Comtrade is unreachable; to work offline, load a downloaded CEPII BACI release "
    "with `tradelever ingest baci PATH` (BACI is built from Comtrade data)"
)
LICENCE: Final = (
    "UN Comtrade terms of use (https://uncomtrade.org/docs/terms-of-use/): data may be used "
    "and cited with the source 'UN Comtrade'; bulk redistribution requires UN permission"
)
#: Partners a single "all partners" call may return (about 240 areas plus aggregates).
_ALL_PARTNERS_ESTIMATE: Final = 260


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
    max_bytes: int | None = None,
) -> FetchedFlows:
    """Fetch a validated query and convert it to canonical flows.

    Parameters
    ----------
    query
        See :class:`ComtradeQuery`.
    client
        The shared HTTP client (retries, bounds, cache).
    api_key
        Subscription key for the full API (the command line passes ``$COMTRADE_API_KEY``);
        None or empty uses the public preview (500 records a call).
    base
        Base URL; default ``$TRADELEVER_COMTRADE_URL`` or ``https://comtradeapi.un.org``.
    progress
        Hook called as ``progress("Comtrade requests", done, total)``.
    refresh
        Ignore cached responses.
    max_bytes
        Size cap of one answer; default :data:`PREVIEW_MAX_BYTES` or :data:`FULL_MAX_BYTES`.

    Raises
    ------
    FetchError
        HTTP failure, an ``error`` in the response, a malformed answer (not cached), or a
        chunk that cannot be made small enough to avoid the record cap; an answer from the
        cache says so and names ``--refresh``.
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
            f"the subscription key (${ENV_KEY}) was rejected: check it on comtradedeveloper.un.org"
        )
        limit = max_bytes or FULL_MAX_BYTES
    else:
        endpoint = f"{root}/public/v1/preview/C/{query.freq}/{query.classification}"
        cap, headers, mode = PREVIEW_CAP, {}, "public preview (no key)"
        hint = f"the public preview refused the call; set ${ENV_KEY} to use the full API"
        limit = max_bytes or PREVIEW_MAX_BYTES

    def validate(response: HttpResponse) -> dict[str, Any]:
        data = _envelope(response.json(), response.url)
        if data["data"]:
            records_to_flows(data["data"], query, url=response.url)  # every record converts
        return data

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
            endpoint,
            params,
            headers=headers,
            use_cache=not refresh,
            auth_hint=hint,
            validate=validate,
            cache_if=lambda data: bool(data["data"]),
            max_bytes=limit,
            offline_hint=OFFLINE_HINT,
        )
        requests += 1
        cached += int(response.from_cache)
        first_retrieved = min(first_retrieved or response.retrieved_at, response.retrieved_at)
        data = response.parsed if response.status == 200 else {"count": 0, "data": []}
        count = data["count"]
        if count >= cap or count > len(data["data"]) or len(data["data"]) >= cap:
            parts = chunk.halves()
            if parts is None:
                raise FetchError(
                    f"{redact_url(endpoint, params)}: {count} records for one code and one "
                    f"period reached the {cap}-record cap of the {mode}; the answer would be "
                    f"truncated. Name fewer partners (--partner) or set ${ENV_KEY}"
                    + (" (answer from the response cache)" if response.from_cache else ""),
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
    flows, products, report = records_to_flows(records, query, url=endpoint)
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
    records: list[dict[str, Any]], query: ComtradeQuery, *, url: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Convert Comtrade records to canonical flows, products and a report.

    ``url`` (without secrets) prefixes error messages.

    - Only total rows of the breakdowns are kept (``partner2Code`` 0, ``motCode`` 0,
      ``customsCode`` C00, when present) so nothing is counted twice.
    - ``value_usd`` = ``primaryValue`` (US dollars); ``quantity`` = ``netWgt`` / 1000
      (tonnes) where ``netWgt`` is given and positive, else NaN.
    - ``classification`` from ``classificationCode`` (H6 -> HS22).
    - Partner 0 (World) rows are not flows; they check the sum of partner rows.
    """
    where = f"{url}: " if url else ""
    if not all(isinstance(r, dict) for r in records):
        raise FetchError(f"{where}UN Comtrade 'data' holds something other than records", url=url)
    frame = pd.DataFrame.from_records(records)
    required = ["reporterCode", "partnerCode", "cmdCode", "flowCode", "primaryValue", "period"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FetchError(
            f"{where}UN Comtrade records lack the fields {', '.join(missing)}; the API format "
            "may have changed",
            url=url,
        )
    for col, total in (("partner2Code", 0), ("motCode", 0), ("customsCode", "C00")):
        if col in frame.columns:
            keep = frame[col].isna() | (frame[col].astype(str) == str(total))
            frame = frame[keep]
    frame = frame[frame["flowCode"].astype(str) == query.flow]
    frame = frame.drop_duplicates(subset=["reporterCode", "partnerCode", "cmdCode", "period"])
    frame = frame.copy()
    frame["cmd"] = frame["cmdCode"].astype(str)
    frame["period_s"] = frame["period"].astype(str)
    for column, values in (
        ("partnerCode", frame["partnerCode"]),
        ("reporterCode", frame["reporterCode"]),
        ("period", frame["period_s"].str[:4]),
    ):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() | (numbers != numbers.round())
        if bad.any():
            raise FetchError(
                f"{where}UN Comtrade record with {column} {frame.loc[bad, column].iloc[0]!r}: "
                "not a code or period the API documents",
                url=url,
            )
        frame[column if column != "period" else "year"] = numbers.astype(int)
    frame["value"] = frame["primaryValue"].map(_num)
    cl = frame["classificationCode"] if "classificationCode" in frame.columns else "HS"
    frame["classification"] = (
        pd.Series(cl, index=frame.index).astype(str).map(lambda c: HS_REVISIONS.get(c, c))
    )
    bad = frame[~np.isfinite(frame["value"]) | (frame["value"] < 0)]
    if not bad.empty:
        rec = bad.iloc[0]
        raise FetchError(
            f"{where}UN Comtrade record reporter {rec['reporterCode']}, partner "
            f"{rec['partnerCode']}, cmdCode {rec['cmd']}, period {rec['period_s']}: field "
            f"'primaryValue' is {rec['primaryValue']!r}, not a finite non-negative number",
            url=url,
        )
    world = frame[frame["partnerCode"] == 0]
    detail = frame[frame["partnerCode"] != 0].copy()
    code_map = area_iso3()
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
        raise FetchError(
            f"{where}UN Comtrade returned reporter code {code}, which is not in the query",
            url=url,
        )
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

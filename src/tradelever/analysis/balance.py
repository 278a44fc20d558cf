"""The bilateral goods balance over time: what the partner buys from and sells to home.

For home e and partner p (the United States on ``census-us-trade``), per month or year t::

    imports_usd          m(t) = p's goods imports from e
    exports_usd          x(t) = p's goods exports to e
    balance_usd          x(t) - m(t)        (negative: a deficit of the partner with home)
    deficit_over_imports (m(t) - x(t)) / m(t)   the input of the reciprocal formula

On ``census-us-trade`` the monthly figures are those of the Census workbook (general
imports, customs value; total exports, f.a.s.; not seasonally adjusted); a year is the sum
of its twelve months, and a year with fewer months (the workbook's last) is left out of
annual rows. On any other data set the balance is annual, from the flows (goods codes only
on ``icio2022``, whose flows are intermediate goods).

The same queries give the reciprocal formula its m and x (:mod:`tradelever.analysis.formula`):
:func:`bilateral_goods_trade` (one home, every year), :func:`partner_trade_by_country` (every
country, one year) and :func:`annual_balance` (a year of the Census monthly balance).
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.reporters import check_partner_reported
from tradelever.analysis.request import DATASET_BY_QUESTION, HOME, PARTNER, Request
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Analysis, Option

__all__ = [
    "BALANCE",
    "BALANCE_COLUMNS",
    "FREQUENCIES",
    "ICIO_GOODS_INDUSTRIES",
    "Frequency",
    "annual_balance",
    "balance",
    "bilateral_balance",
    "bilateral_goods_trade",
    "goods_codes",
    "parse_period",
    "partner_trade_by_country",
]

#: The partner of the reciprocal formula and of the Census balance: the United States.
US: Final = "USA"


Frequency = Literal["monthly", "annual"]
FREQUENCIES: Final[tuple[str, ...]] = ("monthly", "annual")
BALANCE_COLUMNS: Final = (
    "date",
    "imports_usd",
    "exports_usd",
    "balance_usd",
    "deficit_over_imports",
)
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")

# ISIC Rev.4 sections A (agriculture, forestry, fishing), B (mining, except B09 mining
# support *services*) and C (manufacturing) of the OECD ICIO 2025 release: the industries
# whose output crosses borders as goods that US customs records. D (electricity, gas,
# steam) is left out: it is a utility sector whose trade is mostly not customs goods trade
# (and electricity is a negligible share of US-Asia trade).
ICIO_GOODS_INDUSTRIES: Final = (
    "A01",
    "A02",
    "A03",
    "B05",
    "B06",
    "B07",
    "B08",
    "C10T12",
    "C13T15",
    "C16",
    "C17_18",
    "C19",
    "C20",
    "C21",
    "C22",
    "C23",
    "C24A",
    "C24B",
    "C25",
    "C26",
    "C27",
    "C28",
    "C29",
    "C301",
    "C302T309",
    "C31T33",
)


def goods_codes(level: str) -> tuple[str, ...] | None:
    """Codes that count as goods at a level (``None``: every code is a good, as for HS)."""
    return ICIO_GOODS_INDUSTRIES if level == "industry" else None


def bilateral_goods_trade(
    coded: Any, *, home: str | list[str], partner: str, codes: tuple[str, ...] | None
) -> pd.DataFrame:
    """Partner's goods imports from and exports to home, by year (one Ibis query).

    ``home`` may be a list of countries (a group such as the EU), in which case m and x
    are summed over the members (trade among members is not counted: only flows with the
    partner enter).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``partner_imports_from_home_usd`` (m), ``partner_exports_to_home_usd``
        (x), sorted by year; years with no flow in either direction are absent.
    """
    members = [home] if isinstance(home, str) else list(home)
    t = coded
    if codes is not None:
        t = t.filter(t["code"].isin(list(codes)))
    from_home = t[f.EXPORTER].isin(members) & (t[f.IMPORTER] == partner)
    to_home = (t[f.EXPORTER] == partner) & t[f.IMPORTER].isin(members)
    t = t.filter(from_home | to_home)
    v = t[f.VALUE_USD]
    out = (
        t.group_by(f.YEAR)
        .aggregate(
            partner_imports_from_home_usd=v.sum(where=t[f.EXPORTER].isin(members)),
            partner_exports_to_home_usd=v.sum(where=t[f.EXPORTER] == partner),
        )
        .to_pandas()
    )
    for col in ("partner_imports_from_home_usd", "partner_exports_to_home_usd"):
        out[col] = out[col].astype(float).fillna(0.0)
    out[f.YEAR] = out[f.YEAR].astype(int)
    if len(out) and not (out["partner_exports_to_home_usd"] > 0).any():
        _require_partner_exports(coded, partner)
    return out.sort_values(f.YEAR).reset_index(drop=True)


def _require_partner_exports(coded: Any, partner: str) -> None:
    """Raise when the data set holds no export of the partner at all: x is unknown, not 0.

    A single-reporter data set (``census-us-2024``: US imports only) would otherwise give
    x = 0 and the 50% maximum rate. Called only when x is 0, so it costs one query then.
    """
    shipped = coded.filter(coded[f.EXPORTER] == partner).limit(1).count().to_pandas()
    if int(shipped) == 0:
        raise InputError(
            f"the data set holds no exports of {partner}, so x (the partner's exports) is "
            "unknown, not zero; use census-us-trade (the US goods balance) or give the "
            "imports and exports",
            parameter="dataset",
        )


def partner_trade_by_country(
    coded: Any, *, partner: str, year: int, codes: tuple[str, ...] | None
) -> pd.DataFrame:
    """Partner's goods imports from (m) and exports to (x) every country in one year.

    One Ibis query. Returns ``country``, ``partner_imports_from_home_usd``,
    ``partner_exports_to_home_usd`` (zero where there is no flow).
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    if codes is not None:
        t = t.filter(t["code"].isin(list(codes)))
    t = t.filter((t[f.IMPORTER] == partner) | (t[f.EXPORTER] == partner))
    frame = t.group_by([f.EXPORTER, f.IMPORTER]).aggregate(v=t[f.VALUE_USD].sum()).to_pandas()
    m = frame[frame[f.IMPORTER] == partner].groupby(f.EXPORTER)["v"].sum()
    x = frame[frame[f.EXPORTER] == partner].groupby(f.IMPORTER)["v"].sum()
    if len(m) and not (x > 0).any():
        _require_partner_exports(coded, partner)
    idx = m.index.union(x.index)
    return pd.DataFrame(
        {
            "country": idx.astype(str),
            "partner_imports_from_home_usd": m.reindex(idx).fillna(0.0).astype(float).values,
            "partner_exports_to_home_usd": x.reindex(idx).fillna(0.0).astype(float).values,
        }
    )


def annual_balance(balance: pd.DataFrame, year: int) -> pd.DataFrame:
    """US imports (m) and exports (x) per partner in one calendar year, from monthly rows.

    Parameters
    ----------
    balance
        The ``balance`` table of ``census-us-trade`` (``partner``, ``year``, ``month``,
        ``imports_usd``, ``exports_usd``, optionally ``name`` and ``aggregate``), or any
        part of it holding the year.
    year
        A calendar year whose twelve months are in the table.

    Returns
    -------
    pandas.DataFrame
        ``partner`` (, ``name``, ``aggregate``), ``imports_usd`` (m) and ``exports_usd``
        (x), US dollars, sorted by partner.

    Raises
    ------
    InputError
        If the year is absent or incomplete (the workbook's last year holds a few months).
    """
    part = balance[balance["year"].astype(int) == int(year)]
    months = sorted({int(v) for v in part["month"]})
    if months != list(range(1, 13)):
        years = sorted({int(v) for v in balance["year"]})
        span = f"{years[0]}-{years[-1]}" if years else "none"
        got = f"months {months[0]}-{months[-1]} only" if months else "no month"
        raise InputError(
            f"{year} has {got} in the balance table (years {span}); the formula "
            "needs a complete calendar year",
            parameter="year",
        )
    keys = [c for c in ("partner", "name", "aggregate") if c in part.columns]
    out = part.groupby(keys, as_index=False, sort=True)[["imports_usd", "exports_usd"]].sum()
    out["imports_usd"] = out["imports_usd"].astype(float)
    out["exports_usd"] = out["exports_usd"].astype(float)
    return out.reset_index(drop=True)


def bilateral_balance(
    balance: pd.DataFrame, partner: str, *, frequency: str = "month"
) -> pd.DataFrame:
    """US trade with one partner over time: m, x, the balance and the formula inputs.

    Returns ``year`` (and ``month`` when ``frequency="month"``), ``imports_usd`` (m),
    ``exports_usd`` (x), ``balance_usd`` = x - m (negative: a US deficit) and
    ``deficit_over_imports`` = (m - x) / m (NaN when m = 0). With ``frequency="year"``
    only complete years are returned.

    Raises
    ------
    InputError
        If the partner has no row or the frequency is not ``month`` or ``year``.
    """
    if frequency not in ("month", "year"):
        raise InputError(f"{frequency!r} is not month or year", parameter="frequency")
    rows = balance[balance["partner"] == partner]
    if rows.empty:
        raise InputError(f"{partner} has no row in the balance table", parameter="home")
    if frequency == "year":
        counts = rows.groupby("year")["month"].nunique()
        rows = rows[rows["year"].isin(counts[counts == 12].index)]
        keys = ["year"]
    else:
        keys = ["year", "month"]
    out = rows.groupby(keys, as_index=False)[["imports_usd", "exports_usd"]].sum()
    m = out["imports_usd"].astype(float)
    x = out["exports_usd"].astype(float)
    out["balance_usd"] = x - m
    out["deficit_over_imports"] = ((m - x) / m.where(m > 0)).astype(float)
    return out.sort_values(keys).reset_index(drop=True)


def parse_period(value: str | None, parameter: str, *, end: bool = False) -> tuple[int, int] | None:
    """``YYYY-MM`` or ``YYYY`` as (year, month); a bare year is January (December if ``end``).

    Raises
    ------
    InputError
        Naming ``parameter`` when the text is neither form or the month is not 01-12.
    """
    if value is None:
        return None
    match = _PERIOD.match(str(value).strip())
    if match is None or not (1 <= int(match.group(2) or 1) <= 12):
        raise InputError(
            f"{value!r} is not a month (YYYY-MM, e.g. 2024-01) or a year (YYYY)",
            parameter=parameter,
        )
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    return year, month


BALANCE: Final = Analysis(
    name="balance",
    command="balance",
    summary="The partner's goods balance with home over time (monthly or annual)",
    options=(
        HOME.but(help="Home country, ISO3 (e.g. MYS), or a group (EU27) summed over its members."),
        PARTNER.but(default=US, help="Country whose balance with home is shown (ISO3)."),
        DATASET_BY_QUESTION,
        Option(
            "start",
            str | None,
            None,
            "First month (YYYY-MM) or year (YYYY); default the data set's first.",
            flag="--from",
            min_length=4,
            max_length=7,
        ),
        Option(
            "end",
            str | None,
            None,
            "Last month (YYYY-MM) or year (YYYY); default the data set's last.",
            flag="--to",
            min_length=4,
            max_length=7,
        ),
        Option(
            "frequency",
            Frequency,
            "monthly",
            "monthly (where the data set has months: census-us-trade) or annual.",
        ),
    ),
    home_groups=True,
)


def _rows_from_table(table: pd.DataFrame, codes: list[str], frequency: str) -> pd.DataFrame:
    rows = table[table["partner"].isin(codes)]
    if rows.empty:
        raise InputError(f"{', '.join(codes)}: no row in the balance table", parameter="home")
    return bilateral_balance(
        rows.assign(partner="_home"),
        "_home",
        frequency="month" if frequency == "monthly" else "year",
    )


def balance(
    request: Request,
    *,
    start: str | None = None,
    end: str | None = None,
    frequency: Frequency = "monthly",
) -> TableResult:
    """The partner's goods imports from, exports to and balance with home, over time.

    Monthly from a data set's ``balance`` table (``census-us-trade``), annual from its
    flows otherwise. ``start`` and ``end`` bound the dates (``YYYY-MM`` or ``YYYY``).

    Raises
    ------
    InputError
        ``frequency``: monthly on a data set of years; ``start``/``end``: malformed or in
        the wrong order, or no row between them; ``partner``: not the data set's reporter.
    """
    BALANCE.check(start=start, end=end, frequency=frequency)
    first = parse_period(start, "start")
    last = parse_period(end, "end", end=True)
    if first is not None and last is not None and first > last:
        raise InputError(f"{start} is after the end ({end})", parameter="start")
    home, partner = str(request.home), str(request.partner)
    members = list(request.members or ()) or [home]
    check_partner_reported(request.reporters, partner, dataset=request.dataset)
    assumptions = [*request.assumptions]
    if request.view.has_table("balance"):
        table = request.view.table("balance").to_pandas()
        out = _rows_from_table(table, members, frequency)
        assumptions.append(
            "imports_usd (m) and exports_usd (x) are the partner's goods imports from and exports "
            "to home in the Census workbook (general imports, customs value; total exports, "
            "f.a.s.; not seasonally adjusted); balance_usd = x - m (negative: a deficit of the "
            "partner with home)"
        )
        if frequency == "annual":
            assumptions.append("annual rows are complete calendar years (12 months) only")
    else:
        if frequency == "monthly":
            raise InputError(
                f"data set {request.dataset} holds years, not months; use annual (monthly "
                "figures: census-us-trade, partner USA)",
                parameter="frequency",
            )
        goods = goods_codes(request.level)
        trade = bilateral_goods_trade(request.coded, home=members, partner=partner, codes=goods)
        m = trade["partner_imports_from_home_usd"].astype(float)
        x = trade["partner_exports_to_home_usd"].astype(float)
        out = pd.DataFrame(
            {
                "year": trade["year"].astype(int),
                "imports_usd": m,
                "exports_usd": x,
                "balance_usd": x - m,
                "deficit_over_imports": ((m - x) / m.where(m > 0)).astype(float),
            }
        )
        assumptions.append(
            "imports_usd (m) and exports_usd (x) sum the data set's flows between home and the "
            "partner per year"
            + (" over the ICIO goods industries" if goods else "")
            + "; balance_usd = x - m (negative: a deficit of the partner with home)"
        )
    if "month" in out.columns:
        key = out["year"].astype(int) * 100 + out["month"].astype(int)
        out["date"] = [f"{y:04d}-{mo:02d}" for y, mo in zip(out["year"], out["month"], strict=True)]
    else:
        key = out["year"].astype(int) * 100 + 12
        out["date"] = [f"{int(y):04d}" for y in out["year"]]
    keep = np.ones(len(out), dtype=bool)
    if first is not None:
        keep &= (
            (key >= first[0] * 100 + first[1]).to_numpy()
            if "month" in out.columns
            else (out["year"].astype(int) >= first[0]).to_numpy()
        )
    if last is not None:
        keep &= (key <= last[0] * 100 + last[1]).to_numpy()
    out = out[keep].reset_index(drop=True)
    if out.empty:
        raise InputError(
            f"no {frequency} figure between {start or 'the start'} and {end or 'the end'} in "
            f"{request.dataset}",
            parameter="start" if start else "end",
        )
    if request.members is not None:
        assumptions.append(
            f"home {home}: m and x summed over its {len(members)} members (trade among members "
            "not counted)"
        )
    rows = out[list(BALANCE_COLUMNS)]
    m_total, x_total = float(rows["imports_usd"].sum()), float(rows["exports_usd"].sum())
    summary: dict[str, Any] = {
        "first": rows["date"].iloc[0],
        "last": rows["date"].iloc[-1],
        "periods": len(rows),
        "imports_usd": m_total,
        "exports_usd": x_total,
        "balance_usd": x_total - m_total,
        "deficit_over_imports": (m_total - x_total) / m_total if m_total > 0 else None,
    }
    return TableResult(
        kind="balance",
        params={
            **request.params(home=home, partner=partner),
            "start": start,
            "end": end,
            "frequency": frequency,
        },
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=BALANCE_COLUMNS,
        summary=summary,
    )

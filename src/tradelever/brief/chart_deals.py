"""The "first in line" chart: the rate each partner obtained against the date of its deal.

Drawn with matplotlib as inline SVG in the style of :mod:`tradelever.brief.charts` (same
palette, text kept as text, ids prefixed by the chart key). One point per deal with a stated
rate: x the days from 2 April 2025 (EO 14257) to the deal, y the rate obtained. Additional
rates are filled circles, all-in ceilings (MFN included) hollow squares, so the two bases are
never read as one; dates known only to the month or as an upper bound get a grey outline
(said in the caption). The home partner is highlighted in the rival colour and labelled;
partners that obtained the same rate within a few days share one label (``KHM, MYS, THA``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tradelever.brief.charts import _ACCENT, _INK, _MUTED, _RIVAL, _plt, svg_text
from tradelever.brief.model import Chart

__all__ = ["first_in_line_chart"]


def _points(rows: pd.DataFrame) -> pd.DataFrame:
    data = rows[rows["rate_obtained"].notna() & rows["days_since_2025_04_02"].notna()].copy()
    data["x"] = data["days_since_2025_04_02"].astype(float)
    data["y"] = 100 * data["rate_obtained"].astype(float)
    return data.reset_index(drop=True)


#: Points at the same rate closer than this many days share one label (they would overlap).
_NEAR_DAYS = 12.0


def _labels(data: pd.DataFrame) -> dict[tuple[float, float], list[str]]:
    """One label per cluster of points: the same rate, deals within :data:`_NEAR_DAYS` days.

    Keyed by the first point of the cluster (earliest deal); partners in date order.
    """
    out: dict[tuple[float, float], list[str]] = {}
    points = sorted(
        zip(
            data["y"].astype(float),
            data["x"].astype(float),
            data["partner"].astype(str),
            strict=True,
        ),
        key=lambda t: (t[0], t[1]),
    )
    anchor: tuple[float, float] | None = None
    for y, x, p in points:
        if anchor is None or y != anchor[1] or x - anchor[0] > _NEAR_DAYS:
            anchor = (x, y)
        out.setdefault(anchor, []).append(p)
    return out


def first_in_line_chart(
    result: Any,
    *,
    home: str | None = None,
    caption: str | None = None,
    key: str = "first-in-line",
) -> Chart:
    """Rate obtained (%) against days since 2 April 2025, one point per deal.

    Parameters
    ----------
    result
        The :func:`tradelever.analysis.deals.first_in_line` result (its ``rows`` and
        ``summary["statistics"]``), or a DataFrame of its rows.
    home
        Partner to highlight (default: the result's ``home``).
    caption
        Caption under the chart (default: the rank correlation, n and the bases).
    key
        Chart key (element id prefix).
    """
    rows = result if isinstance(result, pd.DataFrame) else result.rows
    if home is None and not isinstance(result, pd.DataFrame):
        home = result.params.get("home")
    data = _points(rows)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    ceiling = data["rate_obtained_basis"] == "all_in_ceiling"
    approx = data["deal_date_precision"] != "day"
    is_home = data["partner"] == home if home else pd.Series(False, index=data.index)
    for mask, marker, face in ((~ceiling, "o", None), (ceiling, "s", "none")):
        part = data[mask & ~is_home]
        edge = [_MUTED if a else _ACCENT for a in approx[mask & ~is_home]]
        ax.scatter(
            part["x"],
            part["y"],
            s=42,
            marker=marker,
            facecolors=face if face else _ACCENT,
            edgecolors=edge,
            linewidths=1.2,
            alpha=0.85,
            zorder=2,
        )
    if is_home.any():
        h = data[is_home]
        ax.scatter(h["x"], h["y"], s=90, marker="D", color=_RIVAL, zorder=3)
    for (x, y), partners in _labels(data).items():
        bold = bool(home) and home in partners
        ax.annotate(
            ", ".join(partners),
            (x, y),
            xytext=(4, 4 if not bold else 6),
            textcoords="offset points",
            fontsize=8 if not bold else 9,
            color=_RIVAL if bold else _INK,
            fontweight="bold" if bold else "normal",
        )
    top = float(data["y"].max()) if len(data) else 20.0
    ax.set_ylim(0, max(top * 1.2, 5.0))
    ax.set_xlim(0, float(data["x"].max()) * 1.08 + 5 if len(data) else 100)
    ax.set_xlabel("Days from 2 April 2025 (EO 14257) to the deal")
    ax.set_ylabel("US rate obtained in the deal (%)")
    ax.plot([], [], "o", color=_ACCENT, label="additional to MFN")
    ax.plot(
        [], [], "s", markerfacecolor="none", color=_ACCENT, label="all-in ceiling (MFN included)"
    )
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    title = "First in line? US rate obtained against the date of each deal"
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    if caption is None:
        caption = _default_caption(result, len(data), int(approx.sum()))
    alt = "; ".join(
        f"{p}: {y:g}% after {int(x)} days"
        for p, x, y in zip(data["partner"], data["x"], data["y"], strict=True)
    )
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def _default_caption(result: Any, n: int, approx: int) -> str:
    text = (
        f"{n} deals with a stated rate (the White House texts). Grey outlines: dates known "
        f"only to the month or as an upper bound ({approx})."
    )
    stats = [] if isinstance(result, pd.DataFrame) else result.summary.get("statistics", [])
    first = next((s for s in stats if s["y"] == "rate_obtained"), None)
    if first and first["spearman_rho"] is not None:
        text += (
            f" Spearman's rho of days and rate: {first['spearman_rho']:+.2f} (n = {first['n']}, "
            f"p = {first['p_value']:.2f}); an association, not an effect of timing."
        )
    return text

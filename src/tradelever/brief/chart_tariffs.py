"""The effective additional US tariff rate over time, home against its peers (a step chart).

Built from a ``tariffs`` result at level ``exporter``
(:func:`tradelever.analysis.effective_tariffs.tariffs`): :func:`tariff_series` gives the
steps, :func:`tariff_chart` draws them in the style of :mod:`tradelever.brief.charts` (the
home country in the accent colour and thicker, peers muted) and returns a
:class:`~tradelever.brief.model.Chart` with inline SVG. The brief and the dashboard place it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from tradelever.analysis.effective_tariffs import tariff_series
from tradelever.analysis.result import TableResult
from tradelever.brief.charts import _ACCENT, _INK, _MUTED, _plt, svg_text
from tradelever.brief.model import Chart

__all__ = ["tariff_chart", "tariff_series"]

# Peer lines: distinct, muted enough for the home line to stand out.
_PEER_COLOURS = ("#7f8c8d", "#c0392b", "#8e6c8a", "#b7950b", "#16a085", "#6c7a89", "#a04000")


def _caption(result: TableResult) -> str:
    schedule = result.provenance.get("schedule", {})
    trade = result.provenance.get("trade", {})
    return (
        "Additional ad valorem duty of the measures in force on each date, weighted by 2024 "
        "import values per HS10 line (MFN and duties in force in 2024 excluded). Sources: "
        f"{schedule.get('source', 'the US tariff schedule')}; "
        f"{trade.get('source', 'US Census Bureau imports 2024')}."
    )


def tariff_chart(
    result: TableResult,
    *,
    home: str,
    names: Mapping[str, str] | None = None,
    end: dt.date | str | None = None,
    caption: str | None = None,
    key: str = "tariff-timeline",
) -> Chart:
    """A step chart of ``effective_additional_rate`` over time per exporter.

    Parameters
    ----------
    result
        A ``tariffs`` result at level ``exporter`` holding ``home`` and its peers.
    home
        ISO3 code of the home country (drawn in the accent colour, on top).
    names
        ISO3 -> name for the legend (default: the codes).
    end
        The date the last step runs to (default: the last date of the result).
    caption
        Caption under the chart (default: what the rate is and the sources).
    """
    series = tariff_series(result, end=end)
    if home not in set(series["exporter"]):
        raise ValueError(f"home {home} is not among the result's exporters")
    names = dict(names or {})
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    order = [e for e in dict.fromkeys(series["exporter"]) if e != home] + [home]
    alt_parts: list[str] = []
    for i, exporter in enumerate(order):
        steps = series[series["exporter"] == exporter]
        xs = [*steps["start"], steps["end"].iloc[-1]]
        ys = [*(100 * steps["rate"]), 100 * steps["rate"].iloc[-1]]
        is_home = exporter == home
        ax.step(
            xs,
            ys,
            where="post",
            color=_ACCENT if is_home else _PEER_COLOURS[i % len(_PEER_COLOURS)],
            linewidth=2.2 if is_home else 1.1,
            alpha=1.0 if is_home else 0.85,
            label=names.get(exporter, exporter),
            zorder=3 if is_home else 2,
        )
        alt_parts.append(
            f"{names.get(exporter, exporter)}: "
            + ", ".join(
                f"{s:%d %b %Y} {100 * r:.1f}%"
                for s, r in zip(steps["start"], steps["rate"], strict=True)
            )
        )
    ax.set_ylabel("Effective additional tariff (%)")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color=_MUTED, linewidth=0.4, alpha=0.5)
    ax.legend(frameon=False, fontsize=8, loc="upper left", ncols=min(4, len(order)))
    fig.autofmt_xdate()
    home_name = names.get(home, home)
    title = f"Effective additional US tariff on {home_name} and its peers, by date"
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    return Chart(
        key=key,
        title=title,
        svg=svg,
        alt="; ".join(alt_parts),
        caption=caption or _caption(result),
    )

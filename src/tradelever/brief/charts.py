"""Static charts for briefs, drawn with matplotlib and embedded as inline SVG.

SVG keeps the text as text (searchable, sharp in print, extractable from the PDF) and needs
nothing from the network. Each chart's element ids are prefixed with the chart key so that
several charts can sit in one HTML page. matplotlib is imported lazily (it is the slowest
import of a brief).

Charts:

- :func:`leverage_bars`: the partner's cost of losing the home country's supply, top codes.
- :func:`share_scatter`: home share of the partner's imports (y) against home share of world
  exports (x), one point per code; points above the diagonal are codes where the partner
  depends on the home country more than the world market does.
- :func:`waterfall`: a start value, signed steps and the end value (scenario outcomes).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tradelever.brief.model import Chart

__all__ = ["leverage_bars", "ranked_bars", "share_scatter", "svg_text", "waterfall", "waterfalls"]

_INK = "#1f2d3d"
_ACCENT = "#1b6ca8"
_RIVAL = "#c0392b"
_MUTED = "#9aa5b1"
_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text
            "svg.hashsalt": "tradelever",  # deterministic ids
            "font.size": 9,
            "axes.edgecolor": _MUTED,
            "axes.labelcolor": _INK,
            "xtick.color": _INK,
            "ytick.color": _INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _usd_scale(values: Sequence[float]) -> tuple[float, str]:
    top = max((abs(float(v)) for v in values if np.isfinite(v)), default=0.0)
    for scale, suffix in _SCALES:
        if top >= scale:
            return scale, suffix
    return 1.0, ""


def svg_text(fig: Any, key: str, title: str) -> str:
    """Serialise a figure as an inline ``<svg>`` element with ids prefixed by ``key``."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buf.getvalue()
    start = text.find("<svg")
    text = text[start:]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    ids = set(re.findall(r'id="([^"]+)"', text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{key}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"')
        text = text.replace(f'"#{old}"', f'"#{new}"').replace(f"url(#{old})", f"url(#{new})")
    text = re.sub(
        r"<svg ",
        f'<svg class="chart" role="img" aria-label="{_escape(title)}" data-chart="{key}" ',
        text,
        count=1,
    )
    # Drop the fixed point size; CSS scales the chart to the page (the viewBox is kept).
    text = re.sub(r'(<svg[^>]*?) width="[^"]*pt" height="[^"]*pt"', r"\1", text, count=1)
    return text.strip()


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _pos(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str, width: int = 38) -> str:
    text = re.sub(r"^Manufacture of ", "", str(text)).strip()
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def leverage_bars(
    rows: pd.DataFrame,
    *,
    home_name: str,
    partner_name: str,
    caption: str,
    key: str = "leverage-bars",
) -> Chart:
    """Horizontal bars of ``partner_cost_of_losing_home_usd`` for the given rows (in order).

    Codes whose cost is unbounded (the home country is the sole supplier) are drawn at the
    largest finite bar and labelled "sole supplier".
    """
    plt = _plt()
    data = rows.reset_index(drop=True)
    cost = data["partner_cost_of_losing_home_usd"].astype(float).to_numpy()
    finite = cost[np.isfinite(cost)]
    scale, suffix = _usd_scale(finite if len(finite) else [0.0])
    cap = float(finite.max()) if len(finite) else 1.0
    drawn = np.where(np.isfinite(cost), cost, cap) / scale
    labels = [f"{c}  {_short(d)}" for c, d in zip(data["code"], data["description"], strict=True)]
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(data) + 1.2))
    y = np.arange(len(data))[::-1]
    ax.barh(y, drawn, color=_ACCENT, height=0.6)
    ax.set_yticks(y, labels)
    share = data["home_share_of_partner_imports"].astype(float).to_numpy()
    for yi, xi, ci, si in zip(y, drawn, cost, share, strict=True):
        note = "sole supplier" if not np.isfinite(ci) else f"{100 * si:.1f}% of imports"
        ax.text(xi, yi, f"  {note}", va="center", fontsize=8, color=_INK)
    ax.set_xlabel(
        f"Cost to {partner_name} of losing {_pos(home_name)} supply (US$ {suffix})".strip()
    )
    ax.margins(x=0.25)
    title = f"Where {partner_name} depends on {home_name}: cost of losing {_pos(home_name)} supply"
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(
        f"{c}: {'unbounded' if not np.isfinite(v) else f'US${v / scale:,.2f} {suffix}'}"
        for c, v in zip(data["code"], cost, strict=True)
    )
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def share_scatter(
    rows: pd.DataFrame,
    *,
    home_name: str,
    partner_name: str,
    caption: str,
    label_codes: Sequence[str] = (),
    key: str = "share-scatter",
) -> Chart:
    """Home share of the partner's imports against home share of world exports, per code."""
    plt = _plt()
    data = rows.dropna(subset=["home_share_of_partner_imports", "home_world_export_share"])
    x = 100 * data["home_world_export_share"].astype(float).to_numpy()
    y = 100 * data["home_share_of_partner_imports"].astype(float).to_numpy()
    m = data["partner_imports_usd"].astype(float).to_numpy()
    size = 12 + 220 * np.sqrt(m / m.max()) if len(m) and m.max() > 0 else np.full(len(m), 20.0)
    fig, ax = plt.subplots(figsize=(7.2, 4.6))
    ax.scatter(x, y, s=size, color=_ACCENT, alpha=0.55, edgecolors="white", linewidths=0.5)
    top = float(max(x.max(initial=0.0), y.max(initial=0.0))) * 1.08 or 1.0
    ax.plot([0, top], [0, top], color=_MUTED, linestyle="--", linewidth=0.8)
    ax.text(0.97 * top, 0.9 * top, "equal shares", fontsize=7, color=_MUTED, va="top", ha="right")
    wanted = set(label_codes)
    for code, xi, yi in zip(data["code"], x, y, strict=True):
        if code in wanted:
            ax.annotate(str(code), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(_cap(f"{_pos(home_name)} share of world exports (%)"))
    ax.set_ylabel(_cap(f"{_pos(home_name)} share of {_pos(partner_name)} imports (%)"))
    title = _cap(
        f"{_pos(home_name)} share of {_pos(partner_name)} imports against its world export share"
    )
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = (
        f"{len(data)} codes; point size proportional to the square root of "
        f"{_pos(partner_name)} imports"
    )
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def ranked_bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    caption: str,
    highlight: str | None = None,
    key: str = "ranked-bars",
) -> Chart:
    """Horizontal bars of US-dollar values, largest first, one label highlighted."""
    plt = _plt()
    items = sorted(items, key=lambda kv: (-kv[1], kv[0]))
    values = [v for _, v in items]
    scale, suffix = _usd_scale(values)
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(items) + 1.1))
    y = np.arange(len(items))[::-1]
    colors = [_RIVAL if label == highlight else _ACCENT for label, _ in items]
    ax.barh(y, [v / scale for v in values], color=colors, height=0.6)
    ax.set_yticks(y, [_short(label, 30) for label, _ in items])
    for yi, v in zip(y, values, strict=True):
        ax.text(v / scale, yi, f"  {v / scale:,.2f}", va="center", fontsize=8, color=_INK)
    ax.margins(x=0.18)
    ax.set_xlabel(f"US$ {suffix}".strip())
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(f"{label}: US${v / scale:,.2f} {suffix}".strip() for label, v in items)
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def waterfall(
    steps: Sequence[tuple[str, float]],
    *,
    title: str,
    caption: str,
    start: tuple[str, float] | None = None,
    end_label: str = "total",
    key: str = "scenario-waterfall",
) -> Chart:
    """A waterfall: optional start bar, signed steps, and the end bar (start + sum of steps)."""
    plt = _plt()
    values = [v for _, v in steps]
    base = start[1] if start else 0.0
    scale, suffix = _usd_scale([base, *values, base + sum(values)])
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    labels: list[str] = []
    level = base
    pos = 0
    if start:
        ax.bar(pos, base / scale, color=_MUTED)
        labels.append(start[0])
        pos += 1
    for label, value in steps:
        color = _ACCENT if value >= 0 else _RIVAL
        ax.bar(pos, value / scale, bottom=level / scale, color=color)
        ax.text(
            pos,
            (level + max(value, 0)) / scale,
            f"{value / scale:+,.2f}",
            ha="center",
            va="bottom",
            fontsize=7,
        )
        labels.append(label)
        level += value
        pos += 1
    ax.bar(pos, level / scale, color=_INK)
    labels.append(end_label)
    ax.axhline(0, color=_MUTED, linewidth=0.8)
    ax.set_xticks(range(len(labels)), [_short(t, 22) for t in labels], rotation=20, ha="right")
    ax.set_ylabel(f"US$ {suffix}".strip())
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(f"{label}: {value / scale:+,.2f} {suffix}" for label, value in steps)
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def waterfalls(
    panels: Sequence[tuple[str, float, Sequence[tuple[str, float]]]],
    *,
    title: str,
    caption: str,
    key: str = "scenario-waterfall",
) -> Chart:
    """One waterfall per outcome, side by side on a shared scale.

    ``panels`` holds (outcome label, start value, [(step label, signed value), ...]); each
    panel draws the start bar, the steps and the end bar (start + sum of steps).
    """
    plt = _plt()
    every = [v for _, start, steps in panels for v in (start, *(s for _, s in steps))]
    ends = [start + sum(s for _, s in steps) for _, start, steps in panels]
    scale, suffix = _usd_scale([*every, *ends])
    fig, axes = plt.subplots(
        1, len(panels), figsize=(2.6 * len(panels) + 1.2, 3.9), sharey=True, squeeze=False
    )
    for ax, (label, start, steps) in zip(axes[0], panels, strict=True):
        names = ["before"]
        ax.bar(0, start / scale, color=_MUTED)
        level = start
        for i, (step, value) in enumerate(steps, start=1):
            color = _ACCENT if value >= 0 else _RIVAL
            ax.bar(i, value / scale, bottom=level / scale, color=color)
            ax.text(
                i,
                (level + max(value, 0.0)) / scale,
                f"{value / scale:+,.2f}",
                ha="center",
                va="bottom",
                fontsize=7,
            )
            names.append(step)
            level += value
        ax.bar(len(steps) + 1, level / scale, color=_INK)
        names.append("after")
        ax.set_xticks(
            range(len(names)), [_short(n, 20) for n in names], rotation=30, ha="right", fontsize=7
        )
        ax.set_title(_short(label, 28), fontsize=9, color=_INK, pad=12)
        ax.axhline(0, color=_MUTED, linewidth=0.8)
    levels = [0.0]
    for _, start, steps in panels:
        level = start
        levels.append(level)
        for _, value in steps:
            level += value
            levels.append(level)
    lo, hi = min(levels) / scale, max(levels) / scale
    pad = 0.15 * (hi - lo or 1.0)
    axes[0][0].set_ylim(lo - pad if lo < 0 else 0.0, hi + pad)  # room for the step labels
    axes[0][0].set_ylabel(f"US$ {suffix}".strip())
    title = _cap(title)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left", color=_INK)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.94))
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(
        f"{label}: {start / scale:,.2f} before, "
        + ", ".join(f"{n} {v / scale:+,.2f}" for n, v in steps)
        + f", {(start + sum(v for _, v in steps)) / scale:,.2f} after ({suffix})"
        for label, start, steps in panels
    )
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def first_in_line(
    points: Sequence[tuple[str, float, float]],
    *,
    title: str,
    caption: str,
    highlight: str | None = None,
    key: str = "first-in-line",
) -> Chart:
    """Rate obtained (y, fraction) against days from 2 April 2025 to the deal (x), per partner."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    for label, days, rate in points:
        bold = label == highlight
        ax.scatter(
            [days], [100 * rate], s=60 if bold else 30, color=_RIVAL if bold else _ACCENT, zorder=3
        )
        ax.annotate(label, (days, 100 * rate), xytext=(4, 3), textcoords="offset points",
                    fontsize=7, color=_INK)  # fmt: skip
    ax.set_xlabel("Days from 2 April 2025 to the deal")
    ax.set_ylabel("US rate obtained (%)")
    ax.grid(color="#e5e8ec", linewidth=0.6)
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(f"{label}: {days:.0f} days, {100 * rate:.1f}%" for label, days, rate in points)
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)


def scan_bars(
    items: Sequence[tuple[str, float, int]],
    *,
    title: str,
    caption: str,
    key: str = "scan-bars",
) -> Chart:
    """Per partner: the cost of losing the home country's supply (bars, US$).

    Each bar is labelled with the number of products where the home country is a critical
    supplier.
    """
    plt = _plt()
    values = [v for _, v, _ in items]
    scale, suffix = _usd_scale(values)
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(items) + 1.2))
    y = np.arange(len(items))[::-1]
    ax.barh(y, [v / scale for v in values], color=_ACCENT, height=0.6)
    ax.set_yticks(y, [_short(label, 30) for label, _, _ in items])
    for yi, (_, v, n) in zip(y, items, strict=True):
        ax.text(v / scale, yi, f"  {n} critical", va="center", fontsize=8, color=_INK)
    ax.margins(x=0.2)
    ax.set_xlabel(f"Cost of losing the home country's supply, US$ {suffix}".strip())
    ax.set_title(title, fontsize=10, loc="left", color=_INK)
    svg = svg_text(fig, key, title)
    plt.close(fig)
    alt = "; ".join(
        f"{label}: US${v / scale:,.2f} {suffix}, {n} critical-supplier products"
        for label, v, n in items
    )
    return Chart(key=key, title=title, svg=svg, alt=alt, caption=caption)

// Inline SVG charts drawn by this file (no library, nothing loaded from the network).
//
// Each chart is a <figure> with a text caption and an SVG marked role="img" whose <title>
// and <desc> carry the same numbers for screen readers (the table next to each chart has
// them too). Charts are drawn at the width of their container, in CSS pixels, so text
// stays legible on a phone: a ResizeObserver redraws them when the width changes. Every
// data point is an SVG element with a <title> (hover tooltip) and a data-value attribute.

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE_SIZE = 8;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function truncate(text, n) {
  const s = String(text);
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

/** Approximate width in px of a text at 11-12 px system font (for layout only). */
function textWidth(text, size = 11) {
  return String(text).length * size * 0.56;
}

/** A tick label without trailing zero decimals: "40.0%" -> "40%", "US$100.00 bn" -> "US$100 bn". */
function compact(text) {
  return String(text).replace(/\.0+(?=\D|$)/, "");
}

let chartCount = 0;

/**
 * A figure that draws itself at its own width and redraws when that changes.
 * @param {object} opts
 * @param {string} [opts.id]
 * @param {string} opts.title  caption (visible) and SVG title
 * @param {string} opts.desc  text alternative: the numbers
 * @param {(width: number, svgAttrs: object) => SVGElement} opts.draw
 * @param {string} [opts.note]  a line under the chart (scale, source)
 */
function responsiveFigure({ id, title, desc, draw, note, kind }) {
  chartCount += 1;
  const base = id || `chart-${chartCount}`;
  const figure = document.createElement("figure");
  figure.className = `chart ${kind || ""}`.trim();
  figure.id = base;
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  figure.append(caption);
  const holder = document.createElement("div");
  holder.className = "chart-canvas";
  figure.append(holder);
  if (note) {
    const p = document.createElement("p");
    p.className = "chart-note";
    p.textContent = note;
    figure.append(p);
  }
  let drawnAt = -1;
  const render = (width) => {
    const w = Math.floor(width);
    if (w < 120 || Math.abs(w - drawnAt) < 4) return;
    drawnAt = w;
    const svg = draw(w);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", `${base}-title ${base}-desc`);
    svg.prepend(el("desc", { id: `${base}-desc` }, desc));
    svg.prepend(el("title", { id: `${base}-title` }, title));
    holder.replaceChildren(svg);
  };
  if (typeof ResizeObserver === "function") {
    new ResizeObserver((entries) => {
      for (const entry of entries) render(entry.contentRect.width);
    }).observe(holder);
  }
  // Draw now when the figure is already in the document (see mount), else on next frame.
  figure.refresh = () => render(holder.clientWidth);
  requestAnimationFrame(figure.refresh);
  return figure;
}

/** Put charts into a container and draw them at once at its width. */
export function mount(container, ...figures) {
  container.replaceChildren(...figures);
  for (const figure of figures) if (typeof figure.refresh === "function") figure.refresh();
}

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const norm = raw / mag;
  const step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return step * mag;
}

function linearTicks(lo, hi, target) {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, target);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

// -- bars ------------------------------------------------------------------------------------

/**
 * Horizontal bars, one or more series per item; negative values extend left of zero.
 * @param {object} opts
 * @param {string} opts.title
 * @param {Array<{label: string, values: number[]}>} opts.items
 * @param {string[]} opts.series  series names (legend), one per value
 * @param {Function} opts.format  value -> label
 * @param {string} [opts.id]
 * @param {string} [opts.note]
 */
export function barChart({ title, items, series, format, id, note }) {
  const nSeries = series.length;
  const finite = items.flatMap((it) => it.values.filter((v) => Number.isFinite(v)));
  const max = Math.max(0, ...finite);
  const min = Math.min(0, ...finite);
  const span = max - min || 1;
  const desc = items
    .map((it) => `${it.label}: ${it.values.map((v, i) => `${series[i]} ${(it.format || format)(v)}`).join(", ")}`)
    .join("; ");
  const longestValue = Math.max(...items.flatMap((it) => it.values.map((v) => textWidth((it.format || format)(v)))), 30);

  const draw = (width) => {
    // Wide: labels in a column on the left. Narrow (phones): each label above its bars.
    const stacked = width < 520;
    const labelWidth = stacked ? 0 : Math.min(260, Math.max(120, width * 0.32));
    const valueRoom = longestValue + 14;
    const barHeight = 14;
    const gap = 3;
    const groupGap = stacked ? 8 : 10;
    const labelRow = stacked ? 15 : 0;
    const groupHeight = labelRow + nSeries * barHeight + (nSeries - 1) * gap;
    const legend = [];
    let lx = 0;
    let lrow = 0;
    for (const name of series) {
      const text = truncate(name, Math.floor((width - 20) / 6.2));
      const w = 16 + textWidth(text) + 16;
      if (lx + w > width && lx > 0) { lx = 0; lrow += 1; }
      legend.push({ x: lx, row: lrow, text });
      lx += w;
    }
    const legendRows = nSeries > 1 ? lrow + 1 : 0;
    const legendHeight = legendRows * 20 + (legendRows ? 4 : 0);
    const height = legendHeight + items.length * (groupHeight + groupGap) + 4;
    const plotLeft = labelWidth + (min < 0 ? valueRoom : 0);
    const plotWidth = Math.max(40, width - plotLeft - (max > 0 ? valueRoom : 0) - 4);
    const x = (v) => plotLeft + ((v - min) / span) * plotWidth;
    const zero = x(0);

    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "bars" });
    if (nSeries > 1) {
      legend.forEach(({ x: kx, row, text }, i) => {
        const ly = 4 + row * 20;
        svg.append(el("rect", { x: kx, y: ly, width: 12, height: 12, class: `s${i % PALETTE_SIZE} legend-key` }));
        svg.append(el("text", { x: kx + 16, y: ly + 10, class: "legend" }, text));
      });
    }
    if (min < 0) {
      svg.append(el("line", { x1: zero, x2: zero, y1: legendHeight, y2: height - 2, class: "zero" }));
    }
    const maxChars = stacked ? Math.floor(width / 6.2) : Math.floor((labelWidth - 8) / 6.2);
    items.forEach((item, row) => {
      const y0 = legendHeight + row * (groupHeight + groupGap);
      if (stacked) {
        svg.append(el("text", { x: 0, y: y0 + 11, class: "label" }, truncate(item.label, maxChars)));
      } else {
        svg.append(
          el("text", { x: labelWidth - 6, y: y0 + groupHeight / 2 + 4, "text-anchor": "end", class: "label" },
            truncate(item.label, maxChars)),
        );
      }
      item.values.forEach((value, i) => {
        const y = y0 + labelRow + i * (barHeight + gap);
        const v = Number.isFinite(value) ? value : 0;
        const left = Math.min(x(v), zero);
        const w = Math.max(Number.isFinite(value) && value !== 0 ? 1 : 0, Math.abs(x(v) - zero));
        const rect = el("rect", {
          x: left.toFixed(1), y, width: w.toFixed(1), height: barHeight,
          class: `s${i % PALETTE_SIZE} point`, "data-value": Number.isFinite(value) ? value : "",
        });
        rect.append(el("title", {}, `${item.label} – ${series[i]}: ${(item.format || format)(value)}${item.tip ? `; ${item.tip}` : ""}`));
        svg.append(rect);
        const negative = v < 0;
        svg.append(
          el("text", {
            x: negative ? left - 4 : left + w + 4,
            y: y + barHeight - 3,
            "text-anchor": negative ? "end" : "start",
            class: "value",
          }, (item.format || format)(value)),
        );
      });
    });
    return svg;
  };
  return responsiveFigure({ id, title, desc, draw, note, kind: "bar-chart" });
}

// -- points and lines ------------------------------------------------------------------------

function timeTicks(lo, hi, width) {
  // Month starts, thinned to fit; labels "Apr 2025" (or "Apr" within a year).
  const ticks = [];
  const start = new Date(lo);
  let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  if (d.getTime() < lo) d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  while (d.getTime() <= hi) {
    ticks.push(d.getTime());
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
  const room = Math.max(1, Math.floor(width / 58));
  const every = [1, 2, 3, 6, 12].find((n) => Math.ceil(ticks.length / n) <= room) || 12;
  return ticks.filter((t) => new Date(t).getUTCMonth() % every === 0);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function fmtDate(t) {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function fmtMonth(t) {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "2025-08-07" -> UTC milliseconds (NaN when not a date). */
export function parseDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(text || ""));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
}

/**
 * Text labels next to points without overlaps: labels of points at the same place are
 * merged ("KHM, MYS, THA"); each label takes the first free spot around its point.
 */
function placeLabels(labels, box) {
  const merged = new Map();
  for (const l of labels) {
    const key = `${Math.round(l.cx)},${Math.round(l.cy)}`;
    const found = merged.get(key);
    if (found) found.text = `${found.text}, ${l.text}`;
    else merged.set(key, { ...l });
  }
  const placed = [];
  const overlaps = (a) => placed.some((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h);
  const items = [...merged.values()].sort((a, b) => a.cx - b.cx || a.cy - b.cy);
  for (const l of items) {
    const w = textWidth(l.text, 10) + 2;
    const h = 11;
    const spots = [
      [6, -h - 2], [6, 3], [-w - 6, -h - 2], [-w - 6, 3], [6, -2 * h - 4], [6, h + 5], [-w - 6, -2 * h - 4], [-w - 6, h + 5],
      [-w / 2, -h - 6], [-w / 2, 6], [6, -3 * h - 6], [6, 2 * h + 7],
    ];
    let chosen = null;
    for (const [dx, dy] of spots) {
      const r = { x: l.cx + dx, y: l.cy + dy, w, h };
      if (r.x < box.left || r.x + w > box.right || r.y < box.top - 8 || r.y + h > box.bottom) continue;
      if (!overlaps(r)) { chosen = r; break; }
    }
    if (!chosen) chosen = { x: Math.min(l.cx + 6, box.right - w), y: l.cy - h - 2, w, h };
    placed.push(chosen);
    l.g.append(el("text", { x: chosen.x.toFixed(1), y: (chosen.y + h - 2).toFixed(1), class: "point-label" }, l.text));
  }
}

/**
 * Points (and, for ``step`` series, the step line through them) on two axes.
 * @param {object} opts
 * @param {string} opts.title
 * @param {Array<{name: string, points: Array<{x: number, y: number, label?: string, tip?: string}>,
 *   step?: boolean, emphasis?: boolean}>} opts.series
 * @param {"time"|"linear"|"log"} opts.xType
 * @param {"linear"|"log"} [opts.yType]
 * @param {Function} opts.formatX  x -> text
 * @param {Function} opts.formatY  y -> text
 * @param {string} opts.xLabel
 * @param {string} opts.yLabel
 * @param {number} [opts.xEnd]  for step lines: where the last step ends (time axis)
 * @param {boolean} [opts.zeroY]  include 0 on the y axis (default true for linear)
 */
export function xyChart({ title, series, xType, yType = "linear", formatX, formatY, xLabel, yLabel, id, note, xEnd, zeroY = true }) {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const positive = (v) => v > 0;
  const xs = all.map((p) => p.x).concat(Number.isFinite(xEnd) ? [xEnd] : []);
  const ys = all.map((p) => p.y);
  const desc = series
    .map((s) => `${s.name}: ${s.points.map((p) => p.tip || `${formatX(p.x)} ${formatY(p.y)}`).join(", ")}`)
    .join("; ");

  const draw = (width) => {
    const narrow = width < 520;
    const height = narrow ? 300 : 340;
    // Legend items laid out left to right, wrapping, each as wide as its text.
    const legend = [];
    let lx = 4;
    let lrow = 0;
    for (const s of series) {
      const name = truncate(s.name, narrow ? 28 : 40);
      const w = 26 + textWidth(name) + 14;
      if (lx + w > width && lx > 4) { lx = 4; lrow += 1; }
      legend.push({ x: lx, row: lrow, name });
      lx += w;
    }
    const legendRows = series.length > 1 ? lrow + 1 : 0;
    const top = 10 + legendRows * 20;
    const right = narrow ? 14 : 24;
    const bottom = 44;
    const plotH = Math.max(60, height - top - bottom);
    // The y scale first: its widest tick label sets the left margin.
    const syProbe = scale(yType, ys.length ? ys : [0, 1], top, plotH, true, yType === "linear" && zeroY);
    const left = 22 + Math.max(24, ...syProbe.ticks.map((t) => textWidth(compact(formatY(t))))) + 6;
    const plotW = Math.max(60, width - left - right);
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "xy" });
    // scales
    function scale(type, values, lo0, size, invert, withZero) {
      if (type === "log") {
        const v = values.filter(positive);
        let lo = Math.log10(Math.min(...v, 1e300));
        let hi = Math.log10(Math.max(...v, 1e-300));
        if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
        lo = Math.floor(lo); hi = Math.ceil(hi);
        const f = (x) => lo0 + ((Math.log10(Math.max(x, 1e-300)) - lo) / (hi - lo)) * size;
        const ticks = [];
        for (let e = lo; e <= hi; e += Math.max(1, Math.ceil((hi - lo) / 6))) ticks.push(10 ** e);
        return { f: invert ? (x) => 2 * lo0 + size - f(x) : f, ticks };
      }
      let lo = Math.min(...values, withZero ? 0 : Infinity);
      let hi = Math.max(...values, withZero ? 0 : -Infinity);
      if (!(hi > lo)) { hi = lo + (Math.abs(lo) || 1) * 0.1; lo -= (Math.abs(lo) || 1) * 0.1; }
      if (type !== "time") {
        const ticks = linearTicks(lo, hi, invert ? 5 : Math.max(2, Math.floor(size / 80)));
        lo = Math.min(lo, ticks[0]);
        hi = Math.max(hi, ticks[ticks.length - 1]);
        const f = (x) => lo0 + ((x - lo) / (hi - lo)) * size;
        return { f: invert ? (x) => 2 * lo0 + size - f(x) : f, ticks };
      }
      const pad = (hi - lo) * 0.02;
      lo -= pad; hi += pad;
      const f = (x) => lo0 + ((x - lo) / (hi - lo)) * size;
      return { f, ticks: timeTicks(lo, hi, size) };
    }

    const sx = scale(xType, xs.length ? xs : [0, 1], left, plotW, false, xType === "linear" && zeroY);
    const sy = scale(yType, ys.length ? ys : [0, 1], top, plotH, true, yType === "linear" && zeroY);

    // axes and grid
    const grid = el("g", { class: "grid" });
    for (const t of sy.ticks) {
      const y = sy.f(t);
      grid.append(el("line", { x1: left, x2: left + plotW, y1: y, y2: y }));
      svg.append(el("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, compact(formatY(t))));
    }
    for (const t of sx.ticks) {
      const x = sx.f(t);
      grid.append(el("line", { x1: x, x2: x, y1: top, y2: top + plotH }));
      svg.append(
        el("text", { x, y: top + plotH + 16, "text-anchor": "middle", class: "tick" },
          xType === "time" ? fmtMonth(t) : compact(formatX(t))),
      );
    }
    svg.prepend(grid);
    svg.append(el("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, class: "axis" }));
    svg.append(el("line", { x1: left, x2: left, y1: top, y2: top + plotH, class: "axis" }));
    svg.append(el("text", { x: left + plotW / 2, y: height - 6, "text-anchor": "middle", class: "axis-label" }, xLabel));
    svg.append(
      el("text", { x: 12, y: top + plotH / 2, "text-anchor": "middle", class: "axis-label",
        transform: `rotate(-90 12 ${top + plotH / 2})` }, yLabel),
    );

    // legend
    if (legendRows) {
      series.forEach((s, i) => {
        const { x: kx, row, name } = legend[i];
        const ly = 4 + row * 20;
        if (s.step) {
          svg.append(el("line", { x1: kx, x2: kx + 16, y1: ly + 7, y2: ly + 7, class: `line s${i % PALETTE_SIZE}${s.emphasis ? " emphasis" : ""}` }));
        }
        svg.append(el("circle", { cx: kx + 8, cy: ly + 7, r: s.emphasis ? 4.5 : 3.5, class: `s${i % PALETTE_SIZE} legend-key` }));
        svg.append(el("text", { x: kx + 22, y: ly + 11, class: "legend" }, name));
      });
    }

    // series (point labels are placed once every point is drawn)
    const labels = [];
    const order = series.map((s, i) => [s, i]).sort((a, b) => Number(Boolean(a[0].emphasis)) - Number(Boolean(b[0].emphasis)));
    order.forEach(([s, i]) => {
      const cls = `s${i % PALETTE_SIZE}`;
      const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
      if (s.step && pts.length) {
        let d = `M${sx.f(pts[0].x).toFixed(1)},${sy.f(pts[0].y).toFixed(1)}`;
        for (let k = 1; k < pts.length; k += 1) {
          d += `H${sx.f(pts[k].x).toFixed(1)}V${sy.f(pts[k].y).toFixed(1)}`;
        }
        if (Number.isFinite(xEnd)) d += `H${sx.f(xEnd).toFixed(1)}`;
        svg.append(el("path", { d, class: `line ${cls}${s.emphasis ? " emphasis" : ""}` }));
      }
      const g = el("g", { class: `points ${cls}`, "data-series": s.name });
      pts.forEach((p, k) => {
        const cx = sx.f(p.x);
        const cy = sy.f(p.y);
        // On a step line, a point where the value does not change is drawn small.
        const same = s.step && k > 0 && pts[k - 1].y === p.y;
        const dot = el("circle", {
          cx: cx.toFixed(1), cy: cy.toFixed(1), r: same ? 2 : s.emphasis ? 4.5 : 3.5,
          class: `point ${cls}`, "data-x": p.x, "data-value": p.y,
        });
        dot.append(el("title", {}, p.tip || `${s.name}, ${formatX(p.x)}: ${formatY(p.y)}`));
        g.append(dot);
        if (p.label) labels.push({ cx, cy, text: p.label, g });
      });
      svg.append(g);
    });
    placeLabels(labels, { left, top, right: width - 2, bottom: top + plotH });
    return svg;
  };
  return responsiveFigure({ id, title, desc, draw, note, kind: "xy-chart" });
}

// Inline SVG bar charts (no library). Each chart is an <figure> with a text caption and
// an SVG marked role="img" with a title and description for screen readers; the same
// numbers are in the table next to it.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/**
 * Horizontal bars, one or more series per item.
 * @param {object} opts
 * @param {string} opts.title
 * @param {Array<{label: string, values: number[]}>} opts.items
 * @param {string[]} opts.series  series names (legend), one per value
 * @param {Function} opts.format  value -> label
 */
export function barChart({ title, items, series, format, id }) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  if (id) figure.id = id;
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  figure.append(caption);

  const labelWidth = 220;
  const valueWidth = 90;
  const plotWidth = 330;
  const barHeight = 14;
  const gap = 3;
  const groupGap = 10;
  const nSeries = series.length;
  const groupHeight = nSeries * barHeight + (nSeries - 1) * gap;
  const legendHeight = nSeries > 1 ? 22 : 0;
  const height = legendHeight + items.length * (groupHeight + groupGap) + 4;
  const width = labelWidth + plotWidth + valueWidth;
  const max = Math.max(1e-300, ...items.flatMap((it) => it.values.filter((v) => Number.isFinite(v))));

  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
    class: "bars",
  });
  svg.append(el("title", { id: `${id}-title` }, title));
  const desc = items
    .map((it) => `${it.label}: ${it.values.map((v, i) => `${series[i]} ${format(v)}`).join(", ")}`)
    .join("; ");
  svg.append(el("desc", { id: `${id}-desc` }, desc));

  if (nSeries > 1) {
    series.forEach((name, i) => {
      const x = labelWidth + i * 160;
      svg.append(el("rect", { x, y: 4, width: 12, height: 12, class: `s${i}` }));
      svg.append(el("text", { x: x + 16, y: 14, class: "legend" }, name));
    });
  }
  items.forEach((item, row) => {
    const y0 = legendHeight + row * (groupHeight + groupGap);
    svg.append(
      el("text", { x: labelWidth - 6, y: y0 + groupHeight / 2 + 4, "text-anchor": "end", class: "label" },
        truncate(item.label, 34)),
    );
    item.values.forEach((value, i) => {
      const y = y0 + i * (barHeight + gap);
      const finite = Number.isFinite(value) ? value : 0;
      const w = Math.max(finite > 0 ? 1 : 0, (finite / max) * plotWidth);
      const rect = el("rect", { x: labelWidth, y, width: w.toFixed(1), height: barHeight, class: `s${i}` });
      rect.append(el("title", {}, `${item.label} – ${series[i]}: ${format(value)}`));
      svg.append(rect);
      svg.append(el("text", { x: labelWidth + w + 4, y: y + barHeight - 3, class: "value" }, format(value)));
    });
  });
  figure.append(svg);
  return figure;
}

// Number formatting shared by tables and charts (same conventions as the CLI).

export function fmtUsd(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const v = Number(value);
  if (v < 0) return `−${fmtUsd(-v)}`;
  const scales = [
    [1e12, "tn"],
    [1e9, "bn"],
    [1e6, "m"],
    [1e3, "k"],
  ];
  for (const [scale, suffix] of scales) {
    if (Math.abs(v) >= scale) {
      return `US$${(v / scale).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${suffix}`;
    }
  }
  return `US$${v.toLocaleString("en", { maximumFractionDigits: 0 })}`;
}

export function fmtPct(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `${(100 * Number(value)).toFixed(digits)}%`;
}

export function fmtNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const v = Number(value);
  if (Number.isInteger(v)) return v.toLocaleString("en");
  return v.toLocaleString("en", { maximumFractionDigits: digits });
}

// The field-label registry of the server (/api/labels: name -> {label, short, kind, digits}),
// the same one the command line and the brief use. Unknown fields fall back to their name.
let LABELS = {};

export function setLabels(registry) {
  LABELS = registry || {};
}

/** The short header of a field (tables), e.g. "home share"; with its unit: "baseline (US$)". */
export function headerFor(column, withUnit = false) {
  const known = LABELS[column];
  if (!known) return humanize(column);
  return withUnit && known.kind === "usd" ? `${known.short} (US$)` : known.short;
}

/** The label of a field (summaries), with its unit: "total effect (US$)". */
export function labelFor(column) {
  const known = LABELS[column];
  if (!known) return humanize(column);
  return known.kind === "usd" ? `${known.label} (US$)` : known.label;
}

function formatterForKind(kind, digits) {
  if (kind === "usd") return fmtUsd;
  if (kind === "share") return (v) => (typeof v === "number" ? fmtPct(v, digits) : display(v));
  if (kind === "ratio") return (v) => (typeof v === "number" ? fmtNumber(v, digits) : display(v));
  if (kind === "count") return (v) => (typeof v === "number" ? fmtNumber(v, 0) : display(v));
  if (kind === "year") return (v) => (v === null || v === undefined ? "–" : String(v));
  return display;
}

/** A formatter for a column: from the label registry, else chosen from the column name. */
export function formatterFor(column) {
  const known = LABELS[column];
  if (known) return formatterForKind(known.kind, known.digits);
  const name = column.toLowerCase();
  if (name.endsWith("_usd") || name.includes("_usd_")) return fmtUsd;
  if (name.includes("share") || name.endsWith("_rate") || name.includes("_pct") || name === "rate"
      || name.endsWith("_weight") || name.endsWith("_change")) {
    return (v) => (typeof v === "number" ? fmtPct(v) : display(v));
  }
  return display;
}

export function display(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return fmtNumber(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** "home_share_of_partner_imports" -> "home share of partner imports" */
export function humanize(column) {
  return column.replace(/_usd$/, " (US$)").replaceAll("_", " ");
}

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

/** A formatter chosen from a column name, for tables whose columns are not known in advance. */
export function formatterFor(column) {
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

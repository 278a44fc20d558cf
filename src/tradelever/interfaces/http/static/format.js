// How values are shown: the server's label registry (/api/labels, tradelever/labels.py) decides
// the label, the short header, the kind (usd, share, ratio, count, year, text, code, flag) and
// the digits of every field, exactly as on the command line and in the brief. Fields the
// registry does not know get a kind from their name (the same rules for every table), so a
// fraction is never shown beside a percentage and a year never gets a thousands separator.

let LABELS = {};

export function setLabels(registry) {
  LABELS = registry || {};
}

const MISSING = "–";

function isMissing(value) {
  return value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));
}

/** US dollars with a scale: "US$2.47 bn", "−US$104.00 bn" (as tradelever.formatting.fmt_usd). */
export function fmtUsd(value) {
  if (isMissing(value) || value === "") return MISSING;
  const v = Number(value);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? String(value) : "unbounded";
  const a = Math.abs(v);
  const sign = v < 0 && a >= 0.5 ? "−" : ""; // never "−US$0"
  for (const [scale, suffix] of [[1e12, "tn"], [1e9, "bn"], [1e6, "m"], [1e3, "k"]]) {
    if (a >= scale) {
      return `${sign}US$${(a / scale).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${suffix}`;
    }
  }
  return `${sign}US$${a.toLocaleString("en", { maximumFractionDigits: 0 })}`;
}

/** A fraction as a percentage: 0.1624 -> "16.2%"; the minus sign is typographic. */
export function fmtPct(value, digits = 1) {
  if (isMissing(value) || value === "") return MISSING;
  const v = Number(value);
  if (!Number.isFinite(v)) return String(value);
  if (v !== 0 && Math.abs(100 * v) < 0.5 * 10 ** -digits) {
    // A small non-zero share keeps two significant digits (0.034%), never "0.0%".
    return `${(100 * v).toPrecision(2).replace("-", "−")}%`;
  }
  const text = (100 * v).toFixed(digits);
  return `${text.replace("-", "−")}%`;
}

/** A plain number with thousands separators and at most ``digits`` decimals. */
export function fmtNumber(value, digits = 3) {
  if (isMissing(value) || value === "") return MISSING;
  const v = Number(value);
  if (!Number.isFinite(v)) return String(value);
  // A small non-zero number keeps two significant digits rather than rounding to 0.
  const options = v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits ? { maximumSignificantDigits: 2 } : { maximumFractionDigits: digits };
  return v.toLocaleString("en", options).replace("-", "−");
}

/** A year, never with a separator: 2024 -> "2024". */
export function fmtYear(value) {
  if (isMissing(value) || value === "") return MISSING;
  return String(value);
}

/** The kind of a field: the registry's, else one inferred from its name (or null). */
export function kindOf(field) {
  const known = LABELS[field];
  if (known) return known.kind;
  const name = String(field).toLowerCase();
  if (name.endsWith("_usd") || name.includes("_usd_")) return "usd";
  if (name === "year" || name.endsWith("_year") || name.startsWith("year_") || name === "years") return "year";
  if (name === "date" || name.endsWith("_date")) return "text";
  if (/(^|_)(share|shares|rate|pct)(_|$)/.test(name) && !name.startsWith("days")) return "share";
  return null;
}

function digitsOf(field, fallback) {
  const known = LABELS[field];
  return known && Number.isInteger(known.digits) ? known.digits : fallback;
}

/** A formatter for a field: value -> text. */
export function formatterFor(field) {
  const kind = kindOf(field);
  const digits = digitsOf(field, kind === "ratio" ? 2 : 1);
  const known = LABELS[field];
  const width = known && known.width;
  switch (kind) {
    case "usd":
      return (v) => (typeof v === "number" || isMissing(v) ? fmtUsd(v) : display(v));
    case "share":
      return (v) => (typeof v === "number" || isMissing(v) ? fmtPct(v, digits) : display(v));
    case "ratio":
      return (v) => (typeof v === "number" || isMissing(v) ? fmtNumber(v, digits) : display(v));
    case "count":
      return (v) => (typeof v === "number" || isMissing(v) ? fmtNumber(v, 0) : display(v));
    case "year":
      return (v) => (Array.isArray(v) ? v.map(fmtYear).join(", ") : fmtYear(v));
    case "flag":
      return (v) => (isMissing(v) ? MISSING : v ? "yes" : "no");
    case "text":
      return (v) => {
        const text = isMissing(v) ? "" : display(v);
        return width && text.length > width * 3 ? `${text.slice(0, width * 3 - 1)}…` : text;
      };
    default:
      return display;
  }
}

/** Whether a field holds numbers that are right-aligned in tables. */
export function isNumericKind(field) {
  return ["usd", "share", "ratio", "count"].includes(kindOf(field));
}

/** Any value as text (no registry): numbers with separators, lists joined, yes/no. */
export function display(value) {
  if (isMissing(value)) return MISSING;
  if (typeof value === "number") return fmtNumber(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${labelFor(k)} ${formatterFor(k)(v)}`)
      .join("; ");
  }
  return String(value);
}

/** The short header of a field (tables), e.g. "home share"; with its unit: "baseline (US$)". */
export function headerFor(field, withUnit = false) {
  const known = LABELS[field];
  const text = known ? known.short : humanize(field);
  return withUnit && kindOf(field) === "usd" && !text.includes("US$") ? `${text} (US$)` : text;
}

/** The label of a field (summaries and charts), e.g. "home share of partner imports". */
export function labelFor(field, withUnit = false) {
  const known = LABELS[field];
  const text = known ? known.label : humanize(field);
  return withUnit && kindOf(field) === "usd" && !text.includes("US$") ? `${text} (US$)` : text;
}

/** "home_share_of_partner_imports" -> "home share of partner imports" */
export function humanize(field) {
  return String(field).replace(/_usd$/, "").replaceAll("_", " ");
}

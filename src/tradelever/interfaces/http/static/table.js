// Accessible HTML tables built with DOM calls (no innerHTML with data).
import { display, formatterFor, headerFor, labelFor } from "./format.js";

/**
 * Render rows as a table.
 * @param {Array<{key: string, header?: string, format?: Function, numeric?: boolean}>} columns
 */
export function renderTable({ caption, columns, rows, id }) {
  const table = document.createElement("table");
  if (id) table.id = id;
  if (caption) {
    const cap = document.createElement("caption");
    cap.textContent = caption;
    table.append(cap);
  }
  const head = table.createTHead().insertRow();
  for (const col of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.dataset.key = col.key;
    th.textContent = col.header || headerFor(col.key, true);
    if (col.numeric) th.className = "num";
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((col, i) => {
      const cell = i === 0 ? document.createElement("th") : document.createElement("td");
      if (i === 0) cell.scope = "row";
      const value = row[col.key];
      cell.textContent = (col.format || display)(value);
      if (typeof value === "number") cell.title = String(value);
      if (col.numeric) cell.className = "num";
      else if (col.key === "description") cell.className = "desc";
      tr.append(cell);
    });
  }
  return table;
}

/** Columns inferred from the rows (for results whose shape is not fixed in the dashboard). */
export function inferColumns(rows, preferred = []) {
  const keys = [];
  for (const row of rows.slice(0, 50)) {
    for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  }
  const ordered = [...preferred.filter((k) => keys.includes(k)), ...keys.filter((k) => !preferred.includes(k))];
  return ordered.map((key) => {
    const numeric = rows.some((r) => typeof r[key] === "number");
    return { key, numeric, format: formatterFor(key) };
  });
}

/** A definition list of scalar fields (summary blocks). */
export function renderSummary(summary) {
  const dl = document.createElement("dl");
  dl.className = "summary";
  for (const [key, value] of Object.entries(summary || {})) {
    const dt = document.createElement("dt");
    dt.textContent = labelFor(key);
    const dd = document.createElement("dd");
    if (value && typeof value === "object" && !Array.isArray(value)) {
      // A nested block (e.g. scenario A's totals): "total effect (US$) −US$78.45 bn; ..."
      dd.textContent = Object.entries(value)
        .map(([k, v]) => `${labelFor(k)} ${formatterFor(k)(v)}`)
        .join("; ");
    } else {
      dd.textContent = formatterFor(key)(value);
    }
    dl.append(dt, dd);
  }
  return dl;
}

/** Provenance and assumptions of a result, as text. */
export function renderSources(result) {
  const box = document.createElement("div");
  const prov = result.provenance || {};
  const p = document.createElement("p");
  const parts = [];
  if (prov.source) parts.push(`Source: ${prov.source}`);
  if (prov.version) parts.push(`Release: ${prov.version}`);
  if (prov.year) parts.push(`Year: ${prov.year}`);
  if (prov.licence) parts.push(`Licence: ${prov.licence}`);
  if (prov.sha256) parts.push(`SHA-256: ${prov.sha256}`);
  p.textContent = parts.join(". ");
  box.append(p);
  const assumptions = result.assumptions || [];
  if (assumptions.length) {
    const h = document.createElement("h3");
    h.textContent = "Assumptions";
    const ul = document.createElement("ul");
    for (const a of assumptions) {
      const li = document.createElement("li");
      li.textContent = a;
      ul.append(li);
    }
    box.append(h, ul);
  }
  return box;
}

// Accessible HTML tables built with DOM calls (never innerHTML with data). Each table sits in
// its own scrolling region (keyboard-focusable, named by the caption) with a sticky header
// row and a sticky first column, so a wide table never widens the page.
import { display, formatterFor, headerFor, isNumericKind, kindOf, labelFor } from "./format.js";

let tableCount = 0;

/**
 * Render rows as a table inside a scrolling region.
 * @param {object} opts
 * @param {string} opts.caption  what the table shows (its accessible name)
 * @param {Array<{key: string, header?: string, format?: Function, numeric?: boolean}>} opts.columns
 * @param {object[]} opts.rows
 * @param {string} [opts.id]  id of the <table>
 * @returns {HTMLElement} the region (a <div class="table-scroll">) holding the table
 */
export function renderTable({ caption, columns, rows, id }) {
  tableCount += 1;
  const table = document.createElement("table");
  table.id = id || `table-${tableCount}`;
  const region = document.createElement("div");
  region.className = "table-scroll";
  region.tabIndex = 0; // scrollable with the keyboard
  region.setAttribute("role", "region");
  if (caption) {
    const cap = document.createElement("caption");
    cap.id = `${table.id}-caption`;
    cap.textContent = caption;
    table.append(cap);
    region.setAttribute("aria-labelledby", cap.id);
  } else {
    region.setAttribute("aria-label", "table");
  }
  const head = table.createTHead().insertRow();
  const headers = columns.map((col) => col.header || headerFor(col.key, true));
  columns.forEach((col, i) => {
    // Two columns with one header (a code and its name): the code says so.
    if (headers.indexOf(headers[i]) !== headers.lastIndexOf(headers[i]) && kindOf(col.key) !== "text") {
      headers[i] = `${headers[i]} (code)`;
    }
  });
  columns.forEach((col, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.dataset.key = col.key;
    th.textContent = headers[i];
    const label = labelFor(col.key);
    if (label !== th.textContent) th.title = label;
    if (col.numeric) th.className = "num";
    head.append(th);
  });
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((col, i) => {
      const cell = i === 0 ? document.createElement("th") : document.createElement("td");
      if (i === 0) cell.scope = "row";
      const value = row[col.key];
      if (value && typeof value === "object" && !Array.isArray(value)) {
        // A nested record (e.g. each measure's contribution): one "label value" per line.
        cell.textContent = Object.entries(value)
          .map(([k, v]) => `${headerFor(k)} ${formatterFor(k)(v)}`)
          .join("\n");
        cell.className = "record";
        tr.append(cell);
        return;
      }
      cell.textContent = (col.format || formatterFor(col.key) || display)(value);
      if (typeof value === "number" && col.numeric) cell.title = String(value);
      if (col.numeric) cell.className = "num";
      else if (col.key === "description" || col.key === "title") cell.className = "desc";
      else if (["code", "year"].includes(kindOf(col.key)) || /(^|_)date$/.test(col.key)) cell.className = "nowrap";
      tr.append(cell);
    });
  }
  region.append(table);
  return region;
}

/** Columns inferred from the rows (for results whose shape is not fixed in the dashboard). */
// Identifying columns first, whatever the result: codes, then names, then descriptions.
const IDENTIFIERS = ["code", "industry", "country", "partner", "exporter", "importer", "partner_name", "name", "description"];

export function inferColumns(rows, preferred = IDENTIFIERS) {
  const keys = [];
  for (const row of rows.slice(0, 50)) {
    for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  }
  const ordered = [...preferred.filter((k) => keys.includes(k)), ...keys.filter((k) => !preferred.includes(k))];
  return ordered.map((key) => {
    const numeric = isNumericKind(key) || rows.some((r) => typeof r[key] === "number" && !/year/.test(key));
    return { key, numeric, format: formatterFor(key) };
  });
}

/** A definition list of scalar fields (summary blocks). */
export function renderSummary(summary) {
  const dl = document.createElement("dl");
  dl.className = "summary";
  for (const [key, value] of Object.entries(summary || {})) {
    const dt = document.createElement("dt");
    dt.textContent = labelFor(key, true);
    const dd = document.createElement("dd");
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === "object")) {
      // A list of records (e.g. the industries hit most): a small table.
      dd.append(renderTable({ caption: labelFor(key), columns: inferColumns(value), rows: value }));
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      // A nested block (e.g. scenario A's totals): its own list.
      dd.append(renderSummary(value));
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
  const provenances = [];
  const prov = result.provenance || {};
  if (prov.source || prov.name) provenances.push(prov);
  else for (const value of Object.values(prov)) if (value && typeof value === "object") provenances.push(value);
  for (const item of provenances) {
    const p = document.createElement("p");
    const parts = [];
    if (item.name) parts.push(`Data set: ${item.name}`);
    if (item.source) parts.push(`Source: ${item.source}`);
    if (item.version) parts.push(`Release: ${item.version}`);
    if (item.year !== undefined && item.year !== null) parts.push(`Year: ${item.year}`);
    if (item.licence) parts.push(`Licence: ${item.licence}`);
    if (item.sha256) parts.push(`SHA-256: ${item.sha256}`);
    p.textContent = parts.join(". ");
    if (parts.length) box.append(p);
  }
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

/** A <details> block "Sources and assumptions" for a result. */
export function sourcesBlock(result) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Sources and assumptions";
  details.append(summary, renderSources(result));
  return details;
}

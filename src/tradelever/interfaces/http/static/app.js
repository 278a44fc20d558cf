// tradelever dashboard: the question form, the leverage table and charts, other analyses,
// tariff scenarios and the brief. Plain ES module, no build step, no third-party code.
import { ApiError, apiUrl, getJSON, getText, hasEndpoint, postText } from "./api.js";
import { barChart } from "./chart.js";
import { fmtPct, fmtUsd, formatterFor, headerFor, setLabels } from "./format.js";
import { inferColumns, renderSources, renderSummary, renderTable } from "./table.js";

const $ = (id) => document.getElementById(id);
const FORM_FIELDS = ["dataset", "year", "home", "partner", "rival", "level", "top"];
const LEVELS = {
  industry: [["industry", "industry (ICIO)"]],
  product: [
    ["hs6", "HS 6-digit"],
    ["hs4", "HS 4-digit"],
    ["hs2", "HS 2-digit (chapters)"],
    ["group", "named product groups"],
  ],
};
const DEFAULTS = { home: "MYS", partner: "USA", rival: "CHN" };

// The CLI's fields; the ranking column comes right after the description on screen. Headers
// and formats come from the server's label registry (/api/labels), as on the command line.
const LEVERAGE_FIELDS = [
  "code",
  "description",
  "partner_cost_of_losing_home_usd",
  "home_share_of_partner_imports",
  "rival_share_of_partner_imports",
  "partner_imports_usd",
  "home_exports_to_partner_usd",
  "home_world_export_share",
  "partner_import_hhi",
  "home_export_weight",
  "sigma",
];

function leverageColumns() {
  return LEVERAGE_FIELDS.map((key, i) =>
    i < 2 ? { key, header: headerFor(key) } : { key, header: headerFor(key), format: formatterFor(key), numeric: true },
  );
}

// Analyses shown under "More analyses" when the server has them.
const ANALYSES = [
  { path: "/api/substitutes", label: "Rival substitution", help: "Where the partner could replace the rival's supply with ours." },
  { path: "/api/exposure", label: "Our exposure", help: "Our exports at stake in the partner's market." },
  { path: "/api/formula", label: "Reciprocal tariff formula", help: "The April 2025 US formula and how much more the home country must buy to reach a target rate." },
  { path: "/api/concessions", label: "Concession finder", help: "Purchases the home country could switch to the partner at least cost." },
  { path: "/api/peers", label: "Peers", help: "The same indicators for comparable exporters (ASEAN by default)." },
  { path: "/api/supply-chain", label: "Supply-chain dependence", help: "The partner's output loss if our deliveries stopped (ICIO network)." },
  { path: "/api/formula-annex", label: "Formula vs Annex I rates", help: "The reciprocal formula for every Annex I partner against the rate announced on 2 April 2025." },
];

const state = { countries: [], leverage: null, schema: null, scenarios: [] };

const MODE_LABELS = {
  ces: "CES / Armington (exact hat algebra)",
  smart: "WITS-SMART formulas",
};

function resolveRef(ref) {
  // "#/components/schemas/ScenarioMode" -> the schema object
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce((node, key) => (node ? node[key] : undefined), state.schema) || {};
}

// -- status and errors ---------------------------------------------------------------------
function setStatus(text, kind = "info") {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
  status.setAttribute("role", kind === "error" ? "alert" : "status");
}

function clearInvalid() {
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function showError(error, context) {
  const message = error instanceof ApiError ? error.message : `${context}: ${error.message || error}`;
  setStatus(message, "error");
  if (error instanceof ApiError && error.parameter) {
    const field = $(error.parameter === "mode" ? "scenario-mode" : error.parameter);
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }
}

// -- the question form ---------------------------------------------------------------------
function formValues() {
  const values = {};
  for (const name of FORM_FIELDS) values[name] = $(name).value;
  return values;
}

function option(value, text, selected = false) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  node.selected = selected;
  return node;
}

function fillCountries(select, countries, wanted, { allowNone = false } = {}) {
  const previous = select.value || wanted;
  select.replaceChildren();
  if (allowNone) select.append(option("", "none"));
  for (const c of countries) select.append(option(c.iso3, `${c.name} (${c.iso3})`));
  const codes = countries.map((c) => c.iso3);
  if (previous && codes.includes(previous)) select.value = previous;
  else if (wanted && codes.includes(wanted)) select.value = wanted;
  else if (allowNone) select.value = "";
}

async function loadDatasets(wanted) {
  const datasets = await getJSON("/api/datasets");
  const select = $("dataset");
  select.replaceChildren();
  for (const d of datasets) {
    const years = (d.years || []).join(", ");
    select.append(option(d.name, `${d.name}${years ? ` (${years})` : ""}`));
  }
  const names = datasets.map((d) => d.name);
  select.value = names.includes(wanted) ? wanted : names.includes("icio2022") ? "icio2022" : names[0] || "";
  state.datasets = datasets;
}

async function loadCountries(wanted = {}) {
  const dataset = $("dataset").value;
  const info = await getJSON("/api/countries", { dataset });
  state.countries = info.countries;
  const year = $("year");
  // A new data set starts at its latest year (unless the URL asked for one).
  const previousYear = wanted.year;
  year.replaceChildren();
  for (const y of [...info.years].reverse()) year.append(option(String(y), String(y)));
  if (previousYear && info.years.map(String).includes(String(previousYear))) year.value = String(previousYear);
  fillCountries($("home"), info.countries, wanted.home || DEFAULTS.home);
  fillCountries($("partner"), info.countries, wanted.partner || DEFAULTS.partner);
  fillCountries($("rival"), info.countries, wanted.rival ?? DEFAULTS.rival, { allowNone: true });
  const meta = (state.datasets || []).find((d) => d.name === dataset);
  $("dataset-note").textContent = meta && meta.note ? `Note: ${meta.note}.` : "";
  const level = $("level");
  const previousLevel = level.value || wanted.level;
  level.replaceChildren();
  for (const [value, text] of LEVELS[meta && meta.level === "industry" ? "industry" : "product"]) {
    level.append(option(value, text));
  }
  if (previousLevel && [...level.options].some((o) => o.value === previousLevel)) level.value = previousLevel;
}

function syncUrl(values) {
  const url = apiUrl(window.location.pathname, values);
  window.history.replaceState(null, "", url);
}

// -- leverage ------------------------------------------------------------------------------
function countryLabel(code) {
  const c = state.countries.find((x) => x.iso3 === code);
  return c ? c.name : code;
}

function renderLeverage(result) {
  const rows = result.rows || [];
  const top = rows.slice(0, 10);
  const charts = $("leverage-charts");
  charts.replaceChildren();
  const label = (r) => `${r.code} ${r.description || ""}`.trim();
  if (top.length) {
    charts.append(
      barChart({
        id: "chart-cost",
        title: `${countryLabel(result.partner)}'s cost of losing ${countryLabel(result.home)}'s supply (top ${top.length})`,
        items: top.map((r) => ({ label: label(r), values: [r.partner_cost_of_losing_home_usd] })),
        series: ["cost"],
        format: fmtUsd,
      }),
    );
    const series = [`${countryLabel(result.home)} share`];
    if (result.rival) series.push(`${countryLabel(result.rival)} share`);
    charts.append(
      barChart({
        id: "chart-shares",
        title: `Share of ${countryLabel(result.partner)}'s imports`,
        items: top.map((r) => ({
          label: label(r),
          values: result.rival
            ? [r.home_share_of_partner_imports, r.rival_share_of_partner_imports]
            : [r.home_share_of_partner_imports],
        })),
        series,
        format: (v) => fmtPct(v),
      }),
    );
  }
  const columns = result.rival
    ? leverageColumns()
    : leverageColumns().filter((c) => c.key !== "rival_share_of_partner_imports");
  const caption =
    `Where ${countryLabel(result.partner)} depends on ${countryLabel(result.home)}` +
    (result.rival ? ` (rival: ${countryLabel(result.rival)})` : "") +
    ` – ${result.dataset}, ${result.year}, level ${result.level}; ranked by the partner's cost of losing the home supply`;
  $("leverage-table").replaceChildren(renderTable({ id: "leverage-rows", caption, columns, rows }));
  $("leverage-provenance").replaceChildren(renderSources(result));
  $("leverage-empty").hidden = rows.length > 0;
  if (!rows.length) $("leverage-empty").textContent = "The partner imports nothing in this data set and year.";
  $("download-leverage-csv").disabled = false;
  $("download-leverage-json").disabled = false;
}

async function runLeverage(event) {
  if (event) event.preventDefault();
  clearInvalid();
  const values = formValues();
  syncUrl(values);
  updateBriefLink();
  setStatus("Computing leverage…", "busy");
  $("run-leverage").disabled = true;
  try {
    const result = await getJSON("/api/leverage", values);
    state.leverage = result;
    renderLeverage(result);
    setStatus(`Leverage: ${result.rows.length} rows for ${result.home} in ${result.partner}, ${result.dataset} ${result.year}.`, "ok");
  } catch (error) {
    showError(error, "leverage");
  } finally {
    $("run-leverage").disabled = false;
  }
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function leverageCsv(result) {
  const keys = LEVERAGE_FIELDS;
  const quote = (v) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [keys.join(","), ...result.rows.map((r) => keys.map((k) => quote(r[k])).join(","))].join("\n") + "\n";
}

// -- other analyses (generic: parameters from the OpenAPI schema) --------------------------
function parameterNames(path, method = "get") {
  const op = ((state.schema || {}).paths || {})[path]?.[method];
  return (op?.parameters || []).map((p) => p.name);
}

function paramsFor(path, method = "get") {
  const values = formValues();
  const out = {};
  for (const name of parameterNames(path, method)) if (values[name]) out[name] = values[name];
  return out;
}

function renderResult(container, result, caption) {
  container.replaceChildren();
  if (result.summary && Object.keys(result.summary).length) container.append(renderSummary(result.summary));
  const rows = result.rows || [];
  if (rows.length) {
    container.append(renderTable({ caption, columns: inferColumns(rows, ["code", "description"]), rows }));
  } else {
    const p = document.createElement("p");
    p.textContent = "No rows.";
    container.append(p);
  }
  if (result.provenance || result.assumptions) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Sources and assumptions";
    details.append(summary, renderSources(result));
    container.append(details);
  }
}

async function setupAnalyses() {
  const available = ANALYSES.filter((a) => state.schema.paths && state.schema.paths[a.path]);
  if (!available.length) return;
  $("analyses").hidden = false;
  const select = $("analysis");
  for (const a of available) select.append(option(a.path, a.label));
  const help = () => {
    const a = available.find((x) => x.path === select.value);
    $("analysis-help").textContent = a ? a.help : "";
  };
  select.addEventListener("change", help);
  help();
  $("run-analysis").addEventListener("click", async () => {
    clearInvalid();
    const a = available.find((x) => x.path === select.value);
    setStatus(`Running ${a.label.toLowerCase()}…`, "busy");
    try {
      const result = await getJSON(a.path, paramsFor(a.path));
      renderResult($("analysis-result"), result, a.label);
      setStatus(`${a.label}: ${(result.rows || []).length} rows.`, "ok");
    } catch (error) {
      showError(error, a.label);
    }
  });
}

// -- scenarios -----------------------------------------------------------------------------
function scenarioName(item) {
  return typeof item === "string" ? item : item.name;
}

async function setupScenarios() {
  if (!(await hasEndpoint("/api/scenarios")) || !(await hasEndpoint("/api/scenarios/run"))) {
    $("scenarios-unavailable").hidden = false;
    $("scenarios-body").hidden = true;
    return;
  }
  const listing = await getJSON("/api/scenarios");
  const items = Array.isArray(listing) ? listing : listing.rows || listing.scenarios || [];
  state.scenarios = items;
  const select = $("scenario");
  select.replaceChildren();
  for (const item of items) {
    const name = scenarioName(item);
    const date = typeof item === "object" && item.date;
    select.append(option(name, date ? `${name} (schedule of ${date})` : name));
  }
  const runParams = ((state.schema.paths["/api/scenarios/run"] || {}).post || {}).parameters || [];
  const mode = runParams.find((p) => p.name === "mode");
  let modeSchema = mode?.schema || {};
  if (modeSchema.$ref) modeSchema = resolveRef(modeSchema.$ref);
  const modes = modeSchema.enum || [];
  const modeSelect = $("scenario-mode");
  modeSelect.replaceChildren();
  for (const m of modes) modeSelect.append(option(m, MODE_LABELS[m] || m, m === mode?.schema?.default));
  const other = $("scenario-b");
  other.replaceChildren();
  for (const item of items) other.append(option(scenarioName(item), scenarioName(item)));
  // Default pair: competitors settle first (A) against home settles too (B), when present.
  const names = items.map(scenarioName);
  const noDeal = names.find((n) => n.endsWith("-no-deal"));
  if (noDeal) {
    select.value = noDeal;
    const deal = noDeal.replace(/-[a-z]{3}-no-deal$/, "");
    if (names.includes(deal)) other.value = deal;
  }
  select.addEventListener("change", showScenario);
  $("run-scenario").addEventListener("click", runScenario);
  if (state.schema.paths["/api/scenarios/compare"]) {
    $("compare-scenarios").addEventListener("click", compareScenarios);
  } else {
    $("compare-scenarios").hidden = true;
    other.closest(".field").hidden = true;
  }
  if (items.length) await showScenario();
}

const MEASURE_COLUMNS = ["importer", "exporters", "products", "exempt", "rate", "new_rate", "change", "basis", "effective", "source"];

function describeExporters(value) {
  if (value && typeof value === "object" && !Array.isArray(value) && value.all_except) {
    return `all except ${value.all_except.join(", ")}`;
  }
  return value;
}

async function showScenario() {
  const name = $("scenario").value;
  const box = $("scenario-detail");
  box.replaceChildren();
  if (!name) return;
  try {
    const detail = await getJSON(`/api/scenarios/${encodeURIComponent(name)}`);
    const p = document.createElement("p");
    p.textContent = detail.description || "";
    box.append(p);
    const measures = (detail.measures || []).map((m) => ({ ...m, exporters: describeExporters(m.exporters) }));
    if (measures.length) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = `${measures.length} measures, each with its legal basis and source`;
      const columns = inferColumns(measures, MEASURE_COLUMNS).filter((c) => MEASURE_COLUMNS.includes(c.key));
      details.append(summary, renderTable({ caption: `Measures of ${name}`, columns, rows: measures }));
      box.append(details);
    }
  } catch (error) {
    showError(error, "scenario");
  }
}

async function runScenario() {
  clearInvalid();
  const custom = $("scenario-text").value.trim();
  const params = paramsFor("/api/scenarios/run", "post");
  if ($("scenario-mode").value) params.mode = $("scenario-mode").value;
  let body;
  let type;
  if (custom && $("scenario-custom").open) {
    body = custom;
    type = custom.startsWith("{") ? "application/json" : "application/yaml";
  } else {
    params.name = $("scenario").value;
    body = "";
    type = "application/json";
  }
  setStatus("Running scenario…", "busy");
  $("run-scenario").disabled = true;
  try {
    const result = await postText("/api/scenarios/run", params, body, type);
    const box = $("scenario-result");
    renderResult(box, result, `Scenario ${result.scenario}: effects per importer, exporter and product`);
    // The home view: "home_summary" (or, in older servers, "home" as an object).
    const view = result.home_summary || (result.home && typeof result.home === "object" ? result.home : null);
    if (view) {
      const code = typeof view.home === "string" ? view.home : params.home;
      const h = document.createElement("h3");
      h.textContent = `What it means for ${countryLabel(code)}`;
      const { rows: homeRows, explanation, home: _code, ...homeSummary } = view;
      const scalars = Object.fromEntries(Object.entries(homeSummary).filter(([, v]) => v === null || typeof v !== "object"));
      const note = document.createElement("p");
      note.className = "hint";
      note.textContent = explanation || "";
      const parts = [h, renderSummary(scalars), note];
      if (Array.isArray(homeRows) && homeRows.length) {
        const caption = `${countryLabel(code)}'s exports by market and product (20 largest effects)`;
        parts.push(renderTable({ caption, columns: inferColumns(homeRows, ["importer", "code", "description"]), rows: homeRows.slice(0, 20) }));
      }
      box.prepend(...parts);
    }
    setStatus(`Scenario ${result.scenario}: ${(result.rows || []).length} rows.`, "ok");
    $("scenario-result").setAttribute("data-done", "true");
  } catch (error) {
    showError(error, "scenario");
  } finally {
    $("run-scenario").disabled = false;
  }
}

async function compareScenarios() {
  clearInvalid();
  const params = {
    a: $("scenario").value,
    b: $("scenario-b").value,
    home: $("home").value,
    dataset: $("dataset").value,
    year: $("year").value,
    mode: $("scenario-mode").value,
    top: $("top").value,
  };
  setStatus("Comparing scenarios…", "busy");
  $("compare-scenarios").disabled = true;
  try {
    const result = await getJSON("/api/scenarios/compare", params);
    const caption = `${countryLabel(result.home)}'s exports: A = ${result.scenario_a}, B = ${result.scenario_b}, difference B − A`;
    renderResult($("scenario-result"), result, caption);
    $("scenario-result").setAttribute("data-done", "true");
    setStatus(`Compared ${result.scenario_a} and ${result.scenario_b} for ${result.home}.`, "ok");
  } catch (error) {
    if (error instanceof ApiError && (error.parameter === "a" || error.parameter === "b")) {
      error.parameter = error.parameter === "a" ? "scenario" : "scenario-b";
    }
    showError(error, "compare");
  } finally {
    $("compare-scenarios").disabled = false;
  }
}

// -- brief ---------------------------------------------------------------------------------
function briefParams(format, extra = {}) {
  const params = { ...paramsFor("/api/brief"), format, ...extra };
  delete params.top; // "rows to show" is for the table; the brief has its own length
  if ($("brief-with-scenario").checked && $("scenario").value) params.scenario = $("scenario").value;
  return params;
}

function updateBriefLink() {
  const link = $("download-brief");
  if (!state.schema?.paths?.["/api/brief"]) return;
  const format = $("brief-format").value;
  link.href = apiUrl("/api/brief", briefParams(format, { download: "true" }));
}

async function setupBrief() {
  if (!(await hasEndpoint("/api/brief"))) {
    $("brief-unavailable").hidden = false;
    $("brief-body").hidden = true;
    return;
  }
  $("brief-format").addEventListener("change", updateBriefLink);
  $("brief-with-scenario").addEventListener("change", updateBriefLink);
  $("scenario").addEventListener("change", updateBriefLink);
  $("preview-brief").addEventListener("click", previewBrief);
  updateBriefLink();
}

async function previewBrief() {
  clearInvalid();
  const format = $("brief-format").value;
  const box = $("brief-preview");
  setStatus("Writing the brief…", "busy");
  try {
    if (format === "md") {
      const text = await getText("/api/brief", briefParams("md"));
      const pre = document.createElement("pre");
      pre.className = "markdown";
      pre.tabIndex = 0;
      pre.textContent = text;
      box.replaceChildren(pre);
    } else {
      // Check the answer first so that errors show in the status line, not in the frame.
      const url = apiUrl("/api/brief", briefParams(format));
      const response = await fetch(url, { method: "GET" });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new ApiError(response.status, body.detail || response.statusText, body.parameter);
      }
      const frame = document.createElement("iframe");
      frame.title = "Brief preview";
      frame.className = "brief-frame";
      if (format === "html") frame.setAttribute("sandbox", "");
      // The server caches the brief, so loading it again in the frame costs nothing.
      frame.src = url;
      box.replaceChildren(frame);
    }
    setStatus("Brief ready.", "ok");
  } catch (error) {
    showError(error, "brief");
  }
}

// -- start ---------------------------------------------------------------------------------
async function main() {
  const wanted = Object.fromEntries(new URLSearchParams(window.location.search));
  if (wanted.top) $("top").value = wanted.top;
  try {
    state.schema = await getJSON("/openapi.json");
    if (state.schema.paths?.["/api/labels"]) setLabels(await getJSON("/api/labels"));
    await loadDatasets(wanted.dataset);
    await loadCountries(wanted);
  } catch (error) {
    showError(error, "loading");
    return;
  }
  $("question").addEventListener("submit", runLeverage);
  $("dataset").addEventListener("change", async () => {
    try {
      await loadCountries();
      updateBriefLink();
    } catch (error) {
      showError(error, "dataset");
    }
  });
  for (const name of FORM_FIELDS) $(name).addEventListener("change", updateBriefLink);
  $("download-leverage-csv").addEventListener("click", () => {
    const r = state.leverage;
    if (r) download(`leverage-${r.home}-${r.partner}-${r.dataset}-${r.year}.csv`, leverageCsv(r), "text/csv");
  });
  $("download-leverage-json").addEventListener("click", () => {
    const r = state.leverage;
    if (r) download(`leverage-${r.home}-${r.partner}-${r.dataset}-${r.year}.json`, JSON.stringify(r, null, 2), "application/json");
  });
  await Promise.all([setupAnalyses(), setupScenarios(), setupBrief()]).catch((e) => showError(e, "loading"));
  document.body.dataset.ready = "true";
  if (wanted.home && wanted.partner) await runLeverage();
}

main();

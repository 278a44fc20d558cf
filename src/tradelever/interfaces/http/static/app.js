// tradelever dashboard: the question form, the leverage table and charts, every other
// analysis with its own inputs, tariff scenarios with charts, the tariff timeline, "first
// in line", the leverage scan and the brief. Plain ES module, no build step, no
// third-party code. Field labels and formats come from the server's label registry, inputs
// and defaults from its OpenAPI schema.
import { ApiError, apiUrl, getJSON, getText, hasEndpoint, postText } from "./api.js";
import { barChart, mount } from "./chart.js";
import { fmtUsd, formatterFor, headerFor, labelFor, setLabels } from "./format.js";
import { buildInputs, parameterDefault, parameterSpecs } from "./forms.js";
import { inferColumns, renderSources, renderSummary, renderTable, sourcesBlock } from "./table.js";
import { setupDeals, setupScan, setupTariffs } from "./views.js";

const $ = (id) => document.getElementById(id);
const FORM_FIELDS = ["dataset", "year", "home", "partner", "rival", "level", "top"];
const DEFAULT_DATASET = "default for each question";

// What each level is called in the level list (the values are the API's).
const LEVEL_NAMES = {
  industry: "industry (ICIO)",
  hs10: "HS 10-digit (US tariff lines)",
  hs8: "HS 8-digit (tariff lines)",
  hs6: "HS 6-digit",
  hs4: "HS 4-digit",
  hs2: "HS 2-digit (chapters)",
  group: "named product groups",
  total: "total trade",
};
// The levels a data set can be read at when its record does not list them (as
// store/dataset.py: input-output data at industry level, HS data at its own level and
// coarser, and named groups).
const HS_CHAIN = ["hs10", "hs8", "hs6", "hs4", "hs2"];
function datasetLevels(meta) {
  if (!meta) return ["hs6", "hs4", "hs2", "group"];
  if (Array.isArray(meta.levels) && meta.levels.length) return meta.levels;
  if (meta.level === "industry" || meta.level === "total") return [meta.level];
  const start = HS_CHAIN.indexOf(meta.level || "hs6");
  return [...HS_CHAIN.slice(start < 0 ? 2 : start), "group"];
}

// The leverage fields, ranking column first after the description. Headers and formats come
// from the label registry (/api/labels), as on the command line.
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

// Endpoints with a panel of their own; every other GET /api/<name> that answers a result
// table is offered under "More analyses", with inputs from its parameters.
const OWN_PANELS = new Set([
  "/api/datasets", "/api/countries", "/api/labels", "/api/leverage", "/api/brief",
  "/api/scenarios", "/api/scenarios/compare", "/api/tariffs", "/api/deals", "/api/deals/first-in-line",
  "/api/scan",
]);

// The chart drawn for each analysis: the fields plotted (the JSON contract) and how a row is
// named. Titles and series names come from the label registry.
const ANALYSIS_CHARTS = {
  "/api/substitutes": { fields: ["plausible_supply_usd", "rival_exports_to_partner_usd"] },
  "/api/exposure": { fields: ["home_exports_to_partner_usd"] },
  "/api/concessions": { fields: ["switchable_usd"] },
  "/api/peers": { fields: ["share_of_partner_imports"], name: (r) => r.name || r.country },
  "/api/supply-chain": { fields: ["partner_output_loss_usd", "direct_deliveries_to_partner_usd"], name: (r) => `${r.industry} ${r.description || ""}` },
  "/api/formula-annex": { fields: ["formula_rate_whole_percent", "announced_rate"], name: (r) => r.partner_name || r.code, top: 40 },
  "/api/formula": { summary: ["formula_rate", "formula_rate_whole_percent", "announced_rate", "target_rate"] },
};

const state = { countries: [], groups: {}, leverage: null, schema: null, scenarios: [], datasets: [], listeners: [] };

const MODE_LABELS = {
  ces: "CES / Armington (exact hat algebra)",
  smart: "WITS-SMART formulas",
};

// -- status and errors ---------------------------------------------------------------------
function plural(n, word) {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function setStatus(text, kind = "info") {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
  status.setAttribute("role", kind === "error" ? "alert" : "status");
}

function clearInvalid() {
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** Show an error in the status line and point at the field at fault (by parameter name). */
function showError(error, context, prefix) {
  const message = error instanceof ApiError ? error.message : `${context}: ${error.message || error}`;
  setStatus(message, "error");
  if (error instanceof ApiError && error.parameter) {
    const candidates = [prefix && `${prefix}-${error.parameter}`, error.parameter === "mode" ? "scenario-mode" : error.parameter];
    const field = candidates.map((id) => id && $(id)).find(Boolean);
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

/** The server's example value of a parameter of /api/leverage (its documented first case). */
function example(name) {
  const spec = parameterSpecs(state.schema, "/api/leverage").find((p) => p.name === name);
  const examples = spec && (spec.raw.examples || spec.schema.examples);
  return Array.isArray(examples) && examples.length ? String(examples[0]) : undefined;
}

async function loadDatasets(wanted) {
  const datasets = await getJSON("/api/datasets");
  const select = $("dataset");
  select.replaceChildren();
  // No data set named: each question reads its own default (as on the command line), and
  // every answer says which data set it read.
  select.append(option("", DEFAULT_DATASET));
  for (const d of datasets) {
    const years = d.years || [];
    const span = years.length > 3 ? `${years[0]}–${years[years.length - 1]}` : years.join(", ");
    select.append(option(d.name, `${d.name}${span ? ` (${span})` : ""}`));
  }
  const names = datasets.map((d) => d.name);
  select.value = names.includes(wanted) ? wanted : "";
  state.datasets = datasets;
}

async function loadCountries(wanted = {}) {
  const dataset = $("dataset").value;
  // With no data set named, the countries and years of the server's general default.
  const info = await getJSON("/api/countries", { dataset });
  state.countries = info.countries;
  state.groups = {};
  for (const c of info.countries) for (const g of c.groups || []) (state.groups[g] ||= []).push(c.iso3);
  const year = $("year");
  year.replaceChildren();
  if (!dataset) year.append(option("", "latest of the data set"));
  else for (const y of [...info.years].reverse()) year.append(option(String(y), String(y)));
  if (wanted.year && info.years.map(String).includes(String(wanted.year))) year.value = String(wanted.year);
  fillCountries($("home"), info.countries, wanted.home || example("home"));
  fillCountries($("partner"), info.countries, wanted.partner || example("partner"));
  fillCountries($("rival"), info.countries, wanted.rival ?? example("rival"), { allowNone: true });
  const meta = state.datasets.find((d) => d.name === dataset);
  $("dataset-note").textContent = !dataset
    ? `Each question reads its default data set, named in the answer: ${state.datasets.filter((d) => d.default_for).map((d) => `${d.name}: ${d.default_for}`).join("; ")}.`
    : meta && meta.note
      ? `Note: ${meta.note}.`
      : "";
  const level = $("level");
  const previousLevel = level.value || wanted.level;
  level.replaceChildren();
  if (!dataset) level.append(option("", "default of the data set (HS 6-digit, or industry)"));
  else for (const value of datasetLevels(meta)) level.append(option(value, LEVEL_NAMES[value] || value));
  const offered = [...level.options].map((o) => o.value);
  // HS data read at HS6 unless another level was asked for (as the command line's default).
  if (previousLevel && offered.includes(previousLevel)) level.value = previousLevel;
  else if (offered.includes("hs6")) level.value = "hs6";
  questionChanged();
}

function syncUrl(values) {
  const url = apiUrl(window.location.pathname, values);
  window.history.replaceState(null, "", url);
}

function questionChanged() {
  for (const listener of state.listeners) listener();
}

// -- leverage ------------------------------------------------------------------------------
function countryLabel(code) {
  const c = state.countries.find((x) => x.iso3 === code);
  return c ? c.name : code;
}

/** Home and its peers (the peers option's declared default group, e.g. ASEAN), home first. */
function homeAndPeers() {
  const home = $("home").value;
  const group = parameterDefault(state.schema, "/api/peers", "peers");
  const members = (group && state.groups[group]) || [];
  return [home, ...members.filter((c) => c !== home)].filter(Boolean);
}

function codeLabel(r) {
  return `${r.code ?? r.industry ?? ""} ${r.description || ""}`.trim();
}

function renderLeverage(result) {
  const rows = result.rows || [];
  // Rows where home is the sole supplier have no finite cost (unbounded): they head the
  // table; the charts draw the largest finite costs and say how many were left out.
  const finite = rows.filter((r) => Number.isFinite(r.partner_cost_of_losing_home_usd));
  const top = finite.slice(0, 10);
  const sole = rows.length - finite.length;
  const soleNote = sole ? `; ${sole} sole-supplier row${sole > 1 ? "s" : ""} (cost unbounded) in the table` : "";
  const figures = [];
  if (top.length) {
    figures.push(
      barChart({
        id: "chart-cost",
        title: `${countryLabel(result.partner)}'s cost of losing ${countryLabel(result.home)}'s supply (top ${top.length}${soleNote})`,
        items: top.map((r) => ({ label: codeLabel(r), values: [r.partner_cost_of_losing_home_usd] })),
        series: [labelFor("partner_cost_of_losing_home_usd")],
        format: fmtUsd,
      }),
    );
    const series = [`${countryLabel(result.home)} share`];
    if (result.rival) series.push(`${countryLabel(result.rival)} share`);
    const share = formatterFor("home_share_of_partner_imports");
    figures.push(
      barChart({
        id: "chart-shares",
        title: `Share of ${countryLabel(result.partner)}'s imports`,
        items: top.map((r) => ({
          label: codeLabel(r),
          values: result.rival
            ? [r.home_share_of_partner_imports, r.rival_share_of_partner_imports]
            : [r.home_share_of_partner_imports],
        })),
        series,
        format: share,
      }),
    );
  }
  mount($("leverage-charts"), ...figures);
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

// -- other analyses: inputs from each endpoint's parameters ---------------------------------
function paramsFromQuestion(path, method = "get") {
  const values = formValues();
  const out = {};
  for (const spec of parameterSpecs(state.schema, path, method)) {
    if (FORM_FIELDS.includes(spec.name) && values[spec.name]) out[spec.name] = values[spec.name];
  }
  return out;
}

function analysisList() {
  const paths = (state.schema && state.schema.paths) || {};
  return Object.entries(paths)
    .filter(([path, ops]) => path.startsWith("/api/") && !path.includes("{") && ops.get && !OWN_PANELS.has(path))
    .map(([path, ops]) => {
      const summary = ops.get.summary || path;
      const cut = summary.indexOf(": ");
      return { path, label: cut > 0 ? summary.slice(0, cut) : summary, help: summary };
    });
}

function analysisChart(path, result) {
  const spec = ANALYSIS_CHARTS[path];
  if (!spec) return [];
  if (spec.summary) {
    const summary = result.summary || {};
    const fields = spec.summary.filter((f) => Number.isFinite(summary[f]));
    if (!fields.length) return [];
    const fmt = formatterFor(fields[0]);
    return [
      barChart({
        id: "chart-analysis",
        title: `${countryLabel(result.home)} and ${countryLabel(result.partner)}: the formula against the announced rate`,
        items: fields.map((f) => ({ label: labelFor(f), values: [summary[f]], format: formatterFor(f) })),
        series: ["rate"],
        format: fmt,
      }),
    ];
  }
  const rows = (result.rows || []).slice(0, spec.top || 10);
  const fields = spec.fields.filter((f) => rows.some((r) => Number.isFinite(r[f])));
  if (!rows.length || !fields.length) return [];
  const name = spec.name || codeLabel;
  return [
    barChart({
      id: "chart-analysis",
      title: `${labelFor(fields[0])}${fields.length > 1 ? ` and ${labelFor(fields[1])}` : ""} (first ${rows.length} rows)`,
      items: rows.map((r) => ({ label: name(r), values: fields.map((f) => r[f]) })),
      series: fields.map((f) => labelFor(f)),
      format: formatterFor(fields[0]),
    }),
  ];
}

function renderResult(container, result, caption, path) {
  container.replaceChildren();
  if (result.summary && Object.keys(result.summary).length) container.append(renderSummary(result.summary));
  const figures = analysisChart(path, result);
  if (figures.length) {
    const charts = document.createElement("div");
    charts.className = "charts single";
    container.append(charts);
    mount(charts, ...figures);
  }
  const rows = result.rows || [];
  if (rows.length) {
    container.append(renderTable({ caption, columns: inferColumns(rows), rows }));
  } else {
    const p = document.createElement("p");
    p.textContent = "No rows.";
    container.append(p);
  }
  if (result.provenance || result.assumptions) container.append(sourcesBlock(result));
}

function setupAnalyses() {
  const available = analysisList();
  if (!available.length) return;
  $("analyses").hidden = false;
  const select = $("analysis");
  for (const a of available) select.append(option(a.path, a.label));
  let inputs = null;
  const uses = () => {
    const a = available.find((x) => x.path === select.value);
    if (!a) return;
    const values = formValues();
    const shared = parameterSpecs(state.schema, a.path).filter((s) => FORM_FIELDS.includes(s.name) && values[s.name]);
    const text = shared.map((s) => `${labelFor(s.name)} ${["home", "partner", "rival"].includes(s.name) ? countryLabel(values[s.name]) : values[s.name]}`);
    $("analysis-uses").textContent = text.length ? `From the question above: ${text.join(", ")}.` : "";
  };
  const choose = () => {
    const a = available.find((x) => x.path === select.value);
    $("analysis-help").textContent = a ? a.help : "";
    const own = parameterSpecs(state.schema, a.path).filter((s) => !FORM_FIELDS.includes(s.name));
    inputs = buildInputs($("analysis-options"), own, { prefix: "opt" });
    $("analysis-options-box").hidden = own.length === 0;
    uses();
  };
  select.addEventListener("change", choose);
  state.listeners.push(uses);
  choose();
  const run = async (event) => {
    if (event) event.preventDefault();
    clearInvalid();
    const a = available.find((x) => x.path === select.value);
    setStatus(`Running ${a.label.toLowerCase()}…`, "busy");
    $("analysis-result").removeAttribute("data-done");
    $("run-analysis").disabled = true;
    try {
      const result = await getJSON(a.path, { ...paramsFromQuestion(a.path), ...inputs.read() });
      renderResult($("analysis-result"), result, a.label, a.path);
      $("analysis-result").setAttribute("data-done", "true");
      setStatus(`${a.label}: ${plural((result.rows || []).length, "row")}.`, "ok");
    } catch (error) {
      showError(error, a.label, "opt");
    } finally {
      $("run-analysis").disabled = false;
    }
  };
  $("analysis-form").addEventListener("submit", run);
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
  const mode = parameterSpecs(state.schema, "/api/scenarios/run", "post").find((p) => p.name === "mode");
  const modes = (mode && mode.schema.enum) || [];
  const modeSelect = $("scenario-mode");
  modeSelect.replaceChildren();
  for (const m of modes) modeSelect.append(option(m, MODE_LABELS[m] || m, m === mode.schema.default));
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

/** The largest effects by absolute value, for a diverging bar chart. */
function largest(rows, field, n = 10) {
  return [...rows].filter((r) => Number.isFinite(r[field])).sort((a, b) => Math.abs(b[field]) - Math.abs(a[field])).slice(0, n);
}

function scenarioCharts(result, home) {
  const figures = [];
  const effect = "total_effect_usd";
  const view = result.home_summary || (result.home && typeof result.home === "object" ? result.home : null);
  const homeRows = view && Array.isArray(view.rows) ? largest(view.rows, effect) : [];
  const baseline = result.baseline && result.baseline.label ? ` against ${result.baseline.label}` : "";
  if (homeRows.length) {
    figures.push(
      barChart({
        id: "chart-scenario-home",
        title: `${countryLabel(home)}'s exports: ${labelFor(effect)} by market and product${baseline} (largest ${homeRows.length})`,
        items: homeRows.map((r) => ({ label: `${r.importer ? `${r.importer} ` : ""}${codeLabel(r)}`, values: [r[effect]] })),
        series: [labelFor(effect)],
        format: fmtUsd,
      }),
    );
  }
  const exporters = Array.isArray(result.exporters) ? largest(result.exporters, effect) : [];
  if (exporters.length) {
    figures.push(
      barChart({
        id: "chart-scenario-exporters",
        title: `${labelFor(effect)} by exporter${baseline} (largest ${exporters.length})`,
        items: exporters.map((r) => ({ label: countryLabel(r.exporter), values: [r[effect]] })),
        series: [labelFor(effect)],
        format: fmtUsd,
      }),
    );
  }
  return figures;
}

async function runScenario() {
  clearInvalid();
  const custom = $("scenario-text").value.trim();
  const params = paramsFromQuestion("/api/scenarios/run", "post");
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
  $("scenario-result").removeAttribute("data-done");
  try {
    const result = await postText("/api/scenarios/run", params, body, type);
    const box = $("scenario-result");
    renderResult(box, result, `Scenario ${result.scenario}: effects per importer, exporter and product`);
    // The home view: "home_summary" (or, in older servers, "home" as an object).
    const view = result.home_summary || (result.home && typeof result.home === "object" ? result.home : null);
    const code = view && typeof view.home === "string" ? view.home : params.home;
    const figures = scenarioCharts(result, code);
    const charts = document.createElement("div");
    charts.className = "charts";
    const parts = [];
    if (view) {
      const h = document.createElement("h3");
      h.textContent = `What it means for ${countryLabel(code)}`;
      const { rows: homeRows, explanation, home: _code, ...homeSummary } = view;
      const scalars = Object.fromEntries(Object.entries(homeSummary).filter(([, v]) => v === null || typeof v !== "object"));
      parts.push(h, renderSummary(scalars), charts);
      if (explanation) {
        // The method note is long: one click away, under the numbers it explains.
        const note = document.createElement("details");
        const summary = document.createElement("summary");
        summary.textContent = "How the effects are split";
        const p = document.createElement("p");
        p.className = "hint";
        p.textContent = explanation;
        note.append(summary, p);
        parts.push(note);
      }
      if (Array.isArray(homeRows) && homeRows.length) {
        const caption = `${countryLabel(code)}'s exports by market and product (20 largest effects)`;
        parts.push(renderTable({ caption, columns: inferColumns(homeRows, ["importer", "code", "description"]), rows: homeRows.slice(0, 20) }));
      }
    }
    box.prepend(...(parts.length ? parts : [charts]));
    mount(charts, ...figures);
    setStatus(`Scenario ${result.scenario}: ${plural((result.rows || []).length, "row")}.`, "ok");
    box.setAttribute("data-done", "true");
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
  $("scenario-result").removeAttribute("data-done");
  try {
    const result = await getJSON("/api/scenarios/compare", params);
    const box = $("scenario-result");
    const caption = `${countryLabel(result.home)}'s exports: A = ${result.scenario_a}, B = ${result.scenario_b}, difference B − A`;
    renderResult(box, result, caption);
    const rows = largest(result.rows || [], "difference_usd");
    if (rows.length) {
      const charts = document.createElement("div");
      charts.className = "charts";
      const summary = box.querySelector("dl.summary");
      if (summary) summary.after(charts);
      else box.prepend(charts);
      mount(
        charts,
        barChart({
          id: "chart-compare",
          title: `${countryLabel(result.home)}'s exports under A and B, by market and product (largest differences)`,
          items: rows.map((r) => ({ label: `${r.importer ? `${r.importer} ` : ""}${codeLabel(r)}`, values: [r.exports_a_usd, r.exports_b_usd] })),
          series: [`A: ${result.scenario_a}`, `B: ${result.scenario_b}`],
          format: fmtUsd,
        }),
        barChart({
          id: "chart-compare-difference",
          title: `${labelFor("difference_usd")}, by market and product`,
          items: rows.map((r) => ({ label: `${r.importer ? `${r.importer} ` : ""}${codeLabel(r)}`, values: [r.difference_usd] })),
          series: [labelFor("difference_usd")],
          format: fmtUsd,
        }),
      );
    }
    box.setAttribute("data-done", "true");
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
  const params = { ...paramsFromQuestion("/api/brief"), format, ...extra };
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
const context = {
  get schema() {
    return state.schema;
  },
  formValues,
  countryLabel,
  homeAndPeers,
  setStatus,
  showError,
  clearInvalid,
  onQuestionChange: (listener) => state.listeners.push(listener),
};

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
  for (const name of FORM_FIELDS) {
    $(name).addEventListener("change", () => {
      updateBriefLink();
      questionChanged();
    });
  }
  $("download-leverage-csv").addEventListener("click", () => {
    const r = state.leverage;
    if (r) download(`leverage-${r.home}-${r.partner}-${r.dataset}-${r.year}.csv`, leverageCsv(r), "text/csv");
  });
  $("download-leverage-json").addEventListener("click", () => {
    const r = state.leverage;
    if (r) download(`leverage-${r.home}-${r.partner}-${r.dataset}-${r.year}.json`, JSON.stringify(r, null, 2), "application/json");
  });
  try {
    setupAnalyses();
  } catch (error) {
    showError(error, "loading");
  }
  await Promise.all([setupScenarios(), setupBrief(), setupTariffs(context), setupDeals(context), setupScan(context)]).catch(
    (e) => showError(e, "loading"),
  );
  document.body.dataset.ready = "true";
  if (wanted.home && wanted.partner) await runLeverage();
}

main();

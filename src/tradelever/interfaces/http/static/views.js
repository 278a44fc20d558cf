// The views fed by their own endpoints: the US tariff rate over time (/api/tariffs), "first
// in line" (/api/deals) and the leverage scan (/api/scan). Each builds its inputs from the
// endpoint's parameters in the OpenAPI schema and hides itself, with a plain sentence, when
// the server does not have the endpoint.
import { ApiError, getJSON } from "./api.js";
import { barChart, fmtDate, mount, parseDate, xyChart } from "./chart.js";
import { fmtUsd, formatterFor, headerFor, labelFor } from "./format.js";
import { buildInputs, parameterSpecs } from "./forms.js";
import { inferColumns, renderSummary, renderTable, sourcesBlock } from "./table.js";

const $ = (id) => document.getElementById(id);

/** The first of ``names`` that the rows have (field names differ between versions). */
function pick(rows, names) {
  return names.find((n) => rows.some((r) => r[n] !== undefined && r[n] !== null));
}

function unavailable(section, path) {
  const body = section.querySelector(".view-body");
  if (body) body.hidden = true;
  const note = section.querySelector(".unavailable");
  note.hidden = false;
  note.textContent = `Not available: this server has no ${path} endpoint (it comes with a newer tradelever).`;
}

/** Whether an error is "this route does not exist" (not a 404 on a country or data set). */
function isMissingRoute(error) {
  return error instanceof ApiError && error.status === 404 && !error.parameter && error.message === "Not Found";
}

/**
 * Set up a view: inputs from the schema, a run button, and a renderer.
 * @param {object} ctx  the app's context (schema, question form, countries, status)
 * @param {object} view  {section, path, prefix, shared: [names from the question form],
 *   prefill(ctx) -> values, options(ctx) -> choices, render(box, result, params, ctx), busy, done}
 */
async function setupView(ctx, view) {
  const section = $(view.section);
  if (!ctx.schema.paths?.[view.path]?.get) {
    unavailable(section, view.path);
    return null;
  }
  section.querySelector(".unavailable").hidden = true;
  const specs = parameterSpecs(ctx.schema, view.path).filter((s) => !view.shared.includes(s.name) && s.name !== "format");
  const grid = section.querySelector(".grid");
  const inputs = buildInputs(grid, specs, {
    prefix: view.prefix,
    values: view.prefill ? await view.prefill(ctx, specs) : {},
    options: view.options ? view.options(ctx) : {},
  });
  const shared = parameterSpecs(ctx.schema, view.path).filter((s) => view.shared.includes(s.name));
  const usesNote = section.querySelector(".uses");
  const describeShared = () => {
    if (!usesNote) return;
    const values = ctx.formValues();
    const parts = shared
      .filter((s) => values[s.name])
      .map((s) => `${labelFor(s.name)} ${["home", "partner", "rival"].includes(s.name) ? ctx.countryLabel(values[s.name]) : values[s.name]}`);
    usesNote.textContent = parts.length ? `From the question above: ${parts.join(", ")}.` : "";
  };
  describeShared();
  ctx.onQuestionChange(describeShared);
  const button = section.querySelector("button.run");
  const box = section.querySelector(".result");
  const run = async () => {
    ctx.clearInvalid();
    const values = ctx.formValues();
    const params = {};
    for (const s of shared) if (values[s.name]) params[s.name] = values[s.name];
    Object.assign(params, inputs.read());
    ctx.setStatus(view.busy, "busy");
    button.disabled = true;
    box.removeAttribute("data-done");
    try {
      const result = await getJSON(view.path, params);
      box.replaceChildren();
      view.render(box, result, params, ctx);
      box.setAttribute("data-done", "true");
      ctx.setStatus(view.done(result), "ok");
    } catch (error) {
      if (isMissingRoute(error)) unavailable(section, view.path);
      else ctx.showError(error, view.path, view.prefix);
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener("click", run);
  return { inputs, run };
}

// -- US tariff rate over time ---------------------------------------------------------------
const TARIFF_COLUMNS = ["date", "exporter", "effective_additional_rate", "baseline_rate_2024", "exempt_share", "value_usd"];

function renderTariffs(box, result, params, ctx) {
  const rows = result.rows || [];
  const rateField = "effective_additional_rate";
  const exporterField = pick(rows, ["exporter", "partner", "country"]) || "exporter";
  const byProduct = rows.some((r) => r.code !== undefined || r.product !== undefined || r.measure !== undefined);
  if (result.summary && Object.keys(result.summary).length) box.append(renderSummary(result.summary));
  if (rows.length && !byProduct) {
    const home = ctx.formValues().home;
    const order = [...new Set(rows.map((r) => r[exporterField]))];
    // Home first (drawn thicker), then the others as listed.
    order.sort((a, b) => (a === home ? -1 : b === home ? 1 : 0));
    const rate = formatterFor(rateField);
    const series = order.map((code) => ({
      name: ctx.countryLabel(code),
      step: true,
      emphasis: code === home,
      points: rows
        .filter((r) => r[exporterField] === code)
        .map((r) => ({
          x: parseDate(r.date),
          y: r[rateField],
          tip: `${ctx.countryLabel(code)}, from ${fmtDate(parseDate(r.date))}: ${rate(r[rateField])}`,
        })),
    }));
    const dates = rows.map((r) => parseDate(r.date)).filter(Number.isFinite);
    const last = Math.max(...dates);
    const until = parseDate(params.to || params.end || "");
    const chart = xyChart({
      id: "chart-tariffs",
      title: `${labelFor(rateField)} on US imports, by exporter`,
      series,
      xType: "time",
      formatX: fmtDate,
      formatY: (v) => rate(v),
      xLabel: "date the rate took effect",
      yLabel: labelFor(rateField),
      xEnd: Number.isFinite(until) && until > last ? until : last + 30 * 864e5,
      note: "Each step is a date on which a measure starts or ends; weights are 2024 US imports by tariff line.",
    });
    const charts = document.createElement("div");
    charts.className = "charts single";
    box.append(charts);
    mount(charts, chart);
  }
  const columns = inferColumns(rows, TARIFF_COLUMNS);
  box.append(renderTable({ id: "tariffs-rows", caption: "Effective additional US tariff rate by date and exporter", columns, rows }));
  box.append(sourcesBlock(result));
}

/** Home and its peers, as far as the tariff timeline's trade data has them. */
async function tariffExporters(ctx, specs) {
  if (!specs.some((s) => s.name === "exporters")) return {};
  let wanted = ctx.homeAndPeers();
  const dataset = specs.find((s) => s.name === "dataset");
  const name = dataset && (dataset.raw.default ?? dataset.schema.default);
  if (name) {
    try {
      const info = await getJSON("/api/countries", { dataset: name });
      const known = new Set(info.countries.map((c) => c.iso3));
      wanted = wanted.filter((c) => known.has(c));
    } catch {
      // keep them all: the server names any it does not know
    }
  }
  return { exporters: wanted.join(",") };
}

export function setupTariffs(ctx) {
  return setupView(ctx, {
    section: "tariffs",
    path: "/api/tariffs",
    prefix: "tariffs",
    shared: [],
    prefill: tariffExporters,
    render: renderTariffs,
    busy: "Computing the tariff timeline…",
    done: (r) => `Tariff timeline: ${(r.rows || []).length.toLocaleString("en")} rows.`,
  });
}

// -- first in line -----------------------------------------------------------------------------
function renderDeals(box, result, params, ctx) {
  const rows = Array.isArray(result) ? result : result.rows || [];
  const dateField = pick(rows, ["deal_date", "date", "announced", "signed"]);
  const rateField = pick(rows, ["rate_obtained", "rate", "deal_rate", "announced_rate", "effective_rate"]);
  const basisField = pick(rows, ["rate_obtained_basis", "announced_basis", "basis"]);
  const partnerField = pick(rows, ["partner", "country"]) || "partner";
  const daysField = pick(rows, ["days", "days_since_2025_04_02", "days_after_2025_04_02"]);
  if (!Array.isArray(result) && result.summary && Object.keys(result.summary).length) box.append(renderSummary(result.summary));
  if (rows.length && dateField && rateField) {
    const rate = formatterFor(rateField);
    const home = ctx.formValues().home;
    const point = (r) => ({
      x: parseDate(r[dateField]),
      y: r[rateField],
      label: r[partnerField],
      tip: `${r.partner_name || ctx.countryLabel(r[partnerField])}: ${rate(r[rateField])}, ${fmtDate(parseDate(r[dateField]))}` +
        (daysField && r[daysField] !== null && r[daysField] !== undefined ? ` (${r[daysField]} days after 2 April 2025)` : ""),
    });
    const others = rows.filter((r) => r[partnerField] !== home);
    const own = rows.filter((r) => r[partnerField] === home);
    // Rates on different bases (additional to MFN, all-in ceilings) are read apart: one
    // series per basis.
    const bases = basisField ? [...new Set(others.map((r) => r[basisField] ?? ""))] : [""];
    const drawable = (r) => Number.isFinite(parseDate(r[dateField])) && Number.isFinite(r[rateField]);
    const series = bases
      .map((basis) => ({
        name: basis ? `${headerFor(basisField)}: ${String(basis).replaceAll("_", " ")}` : "partners with a deal",
        points: others.filter((r) => drawable(r) && (!basisField || (r[basisField] ?? "") === basis)).map(point),
      }))
      .filter((s) => s.points.length);
    if (own.length) series.push({ name: ctx.countryLabel(home), emphasis: true, points: own.map(point) });
    const chart = xyChart({
      id: "chart-deals",
      title: `${labelFor(rateField)} against ${labelFor(dateField)}: did moving first pay?`,
      series,
      xType: "time",
      formatX: fmtDate,
      formatY: (v) => rate(v),
      xLabel: labelFor(dateField),
      yLabel: labelFor(rateField),
      zeroY: true,
    });
    const charts = document.createElement("div");
    charts.className = "charts single";
    box.append(charts);
    mount(charts, chart);
  }
  const preferred = [partnerField, "partner_name", dateField, daysField, rateField].filter(Boolean);
  box.append(renderTable({ id: "deals-rows", caption: "US deals of 2025-26: rate obtained and date of the deal, per partner", columns: inferColumns(rows, preferred), rows }));
  if (!Array.isArray(result)) box.append(sourcesBlock(result));
}

export function setupDeals(ctx) {
  // The first-in-line table where the server has it, else the list of deals.
  const path = ctx.schema.paths?.["/api/deals/first-in-line"] ? "/api/deals/first-in-line" : "/api/deals";
  return setupView(ctx, {
    section: "deals",
    path,
    prefix: "deals",
    shared: ["home"],
    render: renderDeals,
    busy: "Reading the deals…",
    done: (r) => `Deals: ${(Array.isArray(r) ? r : r.rows || []).length} rows.`,
  });
}

// -- leverage scan -------------------------------------------------------------------------------
function renderScan(box, result, params, ctx) {
  const rows = result.rows || [];
  if (result.summary && Object.keys(result.summary).length) box.append(renderSummary(result.summary));
  const home = result.home || params.home;
  const charts = document.createElement("div");
  charts.className = "charts";
  box.append(charts);
  const figures = [];
  if (rows.length) {
    // By partner: the sum over its codes of the partner's (bounded) cost of losing home.
    const totals = new Map();
    for (const r of rows) {
      const cost = r.partner_cost_of_losing_home_usd;
      const entry = totals.get(r.partner) || { cost: 0, positions: 0, top: 0 };
      if (Number.isFinite(cost)) entry.cost += cost;
      entry.positions += 1;
      if (r.top_supplier === home) entry.top += 1;
      totals.set(r.partner, entry);
    }
    const ranked = [...totals.entries()].sort((a, b) => b[1].cost - a[1].cost).slice(0, 12);
    figures.push(
      barChart({
        id: "chart-scan-partners",
        title: `${labelFor("partner_cost_of_losing_home_usd")}, summed over the ${rows.length} positions shown, by partner (top ${ranked.length})`,
        items: ranked.map(([code, t]) => ({
          label: `${ctx.countryLabel(code)}: ${t.positions} code${t.positions === 1 ? "" : "s"}`,
          values: [t.cost],
          tip: `top supplier in ${t.top} of them`,
        })),
        series: [labelFor("partner_cost_of_losing_home_usd")],
        format: fmtUsd,
      }),
    );
    const shareFmt = formatterFor("home_share_of_partner_imports");
    const sample = rows.slice(0, 1000);
    const point = (r) => ({
      x: r.home_share_of_partner_imports,
      y: r.partner_imports_usd,
      tip: `${ctx.countryLabel(r.partner)}, ${r.code} ${r.description || ""}: ${labelFor("home_share_of_partner_imports")} ${shareFmt(r.home_share_of_partner_imports)}, ${labelFor("partner_imports_usd")} ${fmtUsd(r.partner_imports_usd)}; ${labelFor("top_supplier")} ${r.top_supplier}`,
    });
    figures.push(
      xyChart({
        id: "chart-scan-map",
        title: `Leverage map: ${labelFor("home_share_of_partner_imports")} against ${labelFor("partner_imports_usd")} (${sample.length} positions)`,
        series: [
          { name: `${ctx.countryLabel(home)} is the top supplier`, emphasis: true, points: sample.filter((r) => r.top_supplier === home).map(point) },
          { name: "another supplier is the top one", points: sample.filter((r) => r.top_supplier !== home).map(point) },
        ],
        xType: "linear",
        yType: "log",
        formatX: (v) => shareFmt(v),
        formatY: fmtUsd,
        xLabel: labelFor("home_share_of_partner_imports"),
        yLabel: `${labelFor("partner_imports_usd")} (log scale)`,
        note: "Top right: large markets where home supplies much of what the partner buys.",
      }),
    );
  }
  mount(charts, ...figures);
  const preferred = ["partner", "partner_name", "code", "description", "home_share_of_partner_imports", "partner_imports_usd", "partner_cost_of_losing_home_usd", "top_supplier", "top_supplier_share", "partner_import_hhi"];
  box.append(renderTable({ id: "scan-rows", caption: `Leverage of ${ctx.countryLabel(home)} over every partner, ranked`, columns: inferColumns(rows, preferred), rows }));
  box.append(sourcesBlock(result));
}

export function setupScan(ctx) {
  return setupView(ctx, {
    section: "scan",
    path: "/api/scan",
    prefix: "scan",
    shared: ["home", "dataset", "year", "level"],
    // Enough positions for the map and the partner totals, few enough for a table.
    prefill: () => ({ top: 500 }),
    render: renderScan,
    busy: "Scanning every partner…",
    done: (r) => `Scan: ${(r.rows || []).length} positions.`,
  });
}

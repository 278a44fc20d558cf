// Inputs generated from the server's OpenAPI schema: every query parameter of an endpoint
// gets a labelled control of its type, bounds and default, with the parameter's own help
// text. Nothing is declared twice: the analyses declare their options once (options.py),
// the routes publish them, and this file reads them.
import { fmtPct, fmtUsd, kindOf, labelFor } from "./format.js";

/** The non-null branch of an OpenAPI schema (``anyOf: [X, {type: null}]`` -> X). */
export function effectiveSchema(schema, root) {
  let s = schema || {};
  if (s.$ref) s = resolveRef(root, s.$ref);
  if (Array.isArray(s.anyOf)) {
    const branch = s.anyOf.find((b) => b && b.type !== "null") || {};
    s = { ...(branch.$ref ? resolveRef(root, branch.$ref) : branch), default: s.default, description: s.description };
  }
  return s;
}

function resolveRef(root, ref) {
  return (
    ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node, key) => (node ? node[key] : undefined), root) || {}
  );
}

/** The query parameters of ``method path`` in the schema: [{name, schema, required, description}]. */
export function parameterSpecs(root, path, method = "get") {
  const op = ((root || {}).paths || {})[path]?.[method];
  return (op?.parameters || [])
    .filter((p) => p.in === "query")
    .map((p) => ({
      name: p.name,
      required: Boolean(p.required),
      description: p.description || p.schema?.description || "",
      schema: effectiveSchema(p.schema, root),
      raw: p.schema || {},
    }));
}

/** The default of a parameter of an endpoint as the server declares it (or undefined). */
export function parameterDefault(root, path, name, method = "get") {
  const spec = parameterSpecs(root, path, method).find((p) => p.name === name);
  return spec ? (spec.raw.default ?? spec.schema.default) : undefined;
}

/** How a numeric parameter's value reads to people (shares as %, dollars with a scale). */
function echoFor(spec) {
  const { name, description, schema } = spec;
  const kind = kindOf(name);
  const max = schema.maximum ?? schema.exclusiveMaximum;
  if (kind === "share" || (/share|rate|fraction/.test(name) && max !== undefined && max <= 1)) {
    return (v) => `= ${fmtPct(v, 1)}`;
  }
  if (kind === "usd" || /US dollars/i.test(description)) return (v) => `= ${fmtUsd(v)}`;
  return null;
}

let formCount = 0;

/**
 * Controls for the parameters of an endpoint.
 * @param {HTMLElement} container  where the fields go (a .grid)
 * @param {object[]} specs  from parameterSpecs
 * @param {object} opts
 * @param {string} opts.prefix  id prefix of the controls
 * @param {object} [opts.values]  initial values by parameter name (else the declared default)
 * @param {object} [opts.options]  parameter name -> [[value, text], ...] for a <select>
 * @returns {{read: () => object, fields: Map<string, HTMLElement>, set: Function}}
 */
export function buildInputs(container, specs, { prefix, values = {}, options = {} } = {}) {
  formCount += 1;
  const fields = new Map();
  container.replaceChildren();
  for (const spec of specs) {
    const { name, schema, required } = spec;
    const id = `${prefix || `f${formCount}`}-${name}`;
    const field = document.createElement("div");
    field.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelFor(name);
    let control;
    // A required parameter with no default starts at the server's own example (USA, ...).
    const examples = spec.raw.examples || schema.examples;
    const example = required && Array.isArray(examples) && examples.length ? examples[0] : undefined;
    const initial = values[name] ?? spec.raw.default ?? schema.default ?? example;
    const choices = options[name] || (Array.isArray(schema.enum) ? schema.enum.map((v) => [v, v]) : null);
    if (choices) {
      control = document.createElement("select");
      if (!required && (initial === undefined || initial === null)) control.append(new Option("default", ""));
      for (const [value, text] of choices) control.append(new Option(text, value));
      if (initial !== undefined && initial !== null) control.value = String(initial);
    } else if (schema.type === "boolean") {
      control = document.createElement("input");
      control.type = "checkbox";
      control.checked = Boolean(initial);
      field.classList.add("checkbox");
    } else {
      control = document.createElement("input");
      if (schema.type === "integer" || schema.type === "number") {
        control.type = "number";
        control.inputMode = schema.type === "integer" ? "numeric" : "decimal";
        control.step = schema.type === "integer" ? "1" : "any";
        const lo = schema.minimum ?? schema.exclusiveMinimum;
        const hi = schema.maximum ?? schema.exclusiveMaximum;
        if (lo !== undefined) control.min = String(lo);
        if (hi !== undefined) control.max = String(hi);
      } else if (schema.format === "date") {
        control.type = "date";
      } else {
        control.type = "text";
        control.autocomplete = "off";
        control.spellcheck = false;
        if (schema.maxLength) control.maxLength = schema.maxLength;
      }
      if (initial !== undefined && initial !== null) {
        control.value = Array.isArray(initial) ? initial.join(",") : String(initial);
      }
      if (!required) control.placeholder = "default";
    }
    control.id = id;
    control.name = name;
    control.dataset.param = name;
    if (required) control.required = true;
    const described = [];
    if (spec.description) {
      const hint = document.createElement("small");
      hint.className = "hint";
      hint.id = `${id}-help`;
      hint.textContent = spec.description;
      described.push(hint);
    }
    const echo = control.type === "number" ? echoFor(spec) : null;
    let output;
    if (echo) {
      output = document.createElement("output");
      output.id = `${id}-echo`;
      output.htmlFor = id;
      output.className = "echo";
      const update = () => {
        output.textContent = control.value === "" ? "" : echo(Number(control.value));
      };
      control.addEventListener("input", update);
      update();
    }
    const ids = [...described.map((d) => d.id), ...(output ? [output.id] : [])];
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    if (control.type === "checkbox") field.append(control, label, ...described);
    else field.append(label, control, ...(output ? [output] : []), ...described);
    container.append(field);
    fields.set(name, control);
  }
  const read = () => {
    const out = {};
    for (const [name, control] of fields) {
      if (control.type === "checkbox") {
        if (control.checked) out[name] = "true";
      } else if (control.value !== "") {
        const spec = specs.find((s) => s.name === name);
        out[name] = spec.schema.type === "array" ? control.value.split(",").map((v) => v.trim()).filter(Boolean) : control.value;
      }
    }
    return out;
  };
  const set = (name, value) => {
    const control = fields.get(name);
    if (!control) return;
    control.value = value;
    control.dispatchEvent(new Event("input"));
  };
  return { read, fields, set };
}

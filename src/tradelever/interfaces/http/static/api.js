// Calls to the tradelever JSON API (same origin). Errors carry the API's
// {detail, parameter} body so the form can point at the field at fault.

export class ApiError extends Error {
  constructor(status, detail, parameter) {
    super(detail);
    this.status = status;
    this.parameter = parameter || null;
  }
}

/** Build "/api/x?a=1&b=2", leaving out empty values; a list repeats its key (b=1&b=2). */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined && item !== null && item !== "") query.append(key, String(item));
    } else if (value !== undefined && value !== null && value !== "") {
      query.set(key, String(value));
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function raiseFor(response) {
  let detail = `${response.status} ${response.statusText}`;
  let parameter = null;
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
    if (body && body.parameter) parameter = body.parameter;
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(response.status, detail, parameter);
}

/** GET a JSON document. */
export async function getJSON(path, params = {}) {
  const response = await fetch(apiUrl(path, params), { headers: { Accept: "application/json" } });
  if (!response.ok) await raiseFor(response);
  return response.json();
}

/** GET a text document (Markdown, HTML). */
export async function getText(path, params = {}) {
  const response = await fetch(apiUrl(path, params));
  if (!response.ok) await raiseFor(response);
  return response.text();
}

/** POST a body (YAML or JSON text) and read the JSON answer. */
export async function postText(path, params, text, contentType) {
  const response = await fetch(apiUrl(path, params), {
    method: "POST",
    headers: { "Content-Type": contentType, Accept: "application/json" },
    body: text,
  });
  if (!response.ok) await raiseFor(response);
  return response.json();
}

/** Whether an endpoint exists in this server's OpenAPI schema. */
let schemaPromise = null;
export async function hasEndpoint(path) {
  if (!schemaPromise) schemaPromise = getJSON("/openapi.json").catch(() => ({ paths: {} }));
  const schema = await schemaPromise;
  return Object.prototype.hasOwnProperty.call(schema.paths || {}, path);
}

// Browser module api.js: calls to the gateway with the key the user gave (sessionStorage only), as JSON.
export const apiJs = String.raw`
const KEY = "switchyard.key";

export function storedKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export function authHeaders() {
  const key = storedKey();
  return key ? { authorization: "Bearer " + key } : {};
}

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The gateway's JSON, or an ApiError carrying the OpenAI-shaped error message it sent. */
export async function api(path, init) {
  const opts = init || {};
  const headers = Object.assign({ accept: "application/json" }, authHeaders(), opts.headers || {});
  let body = opts.body;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(path, { method: opts.method || "GET", headers, body, signal: opts.signal });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    if (res.status === 401) window.dispatchEvent(new CustomEvent("switchyard:unauthorized"));
    throw new ApiError(res.status, err.message || "HTTP " + res.status, err.code || null);
  }
  return data;
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? "?" + s : "";
}
`;

// Calls to the gateway with the key the user gave (sessionStorage only), as JSON.
import type { RouteReport } from "./api-types.ts";

const KEY = "switchyard.key";

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export function authHeaders(): Record<string, string> {
  const key = storedKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  /** The route report an error body carried (x_router), when it had one. */
  xRouter: RouteReport | null = null;

  constructor(status: number, message: string, code: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface ApiInit {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  /** Sent as the JSON body (content-type set). */
  json?: unknown;
  signal?: AbortSignal;
}

interface ErrorBody {
  error?: { message?: string; code?: string | null };
}

/** The gateway's JSON, or an ApiError carrying the OpenAI-shaped error message it sent. */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders(), ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers,
    body: body ?? null,
    signal: init.signal ?? null,
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as ErrorBody | null)?.error ?? {};
    if (res.status === 401) window.dispatchEvent(new CustomEvent("switchyard:unauthorized"));
    throw new ApiError(res.status, err.message || `HTTP ${res.status}`, err.code || null);
  }
  return data as T;
}

/** Query string from an object, leaving out empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

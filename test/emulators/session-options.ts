// Checks the JSON a test posts to create a session or replace its faults; an unknown key is refused, so typos fail loudly.
import { ECHO_SHAPES, FAULT_MODES, type Fault, PROVIDER_IDS, type SessionOptions } from "./types.ts";

export class OptionsError extends Error {
  override name = "OptionsError";
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function onlyKeys(value: JsonObject, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new OptionsError(`${where}: unknown field "${key}" (allowed: ${allowed.join(", ")})`);
  }
}

function optionalNumber(value: unknown, where: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new OptionsError(`${where} must be a non-negative ${integer ? "integer" : "number"}`);
  }
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new OptionsError(`${where} must be a string`);
  return value;
}

const FAULT_KEYS = [
  "provider",
  "model",
  "key",
  "mode",
  "times",
  "status",
  "retry_after",
  "retry_after_ms",
  "delay_ms",
  "after_chunks",
  "echo",
  "pieces",
  "content_type",
] as const satisfies readonly (keyof Fault)[];

/** Narrows `value` to one of `options` (a provider id, a fault mode) without a cast. */
function oneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return options.some((option) => option === value);
}

export function parseFault(value: unknown, where: string): Fault {
  if (!isObject(value)) throw new OptionsError(`${where} must be an object`);
  onlyKeys(value, FAULT_KEYS, where);
  const { provider, mode } = value;
  if (!oneOf(PROVIDER_IDS, provider)) {
    throw new OptionsError(`${where}.provider must be one of ${PROVIDER_IDS.join(", ")}`);
  }
  if (!oneOf(FAULT_MODES, mode)) throw new OptionsError(`${where}.mode must be one of ${FAULT_MODES.join(", ")}`);
  const status = optionalNumber(value.status, `${where}.status`, true);
  if (status !== undefined && (status < 200 || status > 599)) throw new OptionsError(`${where}.status must be 200-599`);
  const { echo } = value;
  if (echo !== undefined && !oneOf(ECHO_SHAPES, echo))
    throw new OptionsError(`${where}.echo must be one of ${ECHO_SHAPES.join(", ")}`);
  const { pieces } = value;
  if (pieces !== undefined && (!Array.isArray(pieces) || !pieces.every((p) => typeof p === "string")))
    throw new OptionsError(`${where}.pieces must be an array of base64 strings`);
  if (mode === "raw" && pieces === undefined) throw new OptionsError(`${where}.pieces is required by mode raw`);
  const fault: Fault = { provider, mode };
  const fields = {
    model: optionalString(value.model, `${where}.model`),
    key: optionalString(value.key, `${where}.key`),
    times: optionalNumber(value.times, `${where}.times`, true),
    status,
    retry_after: optionalString(value.retry_after, `${where}.retry_after`),
    retry_after_ms: optionalNumber(value.retry_after_ms, `${where}.retry_after_ms`),
    delay_ms: optionalNumber(value.delay_ms, `${where}.delay_ms`),
    after_chunks: optionalNumber(value.after_chunks, `${where}.after_chunks`, true),
    echo,
    pieces,
    content_type: optionalString(value.content_type, `${where}.content_type`),
  };
  for (const [key, field] of Object.entries(fields)) {
    if (field !== undefined) Object.assign(fault, { [key]: field });
  }
  return fault;
}

/** A fault list: a bare array, or `{ "faults": [...] }`. */
export function parseFaults(value: unknown, where = "faults"): Fault[] {
  const list = isObject(value) && "faults" in value ? value.faults : value;
  if (!Array.isArray(list)) throw new OptionsError(`${where} must be an array of faults`);
  return list.map((fault, index) => parseFault(fault, `${where}[${index}]`));
}

export function parseSessionOptions(value: unknown): SessionOptions {
  const body = value ?? {};
  if (!isObject(body)) throw new OptionsError("session options must be a JSON object");
  onlyKeys(body, ["faults", "chunk_delay_ms", "ollama_access", "ollama_models"], "session");
  const options: SessionOptions = {
    faults: body.faults === undefined ? [] : parseFaults(body.faults),
    chunk_delay_ms: optionalNumber(body.chunk_delay_ms, "chunk_delay_ms") ?? 0,
  };
  if (body.ollama_access !== undefined) {
    const access = body.ollama_access;
    if (!isObject(access) || typeof access.client_id !== "string" || typeof access.client_secret !== "string") {
      throw new OptionsError('ollama_access must be {"client_id": string, "client_secret": string}');
    }
    onlyKeys(access, ["client_id", "client_secret"], "ollama_access");
    options.ollama_access = { client_id: access.client_id, client_secret: access.client_secret };
  }
  if (body.ollama_models !== undefined) {
    const models = body.ollama_models;
    if (!Array.isArray(models) || !models.every((name) => typeof name === "string")) {
      throw new OptionsError("ollama_models must be an array of strings");
    }
    options.ollama_models = [...models];
  }
  return options;
}

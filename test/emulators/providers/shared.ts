// Small helpers every provider emulator uses to read a request and build a reply.
import type { BodyReply, HeaderMap } from "../types.ts";

export interface Payload {
  body: string;
  headers: HeaderMap;
}

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A request with a non-empty `tools` array gets the tool-call recording. */
export const wantsTools = (body: JsonObject): boolean => Array.isArray(body.tools) && body.tools.length > 0;

export function bodyReply(status: number, payload: Payload): BodyReply {
  return { kind: "body", status, headers: { ...payload.headers }, body: payload.body };
}

export function jsonPayload(value: unknown, contentType = "application/json"): Payload {
  return { body: JSON.stringify(value), headers: { "Content-Type": contentType } };
}

/** `Authorization: Bearer <non-empty>`, as OpenAI, Mistral and Together require. */
export const hasBearer = (headers: Record<string, string>): boolean =>
  /^Bearer\s+\S/i.test(headers.authorization ?? "");

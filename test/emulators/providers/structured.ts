// SYNTHESIZED answers to structured-output requests (OpenAI's response_format json_schema, Anthropic's
// output_config.format): no such answer was recorded, so the emulators put a value of the request's own schema in
// place of a recorded text answer's words, keeping every other byte of the recording's shape.
import { sseData, tryJson } from "../stream-events.ts";
import type { StreamEvent } from "../types.ts";
import { isObject, type JsonObject } from "./shared.ts";

/** The schema an OpenAI-compatible request asks its answer to follow (`response_format`); undefined when none. */
export function responseFormatSchema(body: JsonObject): JsonObject | undefined {
  const format = body.response_format;
  if (!isObject(format) || format.type !== "json_schema" || !isObject(format.json_schema)) return undefined;
  return isObject(format.json_schema.schema) ? format.json_schema.schema : undefined;
}

/** The schema an Anthropic request asks its answer to follow (`output_config.format`); undefined when none. */
export function outputFormatSchema(body: JsonObject): JsonObject | undefined {
  const format = isObject(body.output_config) ? body.output_config.format : undefined;
  return isObject(format) && isObject(format.schema) ? format.schema : undefined;
}

/**
 * A small value that satisfies a schema written with the keywords structured outputs take: `type`, `properties` and
 * `required` (every listed property is filled), `items`, `enum`, `const`, `anyOf`, and local `$ref`s.
 */
export function schemaInstance(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isObject(schema) || depth > 32) return null;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith("#/"))
    return schemaInstance(resolve(root, schema.$ref), root, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return schemaInstance(schema.anyOf[0], root, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const out: JsonObject = {};
      const props = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : Object.keys(props);
      for (const name of required)
        if (typeof name === "string") out[name] = schemaInstance(props[name], root, depth + 1);
      return out;
    }
    case "array":
      return [schemaInstance(schema.items, root, depth + 1)];
    case "string":
      return "emulated";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}

function resolve(root: unknown, ref: string): unknown {
  let node = root;
  for (const key of ref.slice(2).split("/"))
    node = isObject(node) ? node[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return node;
}

/** A text cut into at most `n` consecutive pieces of about the same length (a stream's deltas). */
export function pieces(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The schema's value as the answer's text: JSON, as constrained decoding writes it. */
export const structuredText = (schema: JsonObject): string => JSON.stringify(schemaInstance(schema));

/**
 * A recorded stream with its text deltas carrying `text` instead: the deltas that held text take its pieces in order
 * and the ones left over are dropped; every other event is kept as recorded. `slot` finds the object of an event's
 * data that holds its text delta under `key`.
 */
export function restream(
  events: StreamEvent[],
  text: string,
  slot: (data: JsonObject) => JsonObject | undefined,
  key: string,
): StreamEvent[] {
  const holder = (event: StreamEvent) => {
    const data = tryJson(sseData(event.text));
    const at = isObject(data) ? slot(data) : undefined;
    return at !== undefined && typeof at[key] === "string" && at[key] !== "" ? { data: data as JsonObject, at } : null;
  };
  const count = events.filter((e) => holder(e) !== null).length;
  const left = pieces(text, Math.max(1, count));
  const out: StreamEvent[] = [];
  for (const event of events) {
    const found = holder(event);
    if (found === null) {
      out.push(event);
      continue;
    }
    const piece = left.shift();
    if (piece === undefined) continue;
    found.at[key] = piece;
    const lines = event.text.split("\n").filter((line) => line !== "" && !line.startsWith("data:"));
    out.push({ ...event, text: `${[...lines, `data: ${JSON.stringify(found.data)}`].join("\n")}\n\n` });
  }
  return out;
}

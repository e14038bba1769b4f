// The emulators' structured-output answers: a value of the request's schema as the text, streamed in the recorded
// deltas, and Anthropic's refusal of a format that is not a JSON schema.
import { describe, expect, it } from "vitest";
import { chat, chatBody, runningEmulator } from "./helpers.ts";
import { schemaInstance } from "./providers/structured.ts";
import type { ProviderId } from "./types.ts";

const running = runningEmulator();

const post = (provider: "openai" | "anthropic", body: unknown) => chat(running.base[provider], provider, body);

const SCHEMA = {
  type: "object",
  properties: { name: { type: "string" }, tags: { type: "array", items: { $ref: "#/$defs/tag" } } },
  required: ["name", "tags"],
  $defs: { tag: { anyOf: [{ type: "string", enum: ["a", "b"] }, { type: "null" }] } },
};

describe("schemaInstance", () => {
  it("fills required properties, follows local $refs, takes the first anyOf and enum choice", () => {
    expect(schemaInstance(SCHEMA)).toEqual({ name: "emulated", tags: ["a"] });
    expect(schemaInstance({ type: ["integer", "null"] })).toBe(1);
    expect(schemaInstance({ const: 7 })).toBe(7);
    expect(schemaInstance({ type: "object", properties: { a: { type: "boolean" } } })).toEqual({ a: true });
  });
});

describe("structured answers", () => {
  it("openai: the text answer's content is the schema's JSON, and a stream carries it in its deltas", async () => {
    const format = { type: "json_schema", json_schema: { name: "t", schema: SCHEMA } };
    const res = await post("openai", chatBody("openai", { response_format: format }));
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ name: "emulated", tags: ["a"] });
    const stream = await post("openai", chatBody("openai", { response_format: format, stream: true }));
    const text = (await stream.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? "")
      .join("");
    expect(JSON.parse(text)).toEqual({ name: "emulated", tags: ["a"] });
  });

  it("anthropic: output_config.format gets the schema's JSON, a format that is not a schema a 400", async () => {
    const output_config = { format: { type: "json_schema", schema: SCHEMA } };
    const res = await post("anthropic", chatBody("anthropic", { output_config }));
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
    const json = (await res.json()) as any;
    expect(JSON.parse(json.content[0].text)).toEqual({ name: "emulated", tags: ["a"] });
    expect(json.stop_reason).toBe("end_turn");
    const bad = await post("anthropic", chatBody("anthropic", { output_config: { format: { type: "json_object" } } }));
    expect(bad.status).toBe(400);
    // OpenAI's field is refused, as Anthropic refuses fields it does not define: a test cannot pass on the wrong one.
    const format = { type: "json_schema", json_schema: { name: "t", schema: SCHEMA } };
    const foreign = await post("anthropic", chatBody("anthropic", { response_format: format }));
    expect(foreign.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });
});

// A stored response's input items through the openai SDK (`client.responses.inputItems.list`, which reads
// GET /v1/responses/{id}/input_items), and a streamed response that failed after its commit point, stored as failed.
// DESIGN: "A stored response (its input items and output) is kept in D1 for the workspace that made it".
import { describe, expect, it } from "vitest";
import { call, newSession } from "../gateway.ts";
import { client } from "../rescue/helpers.ts";

const GPT = "openai/gpt-4o-mini";

describe("GET /v1/responses/{id}/input_items", () => {
  it("lists a string input as the user message it was, through the SDK", async () => {
    const s = await newSession();
    const created = await client(s).responses.create({ model: GPT, input: "What is 10 + 5?" });
    const items = await client(s).responses.inputItems.list(created.id);
    expect(items.data).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: "message",
        role: "user",
        status: "completed",
        content: [{ type: "input_text", text: "What is 10 + 5?" }],
      },
    ]);
    // Kept beside the Response object, never shown with it.
    const stored = await client(s).responses.retrieve(created.id);
    expect(Object.keys(stored)).not.toContain("switchyard_input");
  });

  it("lists this turn's items newest first, pages by limit and after, and keeps the ids they came with", async () => {
    const s = await newSession();
    const input = [
      { role: "developer" as const, content: "Be brief." },
      { type: "message" as const, role: "user" as const, content: [{ type: "input_text" as const, text: "Weather?" }] },
      { type: "function_call" as const, id: "fc_given", call_id: "call_1", name: "get_weather", arguments: "{}" },
      { type: "function_call_output" as const, call_id: "call_1", output: "18C" },
    ];
    const created = await client(s).responses.create({ model: GPT, input });
    const all = await client(s).responses.inputItems.list(created.id, { order: "asc" });
    expect(all.data.map((i) => i.type)).toEqual(["message", "message", "function_call", "function_call_output"]);
    expect(all.data[0]).toMatchObject({ role: "developer", content: [{ type: "input_text", text: "Be brief." }] });
    expect(all.data[2]).toMatchObject({ id: "fc_given", call_id: "call_1", name: "get_weather" });
    expect(all.data[3]).toMatchObject({ call_id: "call_1", output: "18C" });

    const page = await call(s.env, `/v1/responses/${created.id}/input_items?limit=2`);
    const first = (await page.json()) as {
      data: { id: string }[];
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    // Newest first by default, as OpenAI lists them.
    expect(first.data.map((i) => i.id)).toEqual([all.data[3]!.id, all.data[2]!.id]);
    expect(first).toMatchObject({ has_more: true, first_id: all.data[3]!.id, last_id: all.data[2]!.id });
    const next = await call(s.env, `/v1/responses/${created.id}/input_items?limit=2&after=${first.last_id}`);
    const second = (await next.json()) as { data: { id: string }[]; has_more: boolean };
    expect(second.data.map((i) => i.id)).toEqual([all.data[1]!.id, all.data[0]!.id]);
    expect(second.has_more).toBe(false);
  });

  it("is the workspace's own: another workspace gets a 404; a bad limit is a 400", async () => {
    const s = await newSession();
    const created = await client(s, { "x-router-workspace": "ws-items-a" }).responses.create({
      model: GPT,
      input: "hello",
    });
    const theirs = await call(s.env, `/v1/responses/${created.id}/input_items`, {
      headers: { "x-router-workspace": "ws-items-b" },
    });
    expect(theirs.status).toBe(404);
    const bad = await call(s.env, `/v1/responses/${created.id}/input_items?limit=0`, {
      headers: { "x-router-workspace": "ws-items-a" },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("limit");
  });
});

describe("a streamed response that failed after its commit point", () => {
  it("is stored: GET gives it back failed, with its error and the text that was sent", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "cut", after_chunks: 4 }],
    });
    const stream = await client(s, { "x-router-timeout-idle-ms": "300" }).responses.create({
      model: GPT,
      input: "What is 10 + 5?",
      stream: true,
      ...{ router: { fallback: false } },
    });
    let failed: { id: string; output: unknown[] } | undefined;
    for await (const event of stream) if (event.type === "response.failed") failed = event.response;
    expect(failed).toBeDefined();
    const stored = await client(s).responses.retrieve(failed!.id);
    expect(stored.status).toBe("failed");
    expect(stored.error).toMatchObject({ code: "server_error", message: expect.any(String) });
    expect(stored.output).toEqual(failed!.output);
  });
});

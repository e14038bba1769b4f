// A failure after the commit point as the official clients see it, each client wired to the Worker under test by its
// own `fetch` option: Anthropic's SDK throws on the `error` event, the openai SDK ends on response.failed; neither
// is handed a finished answer.

import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { newSession, type Session } from "../gateway.ts";

/** A fetch that hands the client's request to the Worker, as the platform would. */
const workerFetch = (s: Session): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) =>
    worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch;

const ADMIN = "sdk-failures-admin";
const faulted = (provider: "openai" | "anthropic") =>
  newSession({ faults: [{ provider, mode: "midstream_error", after_chunks: 4 }] }, { ADMIN_KEY: ADMIN });

describe("post-commit failures through the official clients", () => {
  for (const [upstream, model] of [
    ["anthropic", "anthropic/claude-haiku-4-5"],
    ["openai", "openai/gpt-4o-mini"],
  ] as const) {
    it(`@anthropic-ai/sdk messages.stream on ${upstream}: the stream rejects, no final message`, async () => {
      const s = await faulted(upstream);
      const client = new Anthropic({
        baseURL: "http://127.0.0.1:8787",
        apiKey: ADMIN,
        fetch: workerFetch(s),
        maxRetries: 0,
      });
      const stream = client.messages.stream(
        { model, max_tokens: 200, messages: [{ role: "user", content: "hi" }] },
        { headers: { "x-router-fallback": "false" } },
      );
      let text = "";
      stream.on("text", (t) => {
        text += t;
      });
      await expect(stream.finalMessage()).rejects.toThrow();
      expect(text.length).toBeGreaterThan(0);
    });

    it(`openai responses stream on ${upstream}: response.failed, never response.completed`, async () => {
      const s = await faulted(upstream);
      const client = new OpenAI({
        baseURL: "http://127.0.0.1:8787/v1",
        apiKey: ADMIN,
        fetch: workerFetch(s),
        maxRetries: 0,
      });
      const stream = await client.responses.create(
        { model, input: "hi", stream: true },
        { headers: { "x-router-fallback": "false" } },
      );
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types.at(-1)).toBe("response.failed");
      expect(types).not.toContain("response.completed");
      expect(types).toContain("response.output_text.delta");
    });
  }
});

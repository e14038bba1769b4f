// Exact cost end to end, in every dialect, JSON and streamed: the long-context tier at its exact boundary with cache
// reads and 5-minute and 1-hour writes, the tier OpenAI says it served, and an unpriced model (null, never 0). Figures
// are worked by hand from configs/models.yml.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newSession, type Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";

const b64 = (v: unknown) => btoa(JSON.stringify(v));
const raw = (provider: "openai" | "anthropic", body: unknown, stream: boolean) => ({
  provider,
  mode: "raw" as const,
  content_type: stream ? "text/event-stream" : "application/json",
  pieces: [stream ? btoa(body as string) : b64(body)],
});
async function post(s: Session, path: string, json: unknown) {
  const { res, done } = await callFull(s.env, path, {
    method: "POST",
    json,
    headers: { "x-router-fallback": "false" },
  });
  const text = await done();
  const row = await env.DB.prepare("SELECT cost_pico FROM requests WHERE id = ?")
    .bind(res.headers.get("x-request-id") ?? "")
    .first<{ cost_pico: number | null }>();
  return { status: res.status, text, cost_pico: row?.cost_pico };
}
/** x_router.cost_usd of a JSON answer, or of the last event of a stream that carries one. */
function costOf(text: string): number | null | undefined {
  const found = [...text.matchAll(/"cost_usd":(null|[0-9.e-]+)/g)].at(-1);
  return found === undefined ? undefined : JSON.parse(found[1] as string);
}
const bodyFor = (path: string, model: string, stream: boolean) =>
  path === "/v1/responses"
    ? { model, input: "hi", stream }
    : { model, max_tokens: 100, stream, messages: [{ role: "user", content: "hi" }] };
const PATHS = ["/v1/chat/completions", "/v1/messages", "/v1/responses"];

describe("Claude Haiku 5.5's 100K tier, with cache reads and 5m / 1h writes", () => {
  const usage = (input: number) => ({
    input_tokens: input,
    cache_read_input_tokens: 30000,
    cache_creation_input_tokens: 10000,
    cache_creation: { ephemeral_5m_input_tokens: 4000, ephemeral_1h_input_tokens: 6000 },
    output_tokens: 200,
  });
  const msg = (input: number) => ({
    id: "msg_x",
    type: "message",
    role: "assistant",
    model: "claude-haiku-5-5",
    content: [{ type: "text", text: "Hi." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: usage(input),
  });
  const sse = (input: number) =>
    [
      `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { ...msg(input), content: [], stop_reason: null, usage: { ...usage(input), output_tokens: 1 } } })}\n\n`,
      `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi."}}\n\n`,
      `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`,
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":200}}\n\n`,
      `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
    ].join("");
  // Exactly 100,000 prompt tokens (60,000 + 30,000 read + 10,000 written): base prices, $0.10 / $0.50, read $0.01,
  // writes $0.125 (5m) / $0.20 (1h): 6,000 + 300 + 500 + 1,200 + 100 = 8,100 micro-$.
  // One more input token: the whole request at the tier, $0.50 / $2.50, read $0.05, writes $0.625 / $1.00:
  // 30,000.5 + 1,500 + 2,500 + 6,000 + 500 = 40,500.5 micro-$.
  for (const [input, pico] of [
    [60000, 8_100_000_000],
    [60001, 40_500_500_000],
  ] as const)
    for (const stream of [false, true])
      it(`${input + 40000} prompt tokens, ${stream ? "streamed" : "JSON"}: ${pico} pico in every dialect`, async () => {
        for (const path of PATHS) {
          const s = await newSession({ faults: [raw("anthropic", stream ? sse(input) : msg(input), stream)] });
          const r = await post(s, path, bodyFor(path, "anthropic/claude-haiku-5-5", stream));
          expect(r.status, r.text).toBe(200);
          expect(r.cost_pico, path).toBe(pico);
          expect(costOf(r.text), path).toBe(pico / 1e12);
        }
      });
});

describe("OpenAI above 272K, cached tokens and reasoning, at the tier the answer says it served", () => {
  // gpt-6.1-sol above 272,000: $4 / $15, cached $0.20; served at priority (2x): $8 / $30 / $0.40.
  // 272,001 prompt (100,000 cached) and 1,000 completion (500 reasoning, inside):
  // 172,001 x 8 + 100,000 x 0.40 + 1,000 x 30 = 1,446,008 micro-$.
  it("$1.446008 in every dialect; Messages reports input_tokens without the cached ones", async () => {
    const answer = {
      id: "chatcmpl-x",
      object: "chat.completion",
      created: 1,
      model: "gpt-6.1-sol-2026-09-29",
      service_tier: "priority",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi." }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 272001,
        completion_tokens: 1000,
        total_tokens: 273001,
        prompt_tokens_details: { cached_tokens: 100000 },
        completion_tokens_details: { reasoning_tokens: 500 },
      },
    };
    for (const path of PATHS) {
      const s = await newSession({ faults: [raw("openai", answer, false)] });
      const r = await post(s, path, bodyFor(path, "openai/gpt-6.1-sol", false));
      expect(r.status, r.text).toBe(200);
      expect(r.cost_pico, path).toBe(1_446_008_000_000);
      expect(costOf(r.text), path).toBe(1.446008);
      const u = JSON.parse(r.text).usage;
      if (path === "/v1/messages") expect(u).toMatchObject({ input_tokens: 172001, cache_read_input_tokens: 100000 });
      if (path === "/v1/chat/completions") expect(u.prompt_tokens).toBe(272001);
      if (path === "/v1/responses") expect(u.input_tokens).toBe(272001);
    }
  });
});

describe("an unpriced model", () => {
  it("costs null (not 0) in the Messages and Responses dialects, streamed and JSON", async () => {
    const s = await newSession();
    for (const path of ["/v1/messages", "/v1/responses"])
      for (const stream of [false, true]) {
        const r = await post(s, path, bodyFor(path, "openai/some-new-model", stream));
        expect(r.status, r.text).toBe(200);
        expect(r.cost_pico, `${path} ${stream}`).toBeNull();
        expect(costOf(r.text), `${path} ${stream}`).toBeNull();
      }
  });
});

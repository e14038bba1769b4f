// A continued answer is one answer: what the client reads, what the continuation is sent and what it costs, through
// the official clients. DESIGN: "streams the rest into the same client stream … The client sees one answer;
// `x_router.attempts` shows both, usage and cost add both", and the Response object's `model` is "the model that
// answered".
import { createExecutionContext } from "cloudflare:test";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index.ts";
import { newSession, type Session } from "../gateway.ts";
import { callFull } from "../ledger/ledger-helpers.ts";
import { CLOCKS, client, completions } from "./helpers.ts";

// OpenAI's stream is cut after "10 + ": the continuation goes to the next candidate that takes a prefill.
const CUT = { provider: "openai" as const, model: "gpt-4o-mini", mode: "cut" as const, after_chunks: 4 };
const ADMIN = "admin-key-for-rescue-tests-0123456789";

type Event = { type: string; [key: string]: unknown };
interface StreamedResponse {
  id: string;
  model: string;
  output: { type: string }[];
  x_router: { provider: string; model: string; cost_usd: number; attempts: { via?: string }[] };
}

async function responsesStream(s: Session, models: string[]): Promise<Event[]> {
  const stream = await client(s, { "x-router-timeout-idle-ms": String(CLOCKS.idle_ms) }).responses.create({
    model: models[0]!,
    input: "What is 10 + 5?",
    stream: true,
    ...{ models },
  });
  const events: Event[] = [];
  for await (const event of stream) events.push(event as unknown as Event);
  return events;
}

const finalResponse = (events: Event[]) => events.at(-1)!.response as StreamedResponse;

describe("a continued answer", () => {
  it("names the model that answered in response.completed and in the stored response", async () => {
    const s = await newSession({ faults: [CUT] });
    const response = finalResponse(await responsesStream(s, ["openai/gpt-4o-mini", "mistral/mistral-small-latest"]));
    expect(response.x_router.provider).toBe("mistral");
    expect(response.model).toBe("mistral-small-latest");
    const stored = await client(s).responses.retrieve(response.id);
    expect(stored.model).toBe("mistral-small-latest");
  });

  it("on a reasoning model leaves its thinking out: no reasoning item in the middle of the text (Responses)", async () => {
    const s = await newSession({ faults: [CUT] });
    const events = await responsesStream(s, ["openai/gpt-4o-mini", "mistral/magistral-medium-latest"]);
    const response = finalResponse(events);
    expect(response.x_router.attempts.map((a) => a.via ?? null)).toEqual([null, "continuation"]);
    expect(response.output.map((item) => item.type)).toEqual(["message"]);
    const added = events.filter((e) => e.type === "response.output_item.added").map((e) => (e.item as Event).type);
    expect(added).toEqual(["message"]);
  });

  it("on a reasoning model leaves its thinking out: one text block (Messages, @anthropic-ai/sdk)", async () => {
    const s = await newSession({ faults: [CUT] }, { ADMIN_KEY: ADMIN });
    const anthropic = new Anthropic({
      baseURL: "http://127.0.0.1:8787",
      apiKey: ADMIN,
      maxRetries: 0,
      defaultHeaders: { "x-router-timeout-idle-ms": String(CLOCKS.idle_ms) },
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
        worker.fetch(new Request(input, init), s.env, createExecutionContext())) as typeof fetch,
    });
    const message = await anthropic.messages
      .stream({
        model: "openai/gpt-4o-mini",
        max_tokens: 200,
        messages: [{ role: "user", content: "What is 10 + 5?" }],
        ...{ models: ["openai/gpt-4o-mini", "mistral/magistral-medium-latest"] },
      })
      .finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(["text"]);
  });

  it("sends the continuation what is left of the caller's max_tokens, so the one answer stays within it", async () => {
    const s = await newSession({ faults: [CUT] });
    const stream = await client(s).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "What is 10 + 5?" }],
      max_tokens: 60,
      stream: true,
      ...{ models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"], router: { timeouts: CLOCKS } },
    });
    for await (const _ of stream) void _;
    const [continuation] = await completions(s, "mistral");
    const sent = continuation?.body?.max_tokens as number;
    // "10 + " is a few tokens of the 60.
    expect(sent).toBeLessThan(60);
    expect(sent).toBeGreaterThan(50);
  });

  it("that breaks too is billed for both legs: the continuation's prompt and text are not free", async () => {
    // The same cut with nothing to continue on: the first leg's estimate alone.
    const alone = await newSession({ faults: [CUT] });
    const one = finalResponse(await responsesStream(alone, ["openai/gpt-4o-mini"]));
    // Continued on Mistral, which streams several chunks of text and is then cut too.
    const s = await newSession({
      faults: [CUT, { provider: "mistral", model: "mistral-small-latest", mode: "cut", after_chunks: 6 }],
    });
    const { res, done } = await callFull(s.env, "/v1/responses", {
      method: "POST",
      headers: { "x-router-timeout-idle-ms": String(CLOCKS.idle_ms) },
      json: {
        model: "openai/gpt-4o-mini",
        input: "What is 10 + 5?",
        stream: true,
        models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"],
      },
    });
    const events = (await done())
      .split("\n\n")
      .map((block) => /^data: (.*)$/m.exec(block)?.[1])
      .filter((data): data is string => data !== undefined)
      .map((data) => JSON.parse(data) as Event);
    expect(events.at(-1)!.type).toBe("response.failed");
    const two = finalResponse(events);
    expect(two.x_router.attempts.map((a) => a.via ?? null)).toEqual([null, "continuation"]);
    expect(two.x_router.cost_usd).toBeGreaterThan(one.x_router.cost_usd);
    // The ledger bills what the route reports.
    const row = await s.env.DB.prepare("SELECT cost_pico FROM requests WHERE id = ?")
      .bind(res.headers.get("x-request-id"))
      .first<{ cost_pico: number }>();
    expect(row?.cost_pico).toBe(Math.round(two.x_router.cost_usd * 1e12));
  });
});

// Snapshots of the body each adapter sends upstream for one rich request, and the warnings for what it could not carry.
import { describe, expect, it } from "vitest";
import { chat, newSession, PROVIDERS, type ProviderId } from "../gateway.ts";

const MODEL: Record<ProviderId, string> = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-sonnet-4-5-20250929",
  mistral: "mistral/mistral-large-latest",
  together: "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
  ollama: "ollama/llama3.2",
};

/** A 1x1 PNG: images travel as data URLs so every vision-capable wire format can carry them. */
const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const RICH = {
  messages: [
    { role: "system", content: "You are terse." },
    { role: "developer", content: "Prefer metric units." },
    {
      role: "user",
      content: [
        { type: "text", text: "What is in this picture, and the weather in Paris?" },
        { type: "image_url", image_url: { url: PIXEL } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: '{"temp_c":21}' },
  ],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ],
  tool_choice: "required",
  temperature: 0.3,
  top_p: 0.9,
  stop: ["\n\n"],
  seed: 7,
  max_tokens: 256,
  user: "user-42",
  router: { fallback: false },
};

function chatCall(requests: { path: string; body: Record<string, unknown> | null }[]) {
  const calls = requests.filter((r) => /chat|messages/.test(r.path));
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

/** For the image request: a vision model on each provider (unlisted ones are not filtered by capability). */
const VISION_MODEL: Record<ProviderId, string> = {
  ...MODEL,
  together: "together/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
  ollama: "ollama/llava",
};

describe("the body each adapter sends upstream", () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: non-streaming`, async () => {
      const s = await newSession();
      const res = await chat(s.env, { model: VISION_MODEL[provider], ...RICH });
      expect(res.status, await res.clone().text()).toBe(200);
      const sent = chatCall(await s.requests());
      expect(sent.body).toMatchSnapshot();
      const warnings = ((await res.json()) as { x_router: { warnings: string[] } }).x_router.warnings;
      expect(warnings).toMatchSnapshot("warnings");
    });

    it(`${provider}: streaming asks for usage in the provider's own way`, async () => {
      const s = await newSession();
      const res = await chat(s.env, {
        model: MODEL[provider],
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
        router: { fallback: false },
      });
      await res.text();
      const body = chatCall(await s.requests()).body ?? {};
      expect(body.stream).toBe(true);
      const expected: Record<ProviderId, unknown> = {
        openai: { include_usage: true },
        together: { include_usage: true },
        // Mistral refuses stream_options (422) and sends usage on the finish chunk anyway.
        mistral: undefined,
        anthropic: undefined,
        ollama: undefined,
      };
      expect(body.stream_options).toEqual(expected[provider]);
    });
  }

  it("anthropic: max_tokens comes from the registry when the client sets none", async () => {
    const s = await newSession();
    await chat(s.env, {
      model: MODEL.anthropic,
      messages: [{ role: "user", content: "Hi" }],
      router: { fallback: false },
    });
    const body = chatCall(await s.requests()).body ?? {};
    expect(body.max_tokens).toBe(64000);
    expect((await s.requests())[0]?.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("anthropic: an unlisted model gets a stated max_tokens and a warning, never a silent default", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: "anthropic/claude-next-preview",
      messages: [{ role: "user", content: "Hi" }],
      router: { fallback: false },
    });
    const body = (await res.json()) as { x_router: { warnings: string[]; cost_usd: number | null } };
    expect(body.x_router.warnings.join(" ")).toMatch(/max_tokens=4096/);
    expect(body.x_router.cost_usd).toBeNull();
    expect(res.headers.get("x-router-warnings")).not.toBeNull();
  });

  it("ollama: sends the Cloudflare Access service-token headers when configured", async () => {
    const access = { client_id: "abc.access", client_secret: "s3cret" };
    const s = await newSession(
      { ollama_access: access },
      { OLLAMA_ACCESS_CLIENT_ID: access.client_id, OLLAMA_ACCESS_CLIENT_SECRET: access.client_secret },
    );
    const res = await chat(s.env, {
      model: MODEL.ollama,
      messages: [{ role: "user", content: "Hi" }],
      router: { fallback: false },
    });
    expect(res.status).toBe(200);
    const bad = await newSession({ ollama_access: access });
    const refused = await chat(bad.env, {
      model: MODEL.ollama,
      messages: [{ role: "user", content: "Hi" }],
      router: { fallback: false },
    });
    expect(refused.status).toBe(502);
  });

  it("ollama: a remote image URL is refused rather than silently dropped", async () => {
    const s = await newSession();
    const res = await chat(s.env, {
      model: VISION_MODEL.ollama,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "?" },
            { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          ],
        },
      ],
      router: { fallback: false },
    });
    const body = (await res.json()) as { error: { message: string } };
    expect(res.status).toBe(400);
    expect(body.error.message).toMatch(/base64 data: URLs/);
    expect(await s.requests()).toHaveLength(0);
  });
});

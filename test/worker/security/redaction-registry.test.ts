// One place per provider: a provider declared only here, beside the five, gets env typing, secret redaction and
// health reporting from its declaration with no other edit; and the redaction itself, case by case.
import { describe, expect, expectTypeOf, it } from "vitest";
import { type ProviderId, ProviderIdSchema } from "../../../src/config/schema.ts";
import type { Env, ProviderEnv } from "../../../src/env.ts";
import { healthViews } from "../../../src/http/health-route.ts";
import { ADAPTERS, guardAdapter, PROVIDER_SPECS, redactorOf, SPEC_LIST } from "../../../src/providers/index.ts";
import type { ProviderEnvOf, ProviderSpec } from "../../../src/providers/spec.ts";
import { PROVIDER_IDS as EMULATED } from "../../emulators/types.ts";
import { PROVIDERS } from "../gateway.ts";

/** A sixth, OpenAI-compatible provider: nothing in src/ knows it. */
const acmeSpec = {
  id: "acme",
  env: { key: "ACME_API_KEY", keys: "ACME_API_KEYS", baseUrl: "ACME_BASE_URL" },
  secrets: ["ACME_API_KEY", "ACME_API_KEYS"],
  requires: "key",
  keyPatterns: [/\bacme_live_[A-Za-z0-9]{12,}/],
  capabilities: { streamFormat: "sse", local: false, serviceTiers: false },
} as const satisfies ProviderSpec<"acme">;

const TEST_SPECS = { ...PROVIDER_SPECS, acme: acmeSpec } as const;
const TEST_LIST: readonly ProviderSpec<ProviderId | "acme">[] = [...SPEC_LIST, acmeSpec];
type TestEnv = ProviderEnvOf<typeof TEST_SPECS>;

const ACME_KEY = "acme-secret-one-0123456789";
const ACME_LIST = ["acme-secret-two-abcdefghij", "acme-secret-three-klmnopqrs"];

const stats = (last_error: string) => ({
  circuit: "closed" as const,
  status: "degraded" as const,
  misconfigured: false,
  success_rate: 0.5,
  latency_ms: null,
  ttft_ms: null,
  last_error,
  last_probe_at: null,
});

describe("a sixth provider declared only in the test's registry", () => {
  it("gets its env variables typed: key, key list and base URL, and nothing undeclared", () => {
    expectTypeOf<TestEnv>().toHaveProperty("ACME_API_KEY").toEqualTypeOf<string | undefined>();
    expectTypeOf<TestEnv>().toHaveProperty("ACME_API_KEYS").toEqualTypeOf<string | undefined>();
    expectTypeOf<TestEnv>().toHaveProperty("ACME_BASE_URL").toEqualTypeOf<string | undefined>();
    // The five keep theirs, key lists included.
    expectTypeOf<TestEnv>().toHaveProperty("OPENAI_API_KEYS");
    expectTypeOf<TestEnv>().toHaveProperty("OLLAMA_ACCESS_CLIENT_SECRET");
    expectTypeOf<ProviderEnv>().not.toHaveProperty("ACME_API_KEY");
    // @ts-expect-error: a variable no provider declares is not part of the env.
    const wrong: TestEnv = { ACME_API_TOKEN: "x" };
    expect(wrong).toBeDefined();
    // The Worker's Env carries every declared provider variable.
    expectTypeOf<Env>().toHaveProperty("TOGETHER_API_KEYS");
  });

  it("has its key, every key of its list and its key shape redacted, in errors any adapter makes", () => {
    const env: TestEnv = { ACME_API_KEY: ACME_KEY, ACME_API_KEYS: ACME_LIST.join(", "), ACME_BASE_URL: "https://x" };
    const redact = redactorOf(env, TEST_LIST);
    const echoed = `bad key ${ACME_KEY}; list ${ACME_LIST.join(" ")}; leaked acme_live_ZZZZyyyyXXXX9`;
    expect(redact(echoed)).toBe("bad key [redacted]; list [redacted] [redacted]; leaked [redacted]");
    // An OpenAI-compatible adapter guarded with the test's registry redacts the sixth provider's secrets too.
    const adapter = guardAdapter(ADAPTERS.openai, TEST_LIST);
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${ACME_LIST[1]}`, code: null } });
    const err = adapter.parseError(401, new Headers(), body, 0, env);
    expect(err.message).toBe("Incorrect API key provided: [redacted]");
    // The production registry does not know the sixth provider: the same env redacts nothing of it.
    expect(redactorOf(env)(ACME_KEY)).toBe(ACME_KEY);
  });

  it("is reported on by health, configured from its key list alone, its last error redacted", () => {
    const env: TestEnv = { ACME_API_KEYS: ACME_LIST.join(",") };
    const views = healthViews(TEST_LIST, { acme: stats(`401 for key ${ACME_LIST[0]}`) }, env);
    expect(views.map((v) => v.provider)).toEqual([...PROVIDERS, "acme"]);
    expect(views.at(-1)).toMatchObject({
      provider: "acme",
      configured: true,
      status: "degraded",
      last_error: "401 for key [redacted]",
    });
    expect(views.find((v) => v.provider === "openai")).toMatchObject({ configured: false, status: "unconfigured" });
  });
});

describe("the provider lists", () => {
  it("the tests' list, the config's ids and the registry are the same five, in one order", () => {
    expect(Object.keys(PROVIDER_SPECS)).toEqual([...PROVIDERS]);
    expect(SPEC_LIST.map((s) => s.id)).toEqual([...PROVIDERS]);
    expect(ProviderIdSchema.options).toEqual([...PROVIDERS]);
    for (const [id, spec] of Object.entries(PROVIDER_SPECS)) expect(spec.id).toBe(id);
    // The emulator serves exactly the declared providers: a sixth needs its emulator before its tests can run.
    expect([...EMULATED]).toEqual([...PROVIDERS]);
  });
});

describe("redaction", () => {
  const env = {
    OPENAI_API_KEY: "sk-proj-abcdefghijklmnop",
    OPENAI_API_KEYS: "sk-proj-second000000000,sk-proj-third1111111111",
    MISTRAL_API_KEY: "Rq7Lm2Xv9Pz4Kd8Wn3Hs6Tb1Yc5Gf0Ja",
    MISTRAL_API_KEYS: "mistral-weighted-key-777*3, mistral-other-key-888*1",
    OLLAMA_ACCESS_CLIENT_ID: "client-id-value.access",
    OLLAMA_ACCESS_CLIENT_SECRET: "client-secret-value",
    ADMIN_KEY: "sy-admin-key-value",
  };
  const redact = redactorOf(env);

  it.each([
    [
      "a configured key",
      "Incorrect API key provided: sk-proj-abcdefghijklmnop.",
      "Incorrect API key provided: [redacted].",
    ],
    ["each key of a key list", "keys sk-proj-third1111111111", "keys [redacted]"],
    ["a weighted key of a key list, bare", "key mistral-weighted-key-777 refused", "key [redacted] refused"],
    ["a masked OpenAI key", "Incorrect API key provided: sk-proj-****wxyz", "Incorrect API key provided: [redacted]"],
    ["an unconfigured Anthropic key", "x-api-key sk-ant-api03-zzzzzzzz", "x-api-key [redacted]"],
    ["a bare Mistral-shaped key", "key Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk is invalid", "key [redacted] is invalid"],
    ["a Together key", "tgp_v1_abcdefghijklmnopqrstuvwxyz", "[redacted]"],
    [
      "the Access token id and secret",
      "id client-id-value.access secret client-secret-value",
      "id [redacted] secret [redacted]",
    ],
    ["the admin key", "admin sy-admin-key-value", "admin [redacted]"],
    ["a bearer header", "authorization: Bearer whatever-token-123", "authorization: Bearer [redacted]"],
    [
      "an api_key query parameter",
      "GET https://api.example.com/v1?api_key=abc123def",
      "GET https://api.example.com/v1?api_key=[redacted]",
    ],
    ["an internal URL", "upstream http://10.1.2.3:8080/v1/chat failed", "upstream [internal URL] failed"],
    ["a loopback URL", "connect http://127.0.0.1:11434/api/chat refused", "connect [internal URL] refused"],
    ["nothing secret", "model not found: gpt-9", "model not found: gpt-9"],
  ])("replaces %s", (_, input, output) => {
    expect(redact(input)).toBe(output);
  });

  it("keeps a JSON error body valid JSON", () => {
    const body = JSON.stringify({ error: { message: "bad sk-proj-abcdefghijklmnop at http://10.0.0.1/x?api_key=zz" } });
    expect(() => JSON.parse(redact(body))).not.toThrow();
    expect(redact(body)).not.toContain("abcdefghijklmnop");
  });

  it("turns a non-JSON error body into '<provider> answered <status>' and a short excerpt, in every adapter", () => {
    const page = `<html><body><h1>Bad gateway</h1><p>${"padding ".repeat(50)}</p><p>Bearer sk-proj-abcdefghijklmnop</p></body></html>`;
    for (const provider of PROVIDERS) {
      const err = guardAdapter(ADAPTERS[provider]).parseError(502, new Headers(), page, 0, env);
      expect(err.message.startsWith(`${provider} answered 502: Bad gateway padding`)).toBe(true);
      expect(err.message.length).toBeLessThanOrEqual(160);
      expect(err.message).not.toContain("<");
      expect(err.kind).toBe("server");
      const empty = guardAdapter(ADAPTERS[provider]).parseError(500, new Headers(), "  ", 0, env);
      expect(empty.message).toBe(`${provider} answered 500 with an empty body`);
    }
  });

  it("redacts errors thrown mid-stream by a guarded adapter", async () => {
    const adapter = guardAdapter(ADAPTERS.openai);
    const decode = adapter.streamDecoder({ env, newId: (p: string) => `${p}_1` });
    const message = { data: JSON.stringify({ error: { message: "key sk-proj-abcdefghijklmnop revoked" } }) };
    let thrown: unknown;
    try {
      decode(message, []);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ kind: "stream", message: "key [redacted] revoked" });
  });
});

describe("key lists", () => {
  it("configure their provider alone and send its first key, without the weight", () => {
    const built = ADAPTERS.openai.buildChatRequest(
      { messages: [{ role: "user", content: "hi" }], stream: false },
      { upstreamId: "gpt-4o-mini", entry: null },
      { env: { OPENAI_API_KEYS: "sk-first-key-aaaa*2, sk-second-key-bbbb" }, newId: (p) => p },
    );
    expect(built.request.headers.authorization).toBe("Bearer sk-first-key-aaaa");
    expect(ADAPTERS.openai.configured({ OPENAI_API_KEYS: "sk-first-key-aaaa*2" })).toBe(true);
    expect(ADAPTERS.openai.configured({ OPENAI_API_KEYS: " , " })).toBe(false);
  });
});

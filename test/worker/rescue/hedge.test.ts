// Hedged requests through the official client: no first token after the hedge delay, and the next candidate starts
// alongside; the first to commit wins and the other's upstream request is aborted (the emulator logs it).
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import { type ChatCompletionRequest, toCanonical } from "../../../src/dialects/chat/request.ts";
import { worstCasePico, worstCasePromptTokens } from "../../../src/ledger/worst-case.ts";
import { ModelRegistry } from "../../../src/registry/model-registry.ts";
import { eventually } from "../failover/helpers.ts";
import { newSession } from "../gateway.ts";
import { callFull, uniqueWorkspace } from "../ledger/ledger-helpers.ts";
import { CLOCKS, client, completions, readChatStream, withGateway } from "./helpers.ts";

const TWO = ["openai/gpt-4o-mini", "mistral/mistral-small-latest"];

async function ask(session: Awaited<ReturnType<typeof newSession>>, hedge: string, models = TWO) {
  const stream = await client(session, { "x-router-hedge": hedge }).chat.completions.create(
    withGateway(
      { model: models[0]!, messages: [{ role: "user" as const, content: "hi" }], stream: true as const },
      { models, router: { timeouts: { ...CLOCKS, first_token_ms: 5000 } } },
    ),
  );
  return readChatStream(stream);
}

describe("hedged requests", () => {
  it("win: the hedge commits first, answers, and the slow first request is aborted upstream", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 3000 }],
    });
    const t0 = Date.now();
    const out = await ask(s, "200");
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(out.error).toBeNull();
    expect(out.xRouter?.provider).toBe("mistral");
    expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(["openai:failed", "mistral:ok"]);
    expect(out.xRouter?.attempts.map((a) => a.via ?? "try")).toEqual(["try", "hedge"]);
    expect(out.xRouter?.attempts[0]?.error).toMatch(/lost the hedge/);
    const [slow] = await eventually(
      () => completions(s, "openai"),
      (c) => c[0]?.aborted === true,
    );
    expect(slow?.aborted).toBe(true);
    // The hedge started only after the delay.
    const [hedge] = await completions(s, "mistral");
    expect(hedge!.received_at - slow!.received_at).toBeGreaterThanOrEqual(150);
  });

  it("loss: the first request commits before the hedge does; the hedge is aborted upstream", async () => {
    const s = await newSession({
      faults: [
        { provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 500 },
        { provider: "mistral", mode: "slow_first_token", delay_ms: 3000 },
      ],
    });
    const out = await ask(s, "100");
    expect(out.error).toBeNull();
    expect(out.xRouter?.provider).toBe("openai");
    expect(out.xRouter?.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(["openai:ok", "mistral:failed"]);
    expect(out.xRouter?.attempts.map((a) => a.via ?? "try")).toEqual(["try", "hedge"]);
    const [hedge] = await eventually(
      () => completions(s, "mistral"),
      (c) => c[0]?.aborted === true,
    );
    expect(hedge?.aborted).toBe(true);
  });

  it("off: no second request, however slow the first token", async () => {
    const s = await newSession({
      faults: [{ provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 600 }],
    });
    const out = await ask(s, "off");
    expect(out.xRouter?.provider).toBe("openai");
    expect(await completions(s, "mistral")).toHaveLength(0);
  });

  it("a bad x-router-hedge is a 400 naming the header", async () => {
    const s = await newSession();
    await expect(ask(s, "soon")).rejects.toMatchObject({ status: 400 });
  });
});

describe("budgets hold both hedged requests", () => {
  it("a hedged stream's hold covers its candidate and the hedge partner after it", async () => {
    const registry = new ModelRegistry(CONFIG.models.models);
    const s = await newSession({
      faults: [
        { provider: "openai", model: "gpt-4o-mini", mode: "slow_first_token", delay_ms: 1500 },
        { provider: "mistral", mode: "slow_first_token", delay_ms: 1500 },
      ],
    });
    const ws = uniqueWorkspace("hedge");
    const put = await callFull(s.env, `/v1/budgets/${ws}`, {
      method: "PUT",
      json: { limit_usd: 5, on_limit: "reject" },
    });
    expect(put.res.status, await put.done()).toBe(200);
    const body = {
      model: TWO[0],
      models: TWO,
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 50,
      stream: true,
      router: { workspace_id: ws, timeouts: { ...CLOCKS, first_token_ms: 5000 } },
    };
    const req = toCanonical(body as unknown as ChatCompletionRequest);
    const worst = TWO.map((m) => worstCasePico(registry.resolve(m)!, worstCasePromptTokens(req), req));
    const reserved = async (hedge: string) => {
      const pending = callFull(s.env, "/v1/chat/completions", {
        method: "POST",
        json: body,
        headers: { "x-router-hedge": hedge },
      });
      await new Promise((r) => setTimeout(r, 400));
      const budget = await callFull(s.env, `/v1/budgets/${ws}`);
      const held = (JSON.parse(await budget.done()) as { reserved_usd: number }).reserved_usd;
      await (await pending).done();
      return held;
    };
    // Unhedged: the dearer of the two (either could answer). Hedged: the first and its partner together.
    expect(await reserved("off")).toBeCloseTo(Math.max(...worst) / 1e12, 9);
    expect(await reserved("100")).toBeCloseTo((worst[0]! + worst[1]!) / 1e12, 9);
  });
});

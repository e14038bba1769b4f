// The dashboard in a real browser (headless Chromium, see chromium.ts) against wrangler dev over the emulators: data
// renders, the playground streams, nothing errors in the console, no secret reaches the page, and it fits a phone.

import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { emulatorVars } from "../support/emulator-vars.ts";
import { type Browser, collectErrors, launchBrowser } from "./browser.ts";
import { BROWSER_KEY_LABEL } from "./keys.ts";
import { sendTraffic, setFaults, waitForLedger } from "./traffic.ts";

const gatewayUrl = inject("gatewayUrl");
const emulatorUrl = inject("emulatorUrl");
const sessionId = inject("sessionId");
const adminKey = inject("adminKey");
const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
const SECRETS = [
  adminKey,
  ...Object.entries(emulatorVars({}, BROWSER_KEY_LABEL))
    .filter(([name]) => name.endsWith("_KEY"))
    .map(([, key]) => key),
];

let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const traffic = await sendTraffic(gatewayUrl, emulatorUrl, sessionId);
  // The fallback-off call fails; everything else answers (the fallback-on one after a failed attempt).
  expect(traffic.statuses[0]).toBeGreaterThanOrEqual(500);
  expect(traffic.statuses.slice(1).every((s) => s === 200)).toBe(true);
  await waitForLedger(gatewayUrl, traffic.statuses.length);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function openDashboard(page: Page): Promise<void> {
  await page.goto(`${gatewayUrl}/`);
  await page.locator("#app").waitFor({ state: "visible" });
  // The first refresh has landed when the requests table has rows.
  await page.locator("#requests tbody tr[data-request-id]").first().waitFor();
}

describe("the dashboard at GET /", () => {
  it("shows health, latency, cost and requests with data, labels the emulators, and logs no console error", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openDashboard(page);

    await expect(page.locator("#identity").textContent()).resolves.toContain("development mode");
    const banner = page.locator("#emulator-banner");
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toMatch(/emulator/i);

    // Health: a card per provider; OpenAI's records the 500 it gave.
    await page.locator("#health .card").nth(4).waitFor();
    expect(await page.locator("#health .card").count()).toBe(5);
    expect(await page.locator('#health .card[data-provider="openai"] .last-error').textContent()).toMatch(/\S/);
    expect(await page.locator("#health .tag-emulator").count()).toBe(5);
    // The price book's flags: Together's 2025 prices are past price_book.max_price_age_days.
    expect(await page.locator('#health .card[data-provider="together"] .price-book').textContent()).toMatch(
      /\d+ stale prices/,
    );

    // Latency and TTFT over time: one dot per provider and bucket, each carrying a positive value.
    const latencyValues = await page
      .locator("#latency .latency-chart circle.point")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-value"))));
    expect(latencyValues.length).toBeGreaterThanOrEqual(4);
    expect(latencyValues.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(await page.locator("#latency .ttft-chart circle.point").count()).toBeGreaterThanOrEqual(4);
    expect(
      await page
        .locator("#latency .latency-chart .series")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-series"))),
    ).toEqual(expect.arrayContaining(["anthropic", "mistral", "ollama"]));

    // Cost by provider, model and day: bars with money on them.
    const providerBars = await page
      .locator("#cost .by-provider rect.bar")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-value"))));
    expect(providerBars.length).toBeGreaterThanOrEqual(3);
    expect(providerBars.some((v) => v > 0)).toBe(true);
    expect(await page.locator("#cost .by-model rect.bar").count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator("#cost .by-day rect.bar").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#cost [data-total=cost]").textContent()).toMatch(/^\$0\.\d+/);

    // Recent requests: the failed one (no answer) and the one that failed over, with its failed attempt shown.
    expect(await page.locator("#requests tbody tr[data-request-id]").count()).toBe(7);
    expect(await page.locator('#requests tbody tr[data-status="error"]').count()).toBe(1);
    const failedOver = page.locator('#requests tbody tr[data-status="ok"]', { has: page.locator(".attempt-failed") });
    expect(await failedOver.count()).toBeGreaterThanOrEqual(1);
    expect(await failedOver.first().locator(".attempt-ok").count()).toBe(1);

    const html = await page.content();
    for (const secret of SECRETS) expect(html).not.toContain(secret);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-desktop.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("plans a route, then streams the answer into the playground chunk by chunk, with cost and attempts after", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openDashboard(page);
    const form = page.locator("#playground form");
    await form
      .locator("select[name=target] option[value='anthropic/claude-haiku-4-5-20251001']")
      .waitFor({ state: "attached" });
    await form.locator("select[name=target]").selectOption("anthropic/claude-haiku-4-5-20251001");
    // The playground chats: embedding models are not offered.
    expect(await form.locator("select[name=target] option[value='openai/text-embedding-3-small']").count()).toBe(0);

    // Sample the output's length as the DOM changes: a streamed answer grows in many steps, not in one.
    await page.evaluate(() => {
      const out = document.querySelector("#playground .output") as HTMLElement;
      const samples: { t: number; n: number }[] = [];
      (window as unknown as { samples: typeof samples }).samples = samples;
      new MutationObserver(() => samples.push({ t: performance.now(), n: out.textContent?.length ?? 0 })).observe(out, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await form.locator("button[name=send]").click();
    await page.locator("#playground .candidates li").first().waitFor();
    expect(await page.locator("#playground .candidates li").first().textContent()).toContain(
      "anthropic/claude-haiku-4-5-20251001",
    );
    await page.locator('#playground .output[data-state="done"]').waitFor({ timeout: 20_000 });

    const samples = await page.evaluate(() =>
      (window as unknown as { samples: { t: number; n: number }[] }).samples.filter((s) => s.n > 0),
    );
    const lengths = [...new Set(samples.map((s) => s.n))];
    expect(lengths.length).toBeGreaterThanOrEqual(10);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    const last = samples.at(-1);
    const first = samples[0];
    expect(last && first ? last.t - first.t : 0).toBeGreaterThan(500);

    expect(await page.locator('#playground [data-testid="answered-by"]').textContent()).toContain(
      "anthropic/claude-haiku-4-5-20251001",
    );
    expect(await page.locator('#playground [data-testid="answered-by"] .tag-emulator').count()).toBe(1);
    expect(await page.locator('#playground [data-testid="answer-cost"]').textContent()).toMatch(/cost \$0\.\d+/);
    expect(await page.locator("#playground .answer-meta .attempt-ok").count()).toBe(1);
    expect((await page.locator("#playground .output").textContent())?.length).toBe(lengths.at(-1));
    await page.locator("#playground").screenshot({ path: `${ARTIFACTS}dashboard-playground.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("fits a phone (390×844) without sideways scrolling", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await openDashboard(page);
    await page.locator("#cost .by-provider rect.bar").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const chartWidth = await page
      .locator("#latency .latency-chart svg")
      .first()
      .evaluate((e) => e.getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("asks for a key when the one it holds is refused, then works with the admin key without showing it", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    // Set before the first script runs, as if a key from an earlier visit in this tab had been revoked since.
    await page.addInitScript(() => {
      if (sessionStorage.getItem("switchyard.key") === null) sessionStorage.setItem("switchyard.key", "wrong-key");
    });
    await page.goto(`${gatewayUrl}/`);
    await page.locator("#key-dialog").waitFor({ state: "visible" });
    expect(await page.locator("#key-message").textContent()).toContain("refused");
    expect(await page.locator("#app").isVisible()).toBe(false);

    await page.locator("#key-input").fill(adminKey);
    await page.locator("#key-form button[type=submit]").click();
    await page.locator("#app").waitFor({ state: "visible" });
    expect(await page.locator("#identity").textContent()).toContain("admin");
    expect(await page.locator("#key-input").inputValue()).toBe("");
    expect(await page.content()).not.toContain(adminKey);
    // The only errors are the browser's own notes on the refused (401) calls.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
    await page.close();
  });

  it("shows a call that failed with no cost, not as unpriced", async () => {
    // Codestral refuses the prompt (content policy): the caller's fault, so no other model is tried and nothing is billed.
    await setFaults(emulatorUrl, sessionId, [
      { provider: "mistral", model: "codestral-latest", mode: "content_policy" },
    ]);
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    try {
      await openDashboard(page);
      const form = page.locator("#playground form");
      await form.locator("select[name=target] option[value='mistral/codestral-latest']").waitFor({ state: "attached" });
      await form.locator("select[name=target]").selectOption("mistral/codestral-latest");
      await form.locator("button[name=send]").click();
      await page.locator('#playground .output[data-state="failed"]').waitFor({ timeout: 20_000 });
      expect(await page.locator("#playground .answer-meta .error").textContent()).toMatch(/\S/);
      expect(await page.locator("#playground .answer-meta .attempt-failed").count()).toBe(1);
      const cost = await page.locator('#playground [data-testid="answer-cost"]').textContent();
      expect(cost).toMatch(/^cost – · /);
      expect(cost).not.toContain("unpriced");
      // The only errors are the browser's own notes on the refused (400) call.
      expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
    } finally {
      await setFaults(emulatorUrl, sessionId, []);
      await page.close();
    }
  });
});

/** The workspace of a key made with limits of its own (below, before the pages open), and that key. */
const KEY_WORKSPACE = "browser-key-ws";
let workspaceKey: string;

/** A POST (or `method`) to the gateway with `key`, its body read. */
async function post(
  path: string,
  key: string,
  body: unknown,
  method = "POST",
): Promise<{ res: Response; json: unknown }> {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { res, json: await res.json() };
}

async function openWithKey(page: Page): Promise<void> {
  await page.addInitScript((key) => sessionStorage.setItem("switchyard.key", key), workspaceKey);
  await openDashboard(page);
  await page.locator("#cost .totals [data-total=cost]").waitFor();
}

describe("the dashboard with a workspace key that has limits of its own", () => {
  beforeAll(async () => {
    const created = await post("/v1/keys", adminKey, {
      workspace_id: KEY_WORKSPACE,
      name: "browser limits",
      rpm_limit: 50,
      tpm_limit: 20000,
      budget_usd: 2.5,
    });
    expect(created.res.status).toBe(201);
    workspaceKey = (created.json as { key: string }).key;
    // The same cacheable question twice (the second is answered by the response cache), and one short embedding.
    const cached = {
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: "Say hello." }],
      router: { cache: { ttl_s: 600 } },
    };
    for (const verdict of ["miss", "hit"]) {
      const { res } = await post("/v1/chat/completions", workspaceKey, cached);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-router-cache")).toBe(verdict);
    }
    const embedding = { model: "openai/text-embedding-3-small", input: "hi" };
    expect((await post("/v1/embeddings", workspaceKey, embedding)).res.status).toBe(200);
    await waitForLedger(gatewayUrl, 3, { key: workspaceKey });
  });

  it("shows the key's own rate limits and budget, and the page logs nothing for a workspace without a budget", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openWithKey(page);
    expect(await page.locator("#identity").textContent()).toContain(`workspace ${KEY_WORKSPACE}`);
    const limits = page.locator("#cost .limits");
    await limits.locator("[data-limit=key]").waitFor();
    const text = await limits.textContent();
    expect(text).toContain(`${KEY_WORKSPACE}: no workspace budget or rate limits`);
    expect(text).not.toContain("no budget or rate limits");
    expect(await limits.locator("[data-limit=key]").textContent()).toMatch(
      /^key sy-\S+…: 50 requests a minute, 20,000 tokens a minute, a budget of \$2\.50$/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("counts one response cache hit in the singular", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openWithKey(page);
    await page.locator("#cost .cache [data-cache=hits]").waitFor();
    expect(await page.locator("#cost .cache [data-cache=hits]").textContent()).toBe("1 hit");
    expect(await page.locator("#cost .totals").textContent()).toContain(" over 3 requests ");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a cost under a micro-dollar in plain decimals", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openWithKey(page);
    const row = page.locator("#requests tbody tr[data-request-id]", {
      has: page.locator('[data-dialect="embeddings"]'),
    });
    await row.waitFor();
    // The cost cell's own text, before its tokens line.
    const cost = await row
      .locator("td.num")
      .first()
      .evaluate((td) => td.firstChild?.textContent ?? "");
    // The embedding's few tokens at $0.02 per million tokens cost well under a micro-dollar.
    expect(cost).toMatch(/^\$0\.0{6,}[1-9]\d?$/);
    expect(cost).not.toMatch(/\de[-+]?\d/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the workspace's budget and rate limit beside the key's own once the workspace has them", async () => {
    const settings = { limit_usd: 10, period: "month", rpm_limit: 100 };
    const put = await post(`/v1/budgets/${KEY_WORKSPACE}`, adminKey, settings, "PUT");
    expect(put.res.status).toBe(200);
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await openWithKey(page);
    const limits = page.locator("#cost .limits");
    await limits.locator("[data-limit=budget]").waitFor();
    expect(await limits.locator("[data-limit=budget]").textContent()).toMatch(/^\$\S+ of \$10\.00 this month$/);
    expect(await limits.locator("[data-limit=requests]").textContent()).toMatch(/^\d+ \/ 100 requests this minute$/);
    expect(await limits.locator("[data-limit=key]").textContent()).toContain("50 requests a minute");
    expect(await limits.textContent()).not.toContain("no workspace budget");
    expect(errors).toEqual([]);
    await page.close();
  });
});

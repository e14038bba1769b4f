// The playground in a real browser sends each dialect (Responses, Anthropic Messages) and streams its answer; the
// recent requests table then names the dialect of each request.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, collectErrors, launchBrowser } from "./browser.ts";

const gatewayUrl = inject("gatewayUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openPlayground(page: Page) {
  await page.goto(`${gatewayUrl}/`);
  await page.locator("#app").waitFor({ state: "visible" });
  const form = page.locator("#playground form");
  await form.locator("select[name=target] option[value='openai/gpt-4o-mini']").waitFor({ state: "attached" });
  return form;
}

describe("the playground speaks every streaming dialect", () => {
  for (const dialect of ["responses", "messages"] as const) {
    it(`${dialect}: streams the answer and reports the route`, async () => {
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      const form = await openPlayground(page);
      await form.locator("select[name=dialect]").selectOption(dialect);
      await form.locator("select[name=target]").selectOption("openai/gpt-4o-mini");
      await form.locator("button[name=send]").click();
      await page.locator('#playground .output[data-state="done"]').waitFor({ timeout: 20_000 });
      expect((await page.locator("#playground .output").textContent())?.length).toBeGreaterThan(0);
      expect(await page.locator('#playground [data-testid="answered-by"]').textContent()).toContain(
        "openai/gpt-4o-mini",
      );
      await page.locator(`#requests .tag[data-dialect="${dialect}"]`).first().waitFor({ timeout: 20_000 });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

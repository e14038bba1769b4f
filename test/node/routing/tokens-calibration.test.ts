// Measures the router's token estimator against a real tokenizer (o200k_base) and asserts the bound docs/routing.md states.
import { readFileSync } from "node:fs";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { estimatePromptTokens, estimateTextTokens } from "../../../src/routing/tokens.ts";

const modules = new URL("../../../node_modules/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, modules), "utf8");

/** Real text of each kind, from pinned dev dependencies: READMEs and licences, source, JSON, and TypeScript's translated messages. */
function corpus(): { kind: string; text: string }[] {
  const docs: { kind: string; text: string }[] = [];
  for (const f of [
    "typescript/README.md",
    "hono/README.md",
    "zod/README.md",
    "wrangler/README.md",
    "typescript/LICENSE.txt",
    "openai/README.md",
    "yaml/README.md",
  ])
    docs.push({ kind: "english prose", text: read(f) });
  for (const f of [
    "hono/dist/hono-base.js",
    "zod/v4/core/schemas.js",
    "yaml/dist/compose/composer.js",
    "typescript/lib/lib.es5.d.ts",
    "eventsource-parser/dist/index.js",
  ])
    docs.push({ kind: "code", text: read(f) });
  for (const f of ["typescript/lib/typesMap.json", "typescript/package.json", "wrangler/package.json"])
    docs.push({ kind: "json", text: read(f) });
  for (const lang of ["ja", "zh-cn", "ko", "ru", "de", "fr", "es", "pl", "tr", "cs"]) {
    const messages = JSON.parse(read(`typescript/lib/${lang}/diagnosticMessages.generated.json`)) as Record<
      string,
      string
    >;
    docs.push({ kind: `language ${lang}`, text: Object.values(messages).join("\n") });
  }
  return docs;
}

/** Non-overlapping samples of `size` characters from each document's first 60,000, so no one document dominates. */
function samples(size: number): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  for (const doc of corpus()) {
    for (let i = 0; i + size <= Math.min(doc.text.length, 60_000); i += size)
      out.push({ kind: doc.kind, text: doc.text.slice(i, i + size) });
  }
  return out;
}

/** The stated bound: |estimate - o200k count| <= 20% of the count + 20 tokens. */
const RELATIVE = 0.2;
const ABSOLUTE = 20;

function measure(size: number) {
  const rows = samples(size).map(({ kind, text }) => {
    const actual = encode(text).length;
    const estimate = estimateTextTokens(text);
    return {
      kind,
      actual,
      estimate,
      error: (estimate - actual) / actual,
      excess: Math.abs(estimate - actual) - (RELATIVE * actual + ABSOLUTE),
    };
  });
  const worst = rows.reduce((a, b) => (Math.abs(b.error) > Math.abs(a.error) ? b : a));
  const meanAbs = rows.reduce((s, r) => s + Math.abs(r.error), 0) / rows.length;
  return { rows, worst, meanAbs };
}

describe("token estimator calibration (o200k_base)", () => {
  it("covers prose, code, JSON and ten other languages", () => {
    const kinds = new Set(samples(3000).map((s) => s.kind));
    expect(kinds.size).toBe(13);
  });

  for (const size of [3000, 300]) {
    it(`stays within 20% + 20 tokens on every ${size}-character sample`, () => {
      const { rows, worst, meanAbs } = measure(size);
      console.log(
        `${size}-char samples: n=${rows.length}, mean |error| ${(meanAbs * 100).toFixed(1)}%, worst ${(worst.error * 100).toFixed(1)}% (${worst.kind}: ${worst.estimate.toFixed(0)} vs ${worst.actual})`,
      );
      const outside = rows.filter((r) => r.excess > 0);
      expect(outside, JSON.stringify(outside.slice(0, 3))).toEqual([]);
      expect(rows.length).toBeGreaterThan(size === 3000 ? 200 : 2000);
    });
  }

  it("keeps long samples within 17.5% and on average within 7%", () => {
    const { worst, meanAbs } = measure(3000);
    expect(Math.abs(worst.error)).toBeLessThan(0.175);
    expect(meanAbs).toBeLessThan(0.07);
  });

  it("counts a chat request's framing, tools and images, close to the tokenizer's own chat count", () => {
    const text = read("hono/README.md").slice(0, 4000);
    const request = {
      stream: false,
      messages: [
        { role: "system" as const, content: "You are a helpful assistant." },
        { role: "user" as const, content: text },
      ],
    };
    const actual = encode(text).length + encode("You are a helpful assistant.").length + 2 * 4 + 3;
    const estimate = estimatePromptTokens(request);
    expect(Math.abs(estimate - actual)).toBeLessThanOrEqual(RELATIVE * actual + ABSOLUTE);
    const withImage = estimatePromptTokens({
      stream: false,
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:x", detail: "low" } }] }],
    });
    expect(withImage).toBe(3 + 4 + 85);
  });
});

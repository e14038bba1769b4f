// The prompt-token upper bound (context windows, tokens-per-minute limits) against o200k_base: never below the real
// count, on real text and on adversarial text where the calibrated estimate (kept for cost) falls far short.
import { readFileSync } from "node:fs";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import {
  boundPromptTokens,
  boundTextTokens,
  estimatePromptTokens,
  estimateTextTokens,
  promptTokensCeiling,
} from "../../../src/routing/tokens.ts";

const modules = new URL("../../../node_modules/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, modules), "utf8");

/** A seeded generator, so a failure is reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const random = seeded(20261201);
const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
const codePoints = (from: number, span: number, n: number) =>
  Array.from({ length: n }, () => String.fromCodePoint(from + Math.floor(random() * span))).join("");
const lower = "abcdefghijklmnopqrstuvwxyz";

function realText(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of ["typescript/README.md", "hono/README.md", "zod/README.md", "openai/README.md"])
    out.push([`prose ${f}`, read(f).slice(0, 60_000)]);
  for (const f of ["hono/dist/hono-base.js", "zod/v4/core/schemas.js", "typescript/lib/lib.es5.d.ts"])
    out.push([`code ${f}`, read(f).slice(0, 60_000)]);
  for (const f of ["typescript/lib/typesMap.json", "wrangler/package.json"]) out.push([`json ${f}`, read(f)]);
  for (const lang of ["ja", "zh-cn", "ko", "ru", "de", "fr", "es", "pl", "tr", "cs"]) {
    const messages = JSON.parse(read(`typescript/lib/${lang}/diagnosticMessages.generated.json`)) as Record<
      string,
      string
    >;
    out.push([`language ${lang}`, Object.values(messages).join("\n").slice(0, 60_000)]);
  }
  return out;
}

function adversarial(): [string, string][] {
  return [
    ['"word ".repeat(60000)', "word ".repeat(60_000)],
    ["a short sentence repeated", "the cat sat on the mat. ".repeat(5000)],
    ["one letter repeated", "a".repeat(10_000)],
    ["one letter and a space repeated", "a ".repeat(10_000)],
    ["shouted words", "HELLO WORLD ".repeat(5000)],
    ["jargon", "kubectl nginx grpc protobuf systemd xyzzy qwerty ".repeat(2000)],
    [
      "random lower-case words",
      Array.from({ length: 2000 }, () => pick(lower, 1 + Math.floor(random() * 20))).join(" "),
    ],
    ["random mixed-case letters", pick(lower + lower.toUpperCase(), 20_000)],
    ["base64", btoa(String.fromCharCode(...Array.from({ length: 15_000 }, () => Math.floor(random() * 256))))],
    ["hex", pick("0123456789abcdef", 20_000)],
    ["digits", pick("0123456789", 20_000)],
    ["symbols", pick("!@#$%^&*()[]{};:,.<>?/|\\~`'\"-_=+", 10_000)],
    ["rare CJK ideographs", codePoints(0x4e00, 20_000, 5000)],
    ["emoji", codePoints(0x1f300, 700, 3000)],
    ["Arabic letters", codePoints(0x600, 256, 5000)],
    ["Devanagari", codePoints(0x900, 128, 5000)],
    ["random Cyrillic", pick("абвгдежзийклмнопрстуфхцчшщъыьэюя ", 10_000)],
    ["random accented Latin", pick("éèêëàâäôöûüçñłşžš ", 10_000)],
    ["newlines", "\n".repeat(10_000)],
    ["spaces", " ".repeat(10_000)],
    ["spaces and newlines", " \n".repeat(5000)],
    ["tabs and newlines", "\t\t\n".repeat(3000)],
  ];
}

describe("boundTextTokens", () => {
  it('bounds "word ".repeat(60000), which the calibrated estimate counts near 35,400', () => {
    const text = "word ".repeat(60_000);
    const actual = encode(text).length;
    expect(actual).toBe(60_001);
    // The calibrated figure stays what it was (cost estimates use it) ...
    expect(Math.round(estimateTextTokens(text))).toBe(35_400);
    // ... and the bound is above the real count, by a margin and not a multiple.
    const bound = boundTextTokens(text);
    expect(bound).toBeGreaterThanOrEqual(actual);
    expect(bound).toBeLessThan(actual * 1.5);
  });

  for (const [name, text] of [...realText(), ...adversarial()]) {
    it(`is never below o200k's count: ${name}`, () => {
      const actual = encode(text).length;
      expect(boundTextTokens(text)).toBeGreaterThanOrEqual(actual);
    });
  }

  it("stays within twice the real count on English prose and code (a bound, not a wild guess)", () => {
    for (const [name, text] of realText().filter(([n]) => n.startsWith("prose") || n.startsWith("code"))) {
      const ratio = boundTextTokens(text) / encode(text).length;
      expect(ratio, name).toBeLessThan(2.1);
    }
  });

  it("on the adversarial texts the calibrated estimate falls short, which is why it is not what windows check", () => {
    const short = adversarial().filter(([, text]) => estimateTextTokens(text) < encode(text).length);
    expect(short.map(([name]) => name)).toEqual(
      expect.arrayContaining(['"word ".repeat(60000)', "random mixed-case letters", "base64", "symbols"]),
    );
  });
});

describe("boundPromptTokens", () => {
  it("bounds a chat request with its framing, tool calls and tools above the tokenizer's own count", () => {
    const user = "word ".repeat(5000);
    const args = JSON.stringify({ blob: pick(lower + lower.toUpperCase() + "0123456789", 2000) });
    const request = {
      stream: false,
      messages: [
        { role: "system" as const, content: "You are a helpful assistant." },
        { role: "user" as const, content: user },
        {
          role: "assistant" as const,
          content: null,
          tool_calls: [{ id: "c1", type: "function" as const, function: { name: "store", arguments: args } }],
        },
      ],
      tools: [{ type: "function" as const, function: { name: "store", parameters: { type: "object" } } }],
    };
    const actual =
      encode("You are a helpful assistant.").length +
      encode(user).length +
      encode("store").length +
      encode(args).length +
      encode(JSON.stringify(request.tools)).length +
      3 * 4 +
      3;
    expect(boundPromptTokens(request)).toBeGreaterThanOrEqual(actual);
    expect(estimatePromptTokens(request)).toBeLessThan(actual);
  });
});

describe("promptTokensCeiling", () => {
  const one = (content: string) => ({ stream: false, messages: [{ role: "user" as const, content }] });
  // Short strings are where three tokens a UTF-16 unit, plus one for rounding, is tightest.
  const short = (): [string, string][] => {
    const alphabet = "aZé 1!\n\tжλ中😀'.-_x9";
    const units = [...alphabet];
    return Array.from({ length: 3000 }, (_, i) => {
      const n = 1 + Math.floor(random() * 6);
      return [`short #${i}`, Array.from({ length: n }, () => units[Math.floor(random() * units.length)]).join("")];
    });
  };

  it("is never below boundPromptTokens, on real, adversarial and short texts", () => {
    const below = [...realText(), ...adversarial(), ...short()].filter(
      ([, text]) => promptTokensCeiling(one(text)) < boundPromptTokens(one(text)),
    );
    expect(below.map(([name, text]) => `${name}: ${JSON.stringify(text.slice(0, 20))}`)).toEqual([]);
  });

  it("is never below it with images, tool calls and tools, and is three tokens a character plus framing", () => {
    const args = JSON.stringify({ blob: pick(lower + lower.toUpperCase() + "0123456789", 2000) });
    const tools = [{ type: "function" as const, function: { name: "store", parameters: { type: "object" } } }];
    const request = {
      stream: false,
      messages: [
        { role: "system" as const, content: "You are a helpful assistant." },
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "What is in this picture?" },
            { type: "image_url" as const, image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
        {
          role: "assistant" as const,
          content: null,
          tool_calls: [{ id: "c1", type: "function" as const, function: { name: "store", arguments: args } }],
        },
      ],
      tools,
    };
    expect(promptTokensCeiling(request)).toBeGreaterThanOrEqual(boundPromptTokens(request));
    expect(promptTokensCeiling(one("Say hello."))).toBe(3 + 4 + 3 * 10 + 1);
  });
});

// The gateway's own English messages for zod's issues read word for word as zod's English locale does, for every
// issue code the gateway's schemas raise (the locale is left out of the bundle; callers see the same text).

import { describe, expect, it } from "vitest";
import { en } from "zod/locales";
import * as z from "zod/mini";
import "../../src/config/names.ts";
import { zodMessage } from "../../src/config/zod-messages.ts";

const locale = en().localeError;

const cases: [string, z.ZodMiniType, unknown][] = [
  ["a string given a number", z.string(), 42],
  ["a number given null", z.number(), null],
  ["an object given an array", z.object({}), []],
  ["an array given a boolean", z.array(z.string()), true],
  ["a coerced number given a word", z.coerce.number(), "abc"],
  ["a coerced number given Infinity", z.coerce.number(), "Infinity"],
  ["an integer given a fraction", z.int(), 1.5],
  ["a literal", z.literal("auto"), "AUTO"],
  ["an enum", z.enum(["low", "medium", "high"]), "max"],
  ["a numeric literal", z.literal(3), 4],
  ["a string too long", z.string().check(z.maxLength(4)), "too long"],
  ["a string too short", z.string().check(z.minLength(1)), ""],
  ["an exact length", z.string().check(z.length(2)), "abc"],
  ["an array too long", z.array(z.number()).check(z.maxLength(1)), [1, 2]],
  ["an array too short", z.array(z.number()).check(z.minLength(1)), []],
  ["a number too big", z.number().check(z.lte(2)), 3],
  ["a number not below", z.number().check(z.lt(2)), 2],
  ["a number too small", z.number().check(z.gte(0)), -1],
  ["a number not above", z.number().check(z.gt(0)), 0],
  ["a regex", z.string().check(z.regex(/^[a-z]+$/)), "A1"],
  ["a URL", z.url(), "not a url"],
  ["an ISO date", z.iso.date(), "2026-13-45"],
  ["a multiple", z.number().check(z.multipleOf(5)), 7],
  ["one unknown key", z.strictObject({ a: z.string() }), { a: "x", b: 1 }],
  ["two unknown keys", z.strictObject({}), { b: 1, c: 2 }],
  ["a record's key", z.record(z.enum(["a"]), z.number()), { b: 1 }],
  ["a union", z.union([z.string(), z.number()]), true],
  [
    "a discriminated union",
    z.discriminatedUnion("type", [z.object({ type: z.literal("a") }), z.object({ type: z.literal("b") })]),
    { type: "c" },
  ],
  ["an exclusive union", z.xor([z.string(), z.string().check(z.minLength(1))]), "both"],
];

describe("zod's messages", () => {
  it.each(cases)("%s reads as zod's English locale", (_, schema, input) => {
    const ours = z.safeParse(schema, input);
    const theirs = z.safeParse(schema, input, { error: locale });
    expect(ours.success).toBe(false);
    expect(ours.error?.issues.map((i) => i.message)).toEqual(theirs.error?.issues.map((i) => i.message));
  });

  it("is what the config sets, so every schema in the Worker speaks it", () => {
    expect(z.safeParse(z.string(), 1).error?.issues[0]?.message).toBe(
      "Invalid input: expected string, received number",
    );
    expect(zodMessage({ code: "custom", input: 1, path: [] } as z.core.$ZodRawIssue)).toBe("Invalid input");
  });
});

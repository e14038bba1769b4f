// Retry-After as providers send it: seconds, an HTTP date, OpenAI's retry-after-ms, and whatever else arrives.
import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../src/core/errors.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const parse = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), NOW);

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parse({ "retry-after": "20" })).toBe(20_000);
    expect(parse({ "retry-after": "0" })).toBe(0);
    expect(parse({ "retry-after": "1.5" })).toBe(1500);
  });

  it("reads an HTTP date as the time left until it", () => {
    expect(parse({ "retry-after": "Tue, 01 Dec 2026 12:00:30 GMT" })).toBe(30_000);
  });

  it("reads a date already past as no wait, never a negative one", () => {
    expect(parse({ "retry-after": "Tue, 01 Dec 2026 11:59:00 GMT" })).toBe(0);
  });

  it("reads retry-after-ms (OpenAI, Azure) and prefers it to Retry-After", () => {
    expect(parse({ "retry-after-ms": "1500" })).toBe(1500);
    expect(parse({ "retry-after-ms": "250", "retry-after": "1" })).toBe(250);
  });

  it("falls back to Retry-After when retry-after-ms does not parse", () => {
    expect(parse({ "retry-after-ms": "soon", "retry-after": "3" })).toBe(3000);
    expect(parse({ "retry-after-ms": "-5", "retry-after": "3" })).toBe(3000);
  });

  it("gives null for garbage and for no header at all", () => {
    expect(parse({})).toBeNull();
    expect(parse({ "retry-after": "soon" })).toBeNull();
    expect(parse({ "retry-after": "in a bit" })).toBeNull();
    expect(parse({ "retry-after-ms": "NaN" })).toBeNull();
    expect(parse({ "retry-after": "Infinity" })).toBeNull();
  });

  it("reads an empty or negative header as no advice, never as an immediate retry", () => {
    expect(parse({ "retry-after": "" })).toBeNull();
    expect(parse({ "retry-after-ms": "" })).toBeNull();
    expect(parse({ "retry-after-ms": "", "retry-after": "2" })).toBe(2000);
    expect(parse({ "retry-after": "-1" })).toBeNull();
    expect(parse({ "retry-after": "12-5" })).toBeNull();
  });
});

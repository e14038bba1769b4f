// The build-time config check (scripts/compile-config.ts -> src/config/validate.ts) refuses a clock of 0 and says what
// a chain or task type name must look like; a blank batching delay variable means its documented default.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, validateConfig } from "../../../src/config/validate.ts";
import { flushDelayMs } from "../../../src/core/write-batcher.ts";

type Raw = Record<string, any>;
const readYaml = (relative: string): Raw => parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as Raw;
const rawModels = readYaml("../../../configs/models.yml");
const rawFallback = readYaml("../../../configs/llm_fallback.yml");

/** The ConfigError message for these documents, or null when validateConfig accepted them. */
function errorOf(models: unknown, fallback: unknown): string | null {
  try {
    validateConfig(models, fallback);
    return null;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
}

describe("configs/llm_fallback.yml validation", () => {
  it("refuses a zero request deadline (timeouts.total_ms: 0)", () => {
    const fallback = structuredClone(rawFallback);
    fallback.timeouts.total_ms = 0;
    expect(errorOf(rawModels, fallback) ?? "accepted").toMatch(/configs\/llm_fallback\.yml: timeouts\.total_ms/);
  });

  it("refuses a zero headers clock (timeouts.headers_ms: 0)", () => {
    const fallback = structuredClone(rawFallback);
    fallback.timeouts.headers_ms = 0;
    expect(errorOf(rawModels, fallback) ?? "accepted").toMatch(/configs\/llm_fallback\.yml: timeouts\.headers_ms/);
  });

  it("says what a chain name must look like when one is lower-case", () => {
    const fallback = structuredClone(rawFallback);
    fallback.chains.high_quality = fallback.chains.HIGH_QUALITY;
    delete fallback.chains.HIGH_QUALITY;
    const message = errorOf(rawModels, fallback);
    expect(message).toContain("chains.high_quality");
    expect(message).toMatch(/UPPER_SNAKE_CASE/);
  });

  it("says what a task type name must look like when it is malformed", () => {
    const fallback = structuredClone(rawFallback);
    fallback.task_types["Simple-Task"] = fallback.task_types.simple_task;
    const message = errorOf(rawModels, fallback) ?? "";
    expect(message).toContain("task_types.Simple-Task");
    expect(message).not.toMatch(/Invalid key in record$/m);
  });
});

describe("numeric environment variables", () => {
  it("a blank batching delay (LEDGER_FLUSH_MS, STATS_FLUSH_MS, OTEL_BSP_SCHEDULE_DELAY) means the default, not 0", () => {
    expect(flushDelayMs("")).toBe(1000);
    expect(flushDelayMs("  ")).toBe(1000);
    expect(flushDelayMs(undefined)).toBe(1000);
    expect(flushDelayMs("0")).toBe(0);
    expect(flushDelayMs("250")).toBe(250);
    expect(flushDelayMs("soon")).toBe(1000);
    expect(flushDelayMs("-5")).toBe(1000);
  });
});

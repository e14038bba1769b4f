// Recorded payloads for the dialect codec tests (test/fixtures, provenance in SOURCES.md), and SSE helpers.
import type { RouteReport } from "../../../src/core/route-report.ts";

/** The text of test/fixtures/<path>. */
export async function fixture(path: string): Promise<string> {
  const mod = (await import(/* @vite-ignore */ `../../fixtures/${path}?raw`)) as { default: string };
  return mod.default;
}

/** The request body a recording's sidecar kept (some recorders stored it as a JSON string). */
export async function recordedRequest(stem: string): Promise<Record<string, unknown>> {
  const sidecar = JSON.parse(await fixture(`${stem}.headers.json`)) as { request: { body: unknown } };
  const body = sidecar.request.body;
  return (typeof body === "string" ? JSON.parse(body) : body) as Record<string, unknown>;
}

export interface SseEvent {
  event: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read recorded events field by field
  data: Record<string, any>;
}

/** Named SSE events with their parsed data. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event =
        lines
          .find((l) => l.startsWith("event:"))
          ?.slice(6)
          .trim() ?? null;
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
        .join("\n");
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return { event, data: JSON.parse(data) as Record<string, any> };
    });
}

export const decode = (chunks: (Uint8Array | null)[]): string => {
  const decoder = new TextDecoder();
  return chunks.map((c) => (c === null ? "" : decoder.decode(c))).join("");
};

export const ROUTE: RouteReport = {
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  strategy: "balanced",
  chain: null,
  attempts: [],
  cost_usd: 0.001,
  latency_ms: 12,
  ttft_ms: 5,
  warnings: [],
};

// Sends a mix of requests through the gateway (with faults switched on in the emulator session) and waits for the ledger.
export interface TrafficResult {
  statuses: number[];
}

/** Replaces the emulator session's faults (an empty list: every provider answers normally). */
export async function setFaults(emulatorUrl: string, sessionId: string, faults: unknown[]): Promise<void> {
  const res = await fetch(`${emulatorUrl}/__emulator/sessions/${sessionId}/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

async function chat(gatewayUrl: string, body: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "Say hello." }], ...body }),
  });
  await res.text();
  return res.status;
}

/**
 * OpenAI's gpt-4o-mini fails twice: once with fallback off (the caller sees a 5xx), once with fallback on (the chain
 * moves on); the rest answer, streaming and not, from four providers.
 */
export async function sendTraffic(gatewayUrl: string, emulatorUrl: string, sessionId: string): Promise<TrafficResult> {
  await setFaults(emulatorUrl, sessionId, [{ provider: "openai", model: "gpt-4o-mini", mode: "status", status: 500 }]);
  const statuses: number[] = [];
  statuses.push(await chat(gatewayUrl, { model: "openai/gpt-4o-mini", router: { fallback: false } }));
  statuses.push(await chat(gatewayUrl, { model: "openai/gpt-4o-mini" }));
  await setFaults(emulatorUrl, sessionId, []);
  const rest = await Promise.all([
    chat(gatewayUrl, { model: "anthropic/claude-haiku-4-5" }),
    chat(gatewayUrl, { model: "mistral/mistral-small-latest", stream: true }),
    chat(gatewayUrl, { model: "ollama/llama3.2" }),
    chat(gatewayUrl, { model: "auto", router: { strategy: "quality_optimized" } }),
    chat(gatewayUrl, { model: "chain:cost_optimized", stream: true, stream_options: { include_usage: true } }),
  ]);
  statuses.push(...rest);
  return { statuses };
}

/**
 * The ledger writes after the response (waitUntil): poll until every request has its row (with `key`, every request
 * of that key's workspace).
 */
export async function waitForLedger(
  gatewayUrl: string,
  count: number,
  { timeoutMs = 10_000, key }: { timeoutMs?: number; key?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
  for (;;) {
    const res = await fetch(`${gatewayUrl}/v1/requests?limit=100`, { headers });
    const rows = ((await res.json()) as { data?: unknown[] }).data ?? [];
    if (rows.length >= count) return;
    if (Date.now() > deadline) throw new Error(`ledger has ${rows.length} of ${count} requests after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

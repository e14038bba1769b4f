// `npm run demo`: the gateway (wrangler dev, development mode) over the project's provider emulators, plus bounded
// mixed traffic with scheduled outages, so routing, failover, health and cost show up on the dashboard at once.
import { parseArgs } from "node:util";
import { startEmulator } from "../test/emulators/server.ts";
import { emulatorVars } from "../test/support/emulator-vars.ts";
import { startWranglerDev } from "../test/support/wrangler-dev.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    "no-traffic": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
  },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes < 0 || minutes > 120) {
  console.error("usage: npm run demo [-- --minutes 5] [--no-traffic] [--quiet]");
  process.exit(2);
}

const root = new URL("..", import.meta.url).pathname;
const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
// A session of our own, so its faults can be switched on and off while the traffic runs; answers stream 30 ms a chunk.
const session = (await (
  await fetch(`${emulator.url}/__emulator/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chunk_delay_ms: 30 }),
  })
).json()) as { id: string; base_urls: Record<string, string> };

console.error("Starting wrangler dev (development mode, fresh local D1)…");
let gateway: Awaited<ReturnType<typeof startWranglerDev>>;
try {
  gateway = await startWranglerDev(
    {
      SWITCHYARD_ENV: "development",
      // Dummy keys: the emulator checks that one is sent, nothing more. No real provider is ever called.
      ...emulatorVars(session.base_urls, "demo-emulator"),
    },
    { cwd: root, timeoutMs: 90_000 },
  );
} catch (err) {
  await emulator.close();
  throw err;
}

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.error("\nStopping the gateway and the emulators…");
    await gateway.stop();
    await emulator.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

console.log(`
  Switchyard demo — every provider is the project's EMULATOR (replayed recordings, no real model, no key needed)

  Dashboard:  ${gateway.url}/
  API:        ${gateway.url}/v1/chat/completions   (e.g. curl ${gateway.url}/v1/route -H 'content-type: application/json' -d '{"model":"auto","messages":[{"role":"user","content":"hi"}]}')

  ${values["no-traffic"] ? "No traffic generator (--no-traffic)." : `Traffic: one request every 1–2 s for ${minutes} min, with outages (see below).`}  Ctrl-C stops everything.
`);

interface Phase {
  name: string;
  faults: Record<string, unknown>[];
}
/** A 60-second cycle: calm, then Mistral down (failover, an opening circuit), then OpenAI flapping. */
const PHASES: Phase[] = [
  { name: "calm: every provider answers (one model, DeepSeek-V3, is always broken)", faults: [] },
  { name: "outage: mistral answers 503 to everything", faults: [{ provider: "mistral", mode: "status", status: 503 }] },
  {
    name: "flapping: openai fails every other call, anthropic's first token is slow",
    faults: [
      { provider: "openai", mode: "status", status: 500, times: 1 },
      { provider: "anthropic", mode: "slow_first_token", delay_ms: 1500, times: 2 },
    ],
  },
];
// Always on: one model that never works (a broken deployment), so the page shows a per-model circuit.
const ALWAYS = [{ provider: "together", model: "deepseek-ai/DeepSeek-V3", mode: "status", status: 500 }];

async function setFaults(faults: Record<string, unknown>[]): Promise<void> {
  await fetch(`${emulator.url}/__emulator/sessions/${session.id}/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([...ALWAYS, ...faults]),
  });
}

const MIX: { body: Record<string, unknown>; note: string }[] = [
  { body: { model: "auto", router: { strategy: "cost_optimized" } }, note: "auto, cost_optimized" },
  { body: { model: "auto", router: { strategy: "latency_optimized" } }, note: "auto, latency_optimized" },
  { body: { model: "auto", router: { strategy: "quality_optimized" } }, note: "auto, quality_optimized" },
  { body: { model: "chain:high_quality" }, note: "chain:high_quality" },
  { body: { model: "chain:cost_optimized" }, note: "chain:cost_optimized" },
  { body: { model: "mistral/mistral-small-latest" }, note: "mistral-small, fallback on" },
  { body: { model: "openai/gpt-4o-mini" }, note: "gpt-4o-mini" },
  { body: { model: "anthropic/claude-haiku-4-5" }, note: "claude-haiku" },
  { body: { model: "together/deepseek-ai/DeepSeek-V3" }, note: "DeepSeek-V3 (always broken)" },
  // Fallback off: during the Mistral outage the caller sees the failure itself, as a 5xx with the attempts listed.
  { body: { model: "mistral/mistral-small-latest", router: { fallback: false } }, note: "mistral-small, fallback off" },
  { body: { model: "ollama/llama3.2" }, note: "ollama llama3.2" },
];
const PROMPTS = [
  "Summarise the plot of Hamlet in one line.",
  "Write a haiku about edge computing.",
  "What is 17 * 23?",
  "Name three uses of a switchyard.",
];

async function one(n: number): Promise<void> {
  const pick = MIX[n % MIX.length] as (typeof MIX)[number];
  const stream = n % 3 !== 0;
  const body = {
    ...pick.body,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    max_tokens: 200,
    messages: [{ role: "user", content: PROMPTS[n % PROMPTS.length] }],
  };
  const started = Date.now();
  try {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-workspace": n % 4 === 0 ? "team-b" : "team-a" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const last = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .pop();
    const parsed = (
      res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : last ? JSON.parse(last.slice(6)) : {}
    ) as { x_router?: { cost_usd: number | null; attempts: unknown[] } };
    const x = parsed.x_router;
    if (!values.quiet) {
      const route = res.ok
        ? `${res.headers.get("x-router-provider")}/${res.headers.get("x-router-model")}${res.headers.get("x-switchyard-upstream") === "emulator" ? " (emulator)" : ""}`
        : "no answer";
      console.log(
        `  ${String(res.status).padEnd(3)} ${(stream ? "stream" : "json").padEnd(6)} ${pick.note.padEnd(30)} -> ${route.padEnd(53)} attempts ${x?.attempts.length ?? "?"}  cost ${x?.cost_usd ?? "–"}  ${Date.now() - started} ms`,
      );
    }
  } catch (err) {
    if (!stopping && !values.quiet)
      console.log(`  ERR ${pick.note}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

await setFaults([]);
if (values["no-traffic"]) await new Promise(() => {});
const startedAt = Date.now();
const until = startedAt + minutes * 60_000;
let n = 0;
let phase = -1;
while (!stopping && Date.now() < until) {
  const p = Math.floor(((Date.now() - startedAt) % 60_000) / 20_000);
  if (p !== phase) {
    phase = p;
    const current = PHASES[p] as Phase;
    await setFaults(current.faults);
    if (!values.quiet) console.log(`-- ${current.name}`);
  }
  // Flapping: the one-shot fault is re-armed each request, so every other call or so fails.
  if (phase === 2 && n % 2 === 0) await setFaults((PHASES[2] as Phase).faults);
  void one(n++);
  await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
}
if (!stopping) {
  await setFaults([]);
  console.log(
    `\nTraffic done (${n} requests). The gateway stays up for the dashboard: ${gateway.url}/  — Ctrl-C to stop.`,
  );
}

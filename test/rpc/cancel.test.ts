// A caller that gives up ends the upstream call: aborting the signal passed to generate() or stream() aborts the
// request Switchyard sent, as the emulator's request log shows (the rpc project's Worker sends to its session "rpc").
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it } from "vitest";

const SESSION = `${inject("emulatorUrl")}/__emulator/sessions/rpc`;
const MESSAGES = [{ role: "user" as const, content: "Say hi" }];

interface Logged {
  provider: string;
  body: { model?: string } | null;
  fault: string | null;
  aborted: boolean;
}

async function setFaults(faults: unknown[]): Promise<void> {
  const res = await fetch(`${SESSION}/faults`, { method: "PUT", body: JSON.stringify({ faults }) });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function logged(): Promise<Logged[]> {
  return ((await (await fetch(`${SESSION}/requests`)).json()) as { requests: Logged[] }).requests;
}

/** Polls the request log until `found` picks an entry (the emulator notes an abort when the socket closes). */
async function waitFor(found: (requests: Logged[]) => Logged | undefined): Promise<Logged> {
  for (let i = 0; i < 200; i++) {
    const hit = found(await logged());
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not in the emulator's log: ${JSON.stringify(await logged())}`);
}

afterEach(() => setFaults([]));

describe("cancelling an RPC call", () => {
  it("generate(): aborting the caller's signal aborts the upstream request; the answer is a 499 value", async () => {
    // The upstream never answers: only the caller's abort can end this call before the 15 s headers clock.
    await setFaults([{ provider: "openai", model: "gpt-4.1-mini", mode: "hang", times: 1 }]);
    const before = (await logged()).length;
    const controller = new AbortController();
    const startedAt = Date.now();
    const answer = exports.SwitchyardRpc.generate(
      { model: "openai/gpt-4.1-mini", messages: MESSAGES, router: { workspace_id: "rpc-cancel", fallback: false } },
      { signal: controller.signal },
    );
    await waitFor((requests) => requests.slice(before).find((r) => r.fault === "hang"));
    controller.abort();
    expect(await answer).toMatchObject({ ok: false, status: 499, error: { code: "client_closed" } });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    const upstream = await waitFor((requests) => requests.slice(before).find((r) => r.fault === "hang" && r.aborted));
    expect(upstream).toMatchObject({ provider: "openai", body: { model: "gpt-4.1-mini" }, aborted: true });
  });

  it("stream(): aborting the signal after the first content aborts the upstream stream", async () => {
    // Six events (the first text among them), then the upstream stalls with its connection open.
    await setFaults([
      { provider: "anthropic", model: "claude-haiku-4-5-20251001", mode: "stall", after_chunks: 6, times: 1 },
    ]);
    const before = (await logged()).length;
    const controller = new AbortController();
    const started = await exports.SwitchyardRpc.stream(
      {
        model: "anthropic/claude-haiku-4-5-20251001",
        messages: MESSAGES,
        router: { workspace_id: "rpc-cancel", fallback: false },
      },
      { signal: controller.signal },
    );
    if (!started.ok) throw new Error(JSON.stringify(started));
    const reader = started.events.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first.split("\n")[0] ?? "")).toMatchObject({ type: "text" });
    const stalled = await waitFor((requests) => requests.slice(before).find((r) => r.fault === "stall"));
    expect(stalled.aborted).toBe(false);
    controller.abort();
    const upstream = await waitFor((requests) => requests.slice(before).find((r) => r.fault === "stall" && r.aborted));
    expect(upstream).toMatchObject({ provider: "anthropic", aborted: true });
    // A reader still holding the stream sees it end (after what had already arrived) instead of waiting on a stalled
    // upstream, and no route report: the answer did not finish.
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest.split("\n").filter((l) => l.includes('"type":"route"'))).toEqual([]);
  });
});

// The response cache holds over RPC as over HTTP (DESIGN, Response cache: "A hit answers without
// calling a provider, as JSON or replayed as a stream", logged at $0), and /metrics counts the RPC calls.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("RPC and the response cache", () => {
  it("generate() then generate() and stream() with router.cache: a miss, then two hits at $0, counted in /metrics", async () => {
    const ws = `rpc-cache-${crypto.randomUUID()}`;
    const req = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user" as const, content: `Say hi ${ws}` }],
      router: { workspace_id: ws, cache: { ttl_s: 60 } },
    };
    const first = await exports.SwitchyardRpc.generate(req);
    const second = await exports.SwitchyardRpc.generate(req);
    expect(first.ok && first.route.cache).toBe("miss");
    expect(second.ok && second.route).toMatchObject({ cache: "hit", attempts: [], cost_usd: 0 });
    expect(second.ok && first.ok && second.result.content).toBe(first.ok && first.result.content);
    const streamed = await exports.SwitchyardRpc.stream(req);
    expect(streamed.ok).toBe(true);
    const lines = streamed.ok
      ? (await new Response(streamed.events).text())
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      : [];
    expect(lines.at(-1)).toMatchObject({ type: "route", route: { cache: "hit", cost_usd: 0 } });
    const text = await (await exports.default.fetch(new Request("http://127.0.0.1/metrics"))).text();
    expect(text).toMatch(/^switchyard_cache_requests_total\{result="hit"\} [1-9]/m);
  });
});

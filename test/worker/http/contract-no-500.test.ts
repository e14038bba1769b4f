// The contract held: odd but plausible requests on the HTTP API in this area never give a 500 (OpenAI-shaped 4xx instead).
import { describe, expect, it } from "vitest";
import { newSession } from "../gateway.ts";
import { ADMIN, LOCAL, send } from "../security/security-helpers.ts";

const admin = { authorization: `Bearer ${ADMIN}` };
const J = { "content-type": "application/json" };

describe("no 500s", () => {
  it("bodies and queries", async () => {
    const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
    const posts = ["/v1/chat/completions", "/v1/route", "/v1/keys"];
    const bodies: BodyInit[] = [
      "null",
      "[]",
      "123",
      '"x"',
      "{}",
      "\uFEFF{}",
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"router":null}',
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"models":null}',
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"models":["chain:HIGH_QUALITY"]}',
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"models":["auto"]}',
      '{"model":"chain:HIGH_QUALITY","messages":[{"role":"user","content":"hi"}],"models":["openai/gpt-4o"]}',
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"router":{"max_latency_ms":1e308,"budget_remaining":1e308}}',
      '{"__proto__":{"model":"auto"},"messages":[{"role":"user","content":"hi"}]}',
      '{"model":"constructor","messages":[{"role":"user","content":"hi"}]}',
      '{"model":"openai/constructor","messages":[{"role":"user","content":"hi"}],"router":{"fallback":false}}',
      '{"model":"toString","messages":[{"role":"user","content":"hi"}]}',
      '{"model":"chain:__proto__","messages":[{"role":"user","content":"hi"}]}',
      '{"model":"chain:constructor","messages":[{"role":"user","content":"hi"}]}',
      // router.task_type "__proto__" / "constructor": see task-type-prototype.test.ts (fails: a 500)
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"router":{"task_type":"toString"}}',
      '{"model":"chain:toString","messages":[{"role":"user","content":"hi"}]}',
      '{"model":"auto","messages":[{"role":"user","content":"hi"}],"router":{"chain":"hasOwnProperty"}}',
    ];
    const found: string[] = [];
    for (const path of posts)
      for (const body of bodies) {
        const r = await send(s.env, "POST", `${LOCAL}${path}`, { headers: { ...admin, ...J }, body });
        if (r.status >= 500 || (r.json?.error === undefined && r.status >= 400))
          found.push(`${path} ${String(body).slice(0, 80)} -> ${r.status} ${r.text.slice(0, 200)}`);
      }
    const gets = [
      "/v1/usage?from=abc",
      "/v1/usage?group_by=nope",
      "/v1/usage?from=2026-12-01&to=2026-11-01",
      "/v1/usage?from=2026-12-01T00:00:00.000Z&group_by=day",
      "/v1/usage?workspace_id=",
      "/v1/keys?foo=1",
      "/v1/models/%E0%A4%A",
      "/v1/models/constructor",
      "/v1/models/openai%2Fgpt-4o-mini",
      "/v1/budgets/%E0%A4%A",
      "/v1/budgets/constructor",
      "/v1/requests?limit=abc",
    ];
    for (const path of gets) {
      const r = await send(s.env, "GET", `${LOCAL}${path}`, { headers: admin });
      if (r.status >= 500) found.push(`GET ${path} -> ${r.status} ${r.text.slice(0, 200)}`);
    }
    const headerCases: Record<string, string>[] = [
      { "x-router-max-latency-ms": "1e400" },
      { "x-router-budget-remaining": "1e400" },
      { "x-router-chain": "__proto__" },
      { "x-router-chain": "constructor" },
      { "x-router-capabilities": ",,," },
    ];
    for (const h of headerCases) {
      const r = await send(s.env, "POST", `${LOCAL}/v1/route`, {
        headers: { ...admin, ...h },
        json: { model: "auto", messages: [{ role: "user", content: "hi" }] },
      });
      if (r.status >= 500) found.push(`${JSON.stringify(h)} -> ${r.status} ${r.text.slice(0, 200)}`);
    }
    expect(found).toEqual([]);
  });
});

// A key revoked through one isolate stops working in every other within 10 s (docs/security.md), an isolate that sat
// idle past that included: its first request waits for a fresh snapshot instead of vouching for the key from the old
// one. Another isolate is a second GovernanceCache on its own clock, beside the gateway's.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GovernanceCache, REFRESH_AFTER_MS, STALE_AFTER_MS } from "../../../src/keys/governance-cache.ts";
import { hashKey } from "../../../src/keys/key-record.ts";
import { newSession } from "../gateway.ts";
import { ADMIN, send } from "./security-helpers.ts";

const BASE = "https://switchyard.example";

async function liveKeyAndOtherIsolate() {
  const s = await newSession({}, { SWITCHYARD_ENV: "production", ADMIN_KEY: ADMIN });
  const admin = { authorization: `Bearer ${ADMIN}` };
  const created = await send(s.env, "POST", `${BASE}/v1/keys`, {
    headers: admin,
    json: { workspace_id: `revoke-${crypto.randomUUID()}`, name: "soon revoked" },
  });
  expect(created.status, created.text.slice(0, 300)).toBe(201);
  const hash = await hashKey(created.json.key as string);
  const clock = { now: 1_000_000 };
  const other = new GovernanceCache(() => clock.now);
  const ctx = createExecutionContext();
  await other.ready(s.env, ctx);
  expect((await other.keyByHash(s.env, hash))?.id).toBe(created.json.id);
  const revoke = async () => {
    const r = await send(s.env, "DELETE", `${BASE}/v1/keys/${created.json.id}`, { headers: admin });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
  };
  return { s, hash, clock, other, ctx, revoke, key: created.json.key as string };
}

describe("a key revoked elsewhere", () => {
  it("is refused by an isolate idle past 10 s on its first request, which waits for a fresh snapshot", async () => {
    const { s, hash, clock, other, ctx, revoke } = await liveKeyAndOtherIsolate();
    await revoke();
    // No request reached this isolate since its snapshot; the next one comes just past the 10 s.
    clock.now += STALE_AFTER_MS + 1;
    await other.ready(s.env, ctx);
    expect(await other.keyByHash(s.env, hash)).toBeNull();
    await waitOnExecutionContext(ctx);
  });

  it("under steady traffic is refused after the background refresh, with no request waiting for it", async () => {
    const { s, hash, clock, other, ctx, revoke } = await liveKeyAndOtherIsolate();
    await revoke();
    clock.now += REFRESH_AFTER_MS - 1;
    await other.ready(s.env, ctx);
    // Young enough: the snapshot still answers, and nothing is read.
    expect((await other.keyByHash(s.env, hash))?.hash).toBe(hash);
    clock.now += 2;
    // Old enough to refresh, too young to wait for it: this request is answered from the old snapshot while the new
    // one is read; the requests after it see the revocation.
    await other.ready(s.env, ctx);
    expect((await other.keyByHash(s.env, hash))?.hash).toBe(hash);
    await waitOnExecutionContext(ctx);
    expect(await other.keyByHash(s.env, hash)).toBeNull();
  });

  it("is a 401 through the gateway's own isolate at once", async () => {
    const { s, key, revoke } = await liveKeyAndOtherIsolate();
    const before = await send(s.env, "GET", `${BASE}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(before.status).toBe(200);
    await revoke();
    const after = await send(s.env, "GET", `${BASE}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe("invalid_api_key");
  });
});

// POST/GET/DELETE /v1/keys (admin): gateway keys, shown once at creation, stored only as their SHA-256.

import type { Context } from "hono";
import * as z from "zod/mini";
import type { Row } from "../db/rows.ts";
import type { keys } from "../db/schema.ts";
import { directoryOf } from "../keys/governance-directory.ts";
import { hashKey, type KeyRecord, newKey, VISIBLE_CHARS } from "../keys/key-record.ts";
import { budgetStub, keyScope } from "../ledger/budget-gate.ts";
import type { AppEnv } from "./app-env.ts";
import { HttpError } from "./errors.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";

const OriginSchema = z.string().check(
  z.refine((value) => {
    if (value === "*") return true;
    try {
      return new URL(value).origin === value;
    } catch {
      return false;
    }
  }, 'expected "*" or an origin such as "https://app.example.com" (scheme, host and port only, no path or trailing slash)'),
);

// Plain prepared SQL over the keys table of src/db/schema.ts (migrations/), with its column names; allowed_origins is
// JSON text.
const KEY_COLUMNS =
  "id, hash, prefix, name, workspace_id, allowed_origins, rpm_limit, tpm_limit, budget_pico, created_at, revoked_at";

const CreateKeySchema = z.strictObject({
  workspace_id: z.string().check(z.minLength(1), z.maxLength(128)),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  allowed_origins: z.optional(z.array(OriginSchema).check(z.maxLength(100))),
  rpm_limit: z.optional(z.int().check(z.positive(), z.lte(1_000_000))),
  tpm_limit: z.optional(z.int().check(z.positive(), z.lte(1_000_000_000))),
  budget_usd: z.optional(z.number().check(z.nonnegative(), z.lte(1_000_000))),
});

export async function createKey(c: Context<AppEnv>): Promise<Response> {
  const body = parseOrThrow(CreateKeySchema, await readJsonBody(c.req.raw));
  const { deps, config, governance } = c.get("app");
  const now = deps.now();
  const key = newKey();
  const record: KeyRecord = {
    id: deps.newId("key"),
    hash: await hashKey(key),
    prefix: key.slice(0, VISIBLE_CHARS),
    name: body.name,
    workspace_id: body.workspace_id,
    allowed_origins: body.allowed_origins ?? null,
    rpm_limit: body.rpm_limit ?? null,
    tpm_limit: body.tpm_limit ?? null,
    budget_pico: body.budget_usd === undefined ? null : Math.round(body.budget_usd * 1e12),
    created_at: now,
    revoked_at: null,
  };
  // The listing first, then what makes the key work: a failure leaves a listed key that does not work, never the reverse.
  await c.env.DB.prepare(`INSERT INTO keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`)
    .bind(
      record.id,
      record.hash,
      record.prefix,
      record.name,
      record.workspace_id,
      record.allowed_origins === null ? null : JSON.stringify(record.allowed_origins),
      record.rpm_limit,
      record.tpm_limit ?? null,
      record.budget_pico,
      now,
    )
    .run();
  if (record.budget_pico !== null) {
    await budgetStub(c.env, keyScope(record.id)).configure(
      {
        limit_pico: record.budget_pico,
        period: config.fallback.budgets.default_period,
        alert_threshold: config.fallback.budgets.default_alert_threshold,
        on_limit: "reject",
      },
      now,
    );
  }
  await directoryOf(c.env).putKey(record);
  governance.rememberKey(record);
  return c.json({ ...publicKey(record), key }, 201);
}

export async function listKeys(c: Context<AppEnv>): Promise<Response> {
  const { workspace_id } = parseOrThrow(
    z.strictObject({ workspace_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))) }),
    c.req.query(),
  );
  const { results: rows } = await (workspace_id === undefined
    ? c.env.DB.prepare(`SELECT ${KEY_COLUMNS} FROM keys ORDER BY created_at DESC`)
    : c.env.DB.prepare(`SELECT ${KEY_COLUMNS} FROM keys WHERE workspace_id = ? ORDER BY created_at DESC`).bind(
        workspace_id,
      )
  ).all<Row<typeof keys>>();
  return c.json({
    object: "list",
    data: rows.map((r) =>
      publicKey({
        id: r.id,
        hash: r.hash,
        prefix: r.prefix,
        name: r.name,
        workspace_id: r.workspace_id,
        allowed_origins: r.allowed_origins === null ? null : (JSON.parse(r.allowed_origins) as string[] | null),
        rpm_limit: r.rpm_limit,
        tpm_limit: r.tpm_limit,
        budget_pico: r.budget_pico,
        created_at: r.created_at,
        revoked_at: r.revoked_at,
      }),
    ),
  });
}

export async function revokeKey(c: Context<AppEnv>): Promise<Response> {
  const id = parseOrThrow(z.string().check(z.minLength(1)), c.req.param("id"), "id");
  // No key has an id this long (key_ and 24 characters): not found, as any other id that is not a key's.
  if (id.length > 64)
    throw new HttpError(404, `No key with id ${id.slice(0, 64)}….`, { param: "id", code: "key_not_found" });
  const { deps, governance } = c.get("app");
  const now = deps.now();
  // The directory first: from then on no isolate can find the key on a miss, and this one drops it at once.
  const record = await directoryOf(c.env).revokeKey(id, now);
  if (record === null) throw new HttpError(404, `No key with id ${id}.`, { param: "id", code: "key_not_found" });
  governance.rememberKey(record);
  await c.env.DB.prepare("UPDATE keys SET revoked_at = ? WHERE id = ?").bind(record.revoked_at, id).run();
  return c.json({ ...publicKey(record), deleted: true });
}

/** Everything about a key but the key and its hash. */
function publicKey(r: KeyRecord) {
  return {
    id: r.id,
    object: "key",
    prefix: r.prefix,
    name: r.name,
    workspace_id: r.workspace_id,
    allowed_origins: r.allowed_origins,
    rpm_limit: r.rpm_limit,
    tpm_limit: r.tpm_limit ?? null,
    budget_usd: r.budget_pico === null ? null : r.budget_pico / 1e12,
    created_at: new Date(r.created_at).toISOString(),
    revoked_at: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  };
}

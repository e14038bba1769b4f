// Stored Responses API answers in D1: the Response object a client can GET, and the canonical conversation that
// `previous_response_id` continues. Every read and delete is scoped to the workspace that stored the response.
import type { ChatMessage } from "../core/messages.ts";

export interface StoredResponse {
  id: string;
  workspaceId: string;
  createdAt: number;
  expiresAt: number;
  /** The Response object as the client got it. */
  response: Record<string, unknown>;
  /** Every message of the conversation up to and including this response's output. */
  conversation: ChatMessage[];
}

export async function saveResponse(db: D1Database, row: StoredResponse): Promise<void> {
  await db
    .prepare(
      `INSERT INTO responses (id, workspace_id, created_at, expires_at, response, conversation) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET response = excluded.response, conversation = excluded.conversation`,
    )
    .bind(
      row.id,
      row.workspaceId,
      row.createdAt,
      row.expiresAt,
      JSON.stringify(row.response),
      JSON.stringify(row.conversation),
    )
    .run();
}

/** The stored response, or null when it does not exist, has expired, or belongs to another workspace. */
/** `workspaceId` null: the response in whichever workspace stored it (the admin's read, naming none). */
export async function loadResponse(
  db: D1Database,
  workspaceId: string | null,
  id: string,
  now: number,
): Promise<StoredResponse | null> {
  const row = await db
    .prepare(
      `SELECT id, workspace_id, created_at, expires_at, response, conversation FROM responses
       WHERE id = ?1 AND (?2 IS NULL OR workspace_id = ?2) AND expires_at > ?3`,
    )
    .bind(id, workspaceId, now)
    .first<{
      id: string;
      workspace_id: string;
      created_at: number;
      expires_at: number;
      response: string;
      conversation: string;
    }>();
  if (row === null) return null;
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    response: JSON.parse(row.response) as Record<string, unknown>,
    conversation: JSON.parse(row.conversation) as ChatMessage[],
  };
}

/** Deletes the workspace's stored response; false when there was none to delete. */
export async function deleteResponse(db: D1Database, workspaceId: string | null, id: string): Promise<boolean> {
  const result = await db
    .prepare(`DELETE FROM responses WHERE id = ?1 AND (?2 IS NULL OR workspace_id = ?2)`)
    .bind(id, workspaceId)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/**
 * Output items of the workspace's stored responses by item id (what a Responses `item_reference` names). Item ids are
 * random, so a text match finds the responses that name each, and the one whose output holds it is read (a later
 * turn's stored input names it too).
 */
export async function findItems(
  db: D1Database,
  /** Null: any workspace's (the admin, or development mode, naming none), as loadResponse reads it. */
  workspaceId: string | null,
  ids: readonly string[],
  now: number,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const id of new Set(ids)) {
    const row = await db
      .prepare(
        `SELECT response FROM responses WHERE (?1 IS NULL OR workspace_id = ?1) AND expires_at > ?2 AND instr(response, ?3) > 0
         AND EXISTS (SELECT 1 FROM json_each(response, '$.output') WHERE json_extract(value, '$.id') = ?4)
         ORDER BY created_at DESC LIMIT 1`,
      )
      .bind(workspaceId, now, `"id":${JSON.stringify(id)}`, id)
      .first<{ response: string }>();
    if (row === null) continue;
    const output = (JSON.parse(row.response) as { output?: unknown }).output;
    const item = Array.isArray(output)
      ? (output as Record<string, unknown>[]).find((i) => i !== null && typeof i === "object" && i.id === id)
      : undefined;
    if (item !== undefined) found.set(id, item);
  }
  return found;
}

// A reasoning item's `encrypted_content`: the provider's own reasoning state (Anthropic's thinking with its
// signature), sealed so a client that keeps its own conversation (store: false) can hand it back and the next turn
// gives Anthropic its thinking back, as Anthropic requires around tool calls. Opaque to the client, as at OpenAI;
// Anthropic checks the signatures, so a tampered copy is refused there, never trusted here.
import * as z from "zod/mini";
import { type ReasoningPart, ReasoningPartSchema } from "../../core/messages.ts";

const PREFIX = "swy1.";
const Parts = z.array(ReasoningPartSchema).check(z.minLength(1));

/** The sealed state of reasoning worth handing back (signed or redacted thinking); null when there is none. */
export function sealReasoning(parts: readonly ReasoningPart[] | undefined): string | null {
  if (parts === undefined || !parts.some((p) => p.type === "redacted_thinking" || p.signature !== undefined))
    return null;
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return PREFIX + btoa(binary);
}

/** The reasoning parts a sealed state holds; null for anything Switchyard did not seal (another gateway's, OpenAI's). */
export function openReasoning(sealed: string): ReasoningPart[] | null {
  if (!sealed.startsWith(PREFIX)) return null;
  try {
    const binary = atob(sealed.slice(PREFIX.length));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed = Parts.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The field a stored response's reasoning item keeps its sealed state in when the client did not ask for it: never
 * shown (GET /v1/responses/{id} leaves it out), it is what an `item_reference` to the item hands back (the Vercel AI
 * SDK's way of sending earlier reasoning when store is on), so Anthropic gets its thinking back as with
 * previous_response_id.
 */
export const STORED_STATE = "switchyard_state";

/** The output as stored: each reasoning item without encrypted_content keeps its sealed state, if it has one. */
export function withStoredStates(
  output: readonly Record<string, unknown>[],
  states: ReadonlyMap<string, string>,
): Record<string, unknown>[] {
  if (states.size === 0) return output as Record<string, unknown>[];
  return output.map((item) => {
    const state = typeof item.id === "string" ? states.get(item.id) : undefined;
    return state === undefined || item.encrypted_content !== undefined ? item : { ...item, [STORED_STATE]: state };
  });
}

/** A stored item as the client sees it (GET): without the stored state. */
export function shownItem(item: Record<string, unknown>): Record<string, unknown> {
  if (!(STORED_STATE in item)) return item;
  const { [STORED_STATE]: _state, ...shown } = item;
  return shown;
}

/** A stored item as an `item_reference` hands it back: its stored state as its encrypted_content. */
export function referencedItem(item: Record<string, unknown>): Record<string, unknown> {
  const state = item[STORED_STATE];
  if (typeof state !== "string") return item;
  return { ...shownItem(item), encrypted_content: state };
}

/** Whether the client asked for reasoning state in its reasoning items (OpenAI's include value). */
export function wantsReasoningState(include: readonly string[] | null | undefined): boolean {
  return include?.includes("reasoning.encrypted_content") === true;
}

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

/** Whether the client asked for reasoning state in its reasoning items (OpenAI's include value). */
export function wantsReasoningState(include: readonly string[] | null | undefined): boolean {
  return include?.includes("reasoning.encrypted_content") === true;
}

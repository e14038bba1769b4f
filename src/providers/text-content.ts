// Flattens OpenAI message content (a string or text parts) to one string, for providers that take only text.
import type { ChatMessage } from "../core/types.ts";

type Content = Extract<ChatMessage, { role: "system" }>["content"];

export function textOf(content: Content | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}

/**
 * A tool result as a provider that takes one string reads it: a failed tool's text begins "Error: ", and several
 * text parts are kept apart by a blank line (glued, "line one." and "line two." would run together).
 */
export function toolResultText(m: { content: Content; is_error?: boolean | undefined }): string {
  const text = typeof m.content === "string" ? m.content : m.content.map((part) => part.text).join("\n\n");
  return m.is_error === true ? `Error: ${text}` : text;
}

/** Splits a data: URL into media type and base64 payload; null for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match === null ? null : { mediaType: match[1] as string, data: match[2] as string };
}

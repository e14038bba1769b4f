// Flattens OpenAI message content (a string or text parts) to one string, for providers that take only text.
import type { ChatMessage } from "../core/types.ts";

type Content = Extract<ChatMessage, { role: "system" }>["content"];

export function textOf(content: Content | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}

/** Splits a data: URL into media type and base64 payload; null for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match === null ? null : { mediaType: match[1] as string, data: match[2] as string };
}

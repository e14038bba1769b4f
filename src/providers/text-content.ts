// Flattens OpenAI message content (a string or text parts) to one string, for providers that take only text.
import type { ChatMessage } from "../core/types.ts";

type Content = Extract<ChatMessage, { role: "system" }>["content"];

export function textOf(content: Content | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}

/** A tool result as providers without an error flag read it: a failed tool's text begins "Error: ". */
export function toolResultText(m: { content: Content; is_error?: boolean | undefined }): string {
  return m.is_error === true ? `Error: ${textOf(m.content)}` : textOf(m.content);
}

/** Splits a data: URL into media type and base64 payload; null for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match === null ? null : { mediaType: match[1] as string, data: match[2] as string };
}

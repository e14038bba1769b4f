// Cuts a recorded SSE or NDJSON body into the events it is replayed as; joining them gives the file back byte for byte.
import type { StreamEvent } from "./types.ts";

/** SSE events end with a blank line; each keeps its own "\n\n" so the replay stays verbatim. */
export function sseEvents(text: string, isTerminator: (event: string) => boolean): StreamEvent[] {
  const parts = text.split("\n\n");
  const tail = parts.pop() ?? "";
  const events = parts.map((part) => `${part}\n\n`);
  if (tail !== "") events.push(tail);
  return events.map((event) => ({ text: event, terminator: isTerminator(event) }));
}

/** NDJSON: one JSON object per line, each keeping its newline. */
export function ndjsonEvents(text: string, isTerminator: (line: string) => boolean): StreamEvent[] {
  const lines = text.split("\n");
  const tail = lines.pop() ?? "";
  const events = lines.map((line) => `${line}\n`);
  if (tail !== "") events.push(tail);
  return events.map((line) => ({ text: line, terminator: isTerminator(line) }));
}

/** The joined `data:` payload of one SSE event, or undefined when it has none. */
export function sseData(event: string): string | undefined {
  const data = event
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""));
  return data.length > 0 ? data.join("\n") : undefined;
}

/** Parses JSON, answering undefined instead of throwing. */
export function tryJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const isDoneEvent = (event: string): boolean => sseData(event) === "[DONE]";

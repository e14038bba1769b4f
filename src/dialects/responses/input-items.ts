// A stored response's input items, as `GET /v1/responses/{id}/input_items` lists them (the openai SDK's
// `client.responses.inputItems.list`): this request's input, each item with an id and its content as parts.
import type { ResponsesRequest } from "./request.ts";

export type InputListItem = Record<string, unknown> & { id: string; type: string };

/** This request's input as listed items: a string is one user message; an item keeps the id it came with. */
export function inputItems(input: ResponsesRequest["input"], newId: (prefix: string) => string): InputListItem[] {
  if (typeof input === "string")
    return [
      {
        id: newId("msg"),
        type: "message",
        role: "user",
        status: "completed",
        content: [{ type: "input_text", text: input }],
      },
    ];
  return input.map((item): InputListItem => {
    switch (item.type) {
      case "function_call":
        return {
          id: item.id ?? newId("fc"),
          type: "function_call",
          status: "completed",
          call_id: item.call_id,
          name: item.name,
          arguments: item.arguments,
        };
      case "function_call_output":
        return {
          id: item.id ?? newId("fco"),
          type: "function_call_output",
          status: "completed",
          call_id: item.call_id,
          output: item.output,
        };
      case "reasoning":
        // Its encrypted content is state handed back, not input to show (OpenAI lists it only when asked to).
        return {
          id: typeof item.id === "string" ? item.id : newId("rs"),
          type: "reasoning",
          summary: Array.isArray(item.summary) ? item.summary : [],
        };
      default: {
        const text = item.role === "assistant" ? "output_text" : "input_text";
        return {
          id: item.id ?? newId("msg"),
          type: "message",
          role: item.role,
          status: item.status ?? "completed",
          content:
            typeof item.content === "string"
              ? [
                  text === "output_text"
                    ? { type: text, text: item.content, annotations: [] }
                    : { type: text, text: item.content },
                ]
              : item.content,
        };
      }
    }
  });
}

/**
 * One page of the items, as OpenAI pages them: `order` first, then only the items after the item `after` and before
 * the item `before` (an id not among them leaves nothing), then `limit` of them.
 */
export function inputItemsPage(
  items: readonly InputListItem[],
  page: { limit: number; order: "asc" | "desc"; after?: string; before?: string },
): { object: "list"; data: InputListItem[]; first_id: string | null; last_id: string | null; has_more: boolean } {
  const ordered = page.order === "asc" ? [...items] : [...items].reverse();
  const afterAt = page.after === undefined ? -1 : ordered.findIndex((item) => item.id === page.after);
  const beforeAt = page.before === undefined ? ordered.length : ordered.findIndex((item) => item.id === page.before);
  const missing = (page.after !== undefined && afterAt === -1) || beforeAt === -1;
  const window = missing ? [] : ordered.slice(afterAt + 1, beforeAt);
  const data = window.slice(0, page.limit);
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: data.length < window.length,
  };
}

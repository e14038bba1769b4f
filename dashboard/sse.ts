// Reads an OpenAI-style SSE response body (fetch + ReadableStream) into parsed data payloads.

/** Yields each "data:" payload as parsed JSON, or the string "[DONE]"; comment and event-name lines are skipped. */
export async function* sseData<T>(response: Response): AsyncGenerator<T | "[DONE]"> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let cut = buffer.search(/\r?\n\r?\n/); cut !== -1; cut = buffer.search(/\r?\n\r?\n/)) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
        const data = block
          .split(/\r?\n/)
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data === "") continue;
        yield data === "[DONE]" ? data : (JSON.parse(data) as T);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

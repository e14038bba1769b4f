// Browser module sse.js: reads an OpenAI-style SSE response body (fetch + ReadableStream) into parsed data payloads.
export const sseJs = String.raw`
/** Yields each "data:" payload as parsed JSON, or the string "[DONE]"; comment and event-name lines are skipped. */
export async function* sseData(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
        const data = block.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
        if (data === "") continue;
        yield data === "[DONE]" ? data : JSON.parse(data);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
`;

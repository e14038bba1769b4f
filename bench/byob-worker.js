// For bench/stream-floor.ts: bench/commit-worker.js with the upstream body read by a BYOB reader into one buffer that
// every read reuses. A default reader gets a fresh 4 KiB buffer from workerd for every read (a 20-chunk stream is 22
// reads of about 200 bytes each); here only the bytes read are copied out, as a gateway that writes its own bytes would.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(new URL(url.pathname, env.UPSTREAM), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.text(),
    });
    const reader = upstream.body.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(4096);
    const next = async () => {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) return null;
      buffer = value.buffer;
      return value.slice();
    };
    const decoder = new TextDecoder();
    const head = [];
    for (;;) {
      const chunk = await next();
      if (chunk === null) break;
      head.push(chunk);
      if (/"content":"[^"]/.test(decoder.decode(chunk, { stream: true }))) break;
    }
    const body = new ReadableStream(
      {
        start(controller) {
          for (const chunk of head) controller.enqueue(chunk);
        },
        async pull(controller) {
          const chunk = await next();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
};

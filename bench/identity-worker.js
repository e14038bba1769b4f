// For bench/stream-floor.ts: like commit-worker.js (reads every upstream chunk in JavaScript, answers once content
// arrived), but the client's body is a native IdentityTransformStream that JavaScript writes each chunk into, instead of
// a JavaScript ReadableStream the runtime pulls from.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(new URL(url.pathname, env.UPSTREAM), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.text(),
    });
    const reader = upstream.body.getReader();
    const decoder = new TextDecoder();
    const head = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      head.push(value);
      if (/"content":"[^"]/.test(decoder.decode(value, { stream: true }))) break;
    }
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    const pump = (async () => {
      for (const chunk of head) writer.write(chunk);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        writer.write(value);
      }
      await writer.close();
    })();
    pump.catch(() => {});
    return new Response(readable, { headers: { "content-type": "text/event-stream" } });
  },
};

// For bench/stream-floor.ts: the upstream body piped through a JavaScript TransformStream that looks at (decodes) each
// chunk and passes it on: the runtime drives both ends, JavaScript runs once per chunk.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(new URL(url.pathname, env.UPSTREAM), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.text(),
    });
    const decoder = new TextDecoder();
    // What a gateway would look at; kept in a variable so the decode is not optimised away.
    let _decoded = 0;
    const t = new TransformStream({
      transform(chunk, c) {
        _decoded += decoder.decode(chunk, { stream: true }).length;
        c.enqueue(chunk);
      },
    });
    return new Response(upstream.body.pipeThrough(t), { headers: { "content-type": "text/event-stream" } });
  },
};

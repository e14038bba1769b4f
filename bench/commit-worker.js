// For bench/commit-point.ts: a pass-through that, like a gateway's commit point, answers only once content arrived.
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
    const body = new ReadableStream(
      {
        start(controller) {
          for (const chunk of head) controller.enqueue(chunk);
        },
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
};

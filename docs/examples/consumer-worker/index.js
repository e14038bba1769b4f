// An example Worker that calls Switchyard over a service binding (RPC), without HTTP.
// wrangler.toml of this consumer:
//   [[services]]
//   binding = "SWITCHYARD"
//   service = "switchyard"
//   entrypoint = "SwitchyardRpc"

/** Reads Switchyard's NDJSON event stream into objects (see src/rpc/types.ts, RpcStreamLine). */
async function* lines(stream) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() !== "") yield JSON.parse(line);
    }
  }
}

/** A failure is a value with the status HTTP would give; its wait (rate limits, 429s upstream) is retry_after_ms. */
function failed(answer) {
  const headers =
    answer.retry_after_ms === null ? {} : { "retry-after": String(Math.ceil(answer.retry_after_ms / 1000)) };
  return Response.json(answer, { status: answer.status, headers });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const prompt = url.searchParams.get("q") ?? "Say hi";
    const model = url.searchParams.get("model") ?? "auto";
    const workspace = url.searchParams.get("workspace") ?? "agents";
    const body = {
      model,
      messages: [{ role: "user", content: prompt }],
      router: { workspace_id: workspace, execution_id: "example-run" },
    };

    if (url.pathname === "/generate") {
      const answer = await env.SWITCHYARD.generate(body);
      if (!answer.ok) return failed(answer);
      return Response.json({
        text: answer.result.content,
        model: answer.route.model,
        provider: answer.route.provider,
        cost_usd: answer.route.cost_usd,
        usage: answer.result.usage,
      });
    }

    if (url.pathname === "/stream") {
      const started = await env.SWITCHYARD.stream(body);
      if (!started.ok) return failed(started);
      let text = "";
      let route = null;
      let error = null;
      for await (const event of lines(started.events)) {
        if (event.type === "text") text += event.text;
        if (event.type === "route") route = event.route;
        // A cut stream's error line carries its route too: who was tried, what the part that came cost.
        if (event.type === "error") {
          error = event.error;
          route = event.route;
        }
      }
      return Response.json({ text, provider: started.provider, model: started.model, route, error });
    }

    return new Response("GET /generate?q=… or /stream?q=…", { status: 404 });
  },
};

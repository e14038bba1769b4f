// For bench/stream-floor.ts: the least a gateway that reads what passes through can do, with no framework, validation
// or routing. It parses the client's JSON body and sends it re-serialised; a JSON answer is parsed and re-serialised;
// a stream is read chunk by chunk in JavaScript (as bench/commit-worker.js does), each chunk decoded, its SSE events
// split, each event's JSON parsed once and written back re-serialised, one write per upstream read.
//
// bench/assets-router.ts also runs it under Switchyard's bindings (to weigh those apart from Switchyard's code): its
// Durable Object classes are declared, empty, so that host starts; under it the upstream is OPENAI_BASE_URL's origin.
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

export class BudgetObject extends DurableObject {}
export class GovernanceDirectory extends DurableObject {}
export class StatsObject extends DurableObject {}
export class SwitchyardRpc extends WorkerEntrypoint {}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const origin = env.UPSTREAM ?? new URL(env.OPENAI_BASE_URL).origin;
    const upstream = await fetch(new URL(url.pathname, origin), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(JSON.parse(await request.text())),
    });
    if (!upstream.headers.get("content-type")?.includes("text/event-stream"))
      return new Response(JSON.stringify(await upstream.json()), {
        status: upstream.status,
        headers: { "content-type": "application/json" },
      });
    const reader = upstream.body.getReader();
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let partial = "";
    const body = new ReadableStream(
      {
        async pull(controller) {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            const events = (partial + decoder.decode(value, { stream: true })).split("\n\n");
            partial = events.pop() ?? "";
            let out = "";
            for (const event of events) {
              const data = event.startsWith("data: ") ? event.slice(6) : event;
              out += data === "[DONE]" ? "data: [DONE]\n\n" : `data: ${JSON.stringify(JSON.parse(data))}\n\n`;
            }
            if (out !== "") return controller.enqueue(encoder.encode(out));
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
};

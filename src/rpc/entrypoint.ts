// Switchyard for other Workers over a service binding: generate() and stream() with the same routing, fallback,
// budgets and cost logging as the HTTP API, in canonical types.
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Usage } from "../core/types.ts";
import type { Env } from "../env.ts";
import { ClientGoneError, type CommittedStream } from "../execute/attempt.ts";
import { prepareChat, publicAttempts, runChat, type ChatRun, type ChatScope } from "../gateway/chat-pipeline.ts";
import { HttpError } from "../http/errors.ts";
import type { XRouter } from "../http/openai-encoder.ts";
import { SERVICES } from "../services.ts";
import type { GenerateResult, RpcChatRequest, RpcFailure, RpcStreamLine, StreamResult } from "./types.ts";

export type { GenerateResult, RpcChatRequest, RpcStreamLine, StreamResult } from "./types.ts";

export class SwitchyardRpc extends WorkerEntrypoint<Env> {
  /** A whole answer. Failures come back as values (`ok: false`) with the status HTTP would have given. */
  async generate(request: RpcChatRequest): Promise<GenerateResult> {
    const { scope, startedAt } = await this.#scope(new AbortController().signal);
    try {
      const run = await runChat(prepareChat({ ...request, stream: false }, scope), scope, startedAt);
      if (run.kind === "json") return { ok: true, id: scope.requestId, result: run.result, route: run.route };
      if (run.kind === "stream") throw new Error("a non-streaming request produced a stream");
      return failureOf(scope.requestId, run);
    } catch (err) {
      return rethrowUnlessHttp(scope.requestId, err);
    }
  }

  /**
   * A streamed answer: resolves once the first content arrived (earlier failures fall back invisibly), with the
   * events as NDJSON lines of RpcStreamLine. Cancelling the stream aborts the upstream call.
   */
  async stream(request: RpcChatRequest): Promise<StreamResult> {
    const { scope, startedAt } = await this.#scope(new AbortController().signal);
    try {
      const run = await runChat(prepareChat({ ...request, stream: true }, scope), scope, startedAt);
      if (run.kind === "json") throw new Error("a streaming request produced a whole answer");
      if (run.kind !== "stream") return failureOf(scope.requestId, run);
      return { ok: true, id: scope.requestId, provider: run.headers["x-router-provider"] ?? "", model: run.headers["x-router-model"] ?? "", events: ndjsonEvents(run.stream, run.end) };
    } catch (err) {
      return rethrowUnlessHttp(scope.requestId, err);
    }
  }

  async #scope(signal: AbortSignal): Promise<{ scope: ChatScope; startedAt: number }> {
    const services = SERVICES;
    const { env, ctx } = this;
    await services.governance.ready(env, ctx);
    const stats = await services.stats(env, ctx);
    const scope: ChatScope = {
      services,
      env,
      waitUntil: (p) => ctx.waitUntil(p),
      requestId: services.deps.newId("req"),
      // A service binding is the credential: only Workers the account owner bound can call. Budgets and cost
      // attribution follow `router.workspace_id` as for an admin caller.
      caller: { kind: "admin", workspaceId: null },
      registry: services.registry(env, stats),
      stats,
      signal,
      headers: new Headers(),
    };
    return { scope, startedAt: services.deps.now() };
  }
}

const encoder = new TextEncoder();
const line = (value: RpcStreamLine) => encoder.encode(JSON.stringify(value) + "\n");

function ndjsonEvents(committed: CommittedStream, end: (usage: Usage | null, error: string | null | "client") => XRouter): ReadableStream<Uint8Array> {
  let usage: Usage | null = null;
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const event of committed.head) if (event.type !== "end") controller.enqueue(line(event));
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await committed.rest.next();
            if (next.done) {
              if (!finished) throw new Error("the provider ended the stream before finishing the answer");
              controller.enqueue(line({ type: "route", route: end(usage, null) }));
              controller.close();
              return;
            }
            const event = next.value;
            if (event.type === "end") continue;
            if (event.type === "usage") usage = event.usage;
            if (event.type === "finish") finished = true;
            controller.enqueue(line(event));
            return;
          }
        } catch (err) {
          if (err instanceof ClientGoneError) return;
          const message = err instanceof Error ? err.message : String(err);
          end(usage, message);
          controller.enqueue(line({ type: "error", error: { message: `The answer was cut off: ${message}`, code: "stream_interrupted" } }));
          controller.close();
        }
      },
      cancel(reason) {
        end(usage, "client");
        committed.abort(new ClientGoneError(String(reason ?? "the caller cancelled the stream")));
      },
    },
    { highWaterMark: 0 },
  );
}

function failureOf(id: string, run: Exclude<ChatRun, { kind: "json" } | { kind: "stream" }>): RpcFailure {
  if (run.kind === "client_closed") {
    return { ok: false, id, status: 499, error: { message: "The caller went away.", type: "client_closed", code: "client_closed", param: null }, attempts: [] };
  }
  const f = run.failure;
  return { ok: false, id, status: f.status, error: { message: f.message, type: f.type, code: f.code, param: null }, attempts: publicAttempts(f.attempts) };
}

/** Caller errors (400, 402, 429) are values; anything else is a bug and is thrown as one. */
function rethrowUnlessHttp(id: string, err: unknown): RpcFailure {
  if (!(err instanceof HttpError)) throw err;
  return { ok: false, id, status: err.status, error: { message: err.message, type: err.type, code: err.code, param: err.param }, attempts: [] };
}

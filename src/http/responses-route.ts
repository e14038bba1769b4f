// POST /v1/responses, GET and DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items over HTTP: the Responses dialect over the shared pipeline,
// with stored responses (store defaults to true) that previous_response_id continues within the same workspace.
import type { Context } from "hono";
import * as z from "zod/mini";
import { GatewayError } from "../core/gateway-error.ts";
import type { ChatMessage } from "../core/messages.ts";
import type { RouteReport } from "../core/route-report.ts";
import { queryNumber } from "../core/validate.ts";
import {
  encodeResponse,
  type OutputItem,
  type ResponseEcho,
  type ResponseObject,
} from "../dialects/responses/encoder.ts";
import { type InputListItem, inputItems, inputItemsPage } from "../dialects/responses/input-items.ts";
import {
  referencedItem,
  sealReasoning,
  shownItem,
  wantsReasoningState,
  withStoredStates,
} from "../dialects/responses/reasoning-state.ts";
import { KNOWN_FIELDS, parseResponsesBody, toCanonical } from "../dialects/responses/request.ts";
import { assistantTurn, ResponsesStreamWriter } from "../dialects/responses/stream.ts";
import { encodedBody } from "../gateway/committed-body.ts";
import { type ChatInput, prepareChat } from "../gateway/prepare.ts";
import { runChat } from "../gateway/run.ts";
import {
  deleteResponse,
  findItems,
  loadResponse,
  type StoredResponse,
  saveResponse,
} from "../ledger/response-store.ts";
import type { AppEnv } from "./app-env.ts";
import { budgetHeaders, failureResponse, httpScope, routeHeaders, streamHeaders } from "./chat-route.ts";
import { parseOrThrow, readJsonBody } from "./read-body.ts";
import { requestControls } from "./request-controls.ts";

const DAY_MS = 86_400_000;
/** The key a stored Response object keeps its request's input items under (never shown by GET). */
const STORED_INPUT = "switchyard_input";
/** How long a streamed answer's last events wait for its stored copy to be written. */
const STORE_WAIT_MS = 2_000;
const NOTHING = new Uint8Array(0);

/** A finished stream's last events (response.completed among them) and the write of its stored copy. */
interface StoredEnd {
  bytes: Uint8Array;
  saving: Promise<void>;
}

/**
 * The stream with its last events held until the stored copy is written (at most STORE_WAIT_MS): a client that sends
 * previous_response_id as soon as it reads response.completed finds the response, from any isolate. A store slower
 * than that finishes after the answer (waitUntil), which is never held longer for it. Pulled like the body it wraps.
 */
function storedBeforeEnd(body: ReadableStream<Uint8Array>, last: () => StoredEnd | null): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const read = await reader.read();
          if (read.done) {
            const end = last();
            if (end !== null) {
              let timer: ReturnType<typeof setTimeout> | undefined;
              await Promise.race([end.saving, new Promise((resolve) => (timer = setTimeout(resolve, STORE_WAIT_MS)))]);
              clearTimeout(timer);
              controller.enqueue(end.bytes);
            }
            controller.close();
            return;
          }
          if (read.value.length > 0) {
            controller.enqueue(read.value);
            return;
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The workspace a request is billed and stored under: a workspace key's own, else the one the caller names. */
function workspaceOf(c: Context<AppEnv>, named: string | undefined): string {
  return c.get("caller").workspaceId ?? named ?? "default";
}

/**
 * The workspace a stored response is looked up in: a workspace key's own, else the one the caller names, else (the
 * admin, or development mode, naming none: it passes wherever a workspace key does) whichever stored it.
 */
function lookupWorkspaceOf(c: Context<AppEnv>, named: string | undefined): string | null {
  return c.get("caller").workspaceId ?? named ?? null;
}

/** The stored responses in D1, or a 503 when D1 cannot answer (never a 500, never a silent empty history). */
async function fromStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    console.error("response store unavailable", err);
    throw new GatewayError(503, "Stored responses cannot be read right now; try again shortly.", {
      code: "store_unavailable",
      headers: { "retry-after": "1" },
    });
  }
}

function notFound(id: string, param: string | null): GatewayError {
  return new GatewayError(404, `Response with id '${id}' not found.`, {
    param,
    code: param === null ? "not_found" : "previous_response_not_found",
  });
}

export async function createResponse(c: Context<AppEnv>): Promise<Response> {
  const scope = httpScope(c);
  const { deps, config } = scope.services;
  const startedAt = deps.now();
  const raw = await readJsonBody(c.req.raw);
  const named = (raw as { router?: { workspace_id?: unknown } } | null)?.router?.workspace_id;
  // Referenced items are looked up where previous_response_id is: any workspace's for the admin naming none.
  const early = lookupWorkspaceOf(
    c,
    c.req.header("x-router-workspace") ?? (typeof named === "string" ? named : undefined),
  );
  const body = parseResponsesBody(await withReferencedItems(c, raw, early, startedAt));
  const read = requestControls(c, body.router ?? {});
  // `store: false` keeps nothing but the ledger row: not in the response cache either, unless the request itself
  // asks for the cache (a workspace's default does not).
  const controls =
    body.store === false && read.cache?.ttl_s === undefined
      ? { ...read, cache: { ...read.cache, no_store: true } }
      : read;
  const workspaceId = workspaceOf(c, controls.workspace_id);

  let history: ChatMessage[] = [];
  if (body.previous_response_id) {
    // The one D1 read before the provider call: the conversation it continues is the request.
    const id = body.previous_response_id;
    const lookup = lookupWorkspaceOf(c, controls.workspace_id);
    const previous = await fromStore(() => loadResponse(c.env.DB, lookup, id, startedAt));
    if (previous === null) throw notFound(body.previous_response_id, "previous_response_id");
    history = previous.conversation;
  }
  const parsed = toCanonical(body, history);
  const warnings = Object.keys(raw as object)
    .filter((k) => !KNOWN_FIELDS.has(k))
    .map((k) => `"${k}" is not supported by Switchyard; it was not sent`);
  const input: ChatInput = {
    model: body.model,
    models: body.models,
    request: parsed.request,
    controls,
    warnings: [...warnings, ...parsed.warnings],
    dialect: "responses",
  };
  const run = await runChat(prepareChat(input, scope), scope, startedAt);
  const echo: ResponseEcho = { id: deps.newId("resp"), created_at: Math.floor(startedAt / 1000), body };
  const store = body.store !== false;
  const expiresAt = startedAt + config.fallback.retention.responses_days * DAY_MS;
  const keep = (response: Record<string, unknown>, answer: ChatMessage) =>
    saveResponse(c.env.DB, {
      id: echo.id,
      workspaceId,
      createdAt: startedAt,
      expiresAt,
      // The input as its items list shows it, kept beside the Response object and never shown with it.
      response: { ...response, [STORED_INPUT]: inputItems(body.input, deps.newId) },
      conversation: [...history, ...parsed.input, answer],
    });

  switch (run.kind) {
    case "client_closed":
      return new Response(null, { status: 499 });
    case "failed":
      return failureResponse(scope.requestId, run);
    case "json": {
      // A Response's usage is numbers: an answer whose provider sent none says the estimate the ledger bills (marked
      // usage_estimated in x_router), as the stream's response.completed does.
      const result =
        run.result.usage === null && run.billed !== undefined ? { ...run.result, usage: run.billed } : run.result;
      const response = encodeResponse(echo, result, run.route, Math.floor(deps.now() / 1000), deps.newId);
      // Awaited, so a follow-up with previous_response_id finds it however fast it comes; the answer is in hand.
      if (store) {
        const turn = assistantTurn(response.output);
        // Thinking goes back to Anthropic, signatures and all, when this conversation is continued.
        const reasoning = run.result.reasoning;
        // The answer is in hand: a store that fails is logged, never the client's failure.
        await keep(
          storedJson(response, sealReasoning(reasoning)),
          reasoning && turn.role === "assistant" ? { ...turn, reasoning } : turn,
        ).catch((err: unknown) => console.error("storing a response failed", err));
      }
      return new Response(JSON.stringify(response), {
        headers: {
          ...routeHeaders(scope, run.route),
          ...budgetHeaders(run.budget),
          "content-type": "application/json",
        },
      });
    }
    case "stream": {
      const writer = new ResponsesStreamWriter(echo, run.upstreamModel, deps.newId, deps.now);
      let last: StoredEnd | null = null;
      /**
       * The last events, finished or failed: with store on, they go out once the response is stored
       * (storedBeforeEnd), not with the rest. A failed response is stored too: GET shows it failed, with what was
       * sent before the break.
       */
      const closing = (bytes: Uint8Array, route: RouteReport): Uint8Array => {
        if (!store) return bytes;
        const saving = keep(writer.stored(route), writer.assistantMessage()).catch((err: unknown) =>
          console.error("storing a response failed", err),
        );
        scope.waitUntil(saving);
        last = { bytes, saving };
        return NOTHING;
      };
      const body = encodedBody(run.answer, {
        event: (e) => writer.event(e),
        end: (route) => closing(writer.answeredBy(run.answeringModel()).end(route), route),
        cut: (message, route, status) =>
          closing(writer.answeredBy(run.answeringModel()).cut(message, route, status), route),
      });
      return new Response(store ? storedBeforeEnd(body, () => last) : body, {
        headers: streamHeaders(scope, run.route, run.budget),
      });
    }
    default: {
      const never: never = run;
      throw new Error(`unhandled run ${JSON.stringify(never)}`);
    }
  }
}

/**
 * `item_reference` input items (what the Vercel AI SDK sends for earlier output when store is on) replaced by the
 * stored items they name, from this workspace's responses; one that is not there is a 404 naming it.
 */
async function withReferencedItems(
  c: Context<AppEnv>,
  raw: unknown,
  workspaceId: string | null,
  now: number,
): Promise<unknown> {
  const body = raw as { input?: unknown; store?: unknown } | null;
  const input = body?.input;
  if (!Array.isArray(input)) return raw;
  type Item = { type?: unknown; id?: unknown; encrypted_content?: unknown } | null;
  // With store on, a reasoning item handed back by value (the SDK's `...previous.output`) is looked up by its id, as at
  // OpenAI: its sealed state is in the store, not in the item.
  const byValue = (item: Item) =>
    body?.store !== false &&
    item?.type === "reasoning" &&
    typeof item.id === "string" &&
    (item.encrypted_content === undefined || item.encrypted_content === null);
  const refs = input.flatMap((item: Item) =>
    (item?.type === "item_reference" || byValue(item)) && typeof item?.id === "string" ? [item.id] : [],
  );
  if (refs.length === 0) return raw;
  const items = await fromStore(() => findItems(c.env.DB, workspaceId, refs, now));
  const resolved = input.map((item: Item, i) => {
    if (byValue(item)) {
      const found = items.get(item?.id as string);
      return found === undefined ? item : referencedItem(found);
    }
    if (item?.type !== "item_reference" || typeof item.id !== "string") return item;
    const found = items.get(item.id);
    if (found === undefined)
      throw new GatewayError(404, `Item with id '${item.id}' not found.`, {
        param: `input.${i}.id`,
        code: "not_found",
      });
    return referencedItem(found);
  });
  return { ...(raw as object), input: resolved };
}

/** The workspace's stored response named by the path, or a 404. */
async function storedOf(c: Context<AppEnv>): Promise<StoredResponse> {
  const id = c.req.param("id") ?? "";
  const workspaceId = lookupWorkspaceOf(c, c.req.header("x-router-workspace"));
  const stored = await fromStore(() => loadResponse(c.env.DB, workspaceId, id, c.get("app").deps.now()));
  if (stored === null) throw notFound(id, null);
  return stored;
}

export async function getStoredResponse(c: Context<AppEnv>): Promise<Response> {
  // Only a background response has events to stream again, and Switchyard runs none: the SDK raises the refusal.
  if (c.req.query("stream") === "true")
    throw new GatewayError(400, "stream=true is only for background responses; this response is retrieved as JSON.", {
      param: "stream",
      code: "unsupported_parameter",
    });
  const { [STORED_INPUT]: _input, ...response } = (await storedOf(c)).response;
  const output = response.output;
  // include=reasoning.encrypted_content (the SDK sends include[]): each reasoning item with its sealed state, as on create.
  const include = [...(c.req.queries("include[]") ?? []), ...(c.req.queries("include") ?? [])];
  const show = wantsReasoningState(include) ? referencedItem : shownItem;
  return c.json(
    Array.isArray(output) ? { ...response, output: (output as Record<string, unknown>[]).map(show) } : response,
  );
}

// Other parameters (OpenAI's `include`, which adds fields none of the listed items holds back) are passed over.
const InputItemsQuery = z.object({
  limit: z._default(queryNumber(z.number().check(z.int(), z.gte(1), z.lte(100))), 20),
  order: z._default(z.enum(["asc", "desc"]), "desc"),
  after: z.optional(z.string().check(z.minLength(1))),
  before: z.optional(z.string().check(z.minLength(1))),
});

/** GET /v1/responses/{id}/input_items: the request's input items, newest first unless `order=asc`. */
export async function listInputItems(c: Context<AppEnv>): Promise<Response> {
  const query = parseOrThrow(InputItemsQuery, c.req.query());
  const stored = (await storedOf(c)).response[STORED_INPUT];
  const items = Array.isArray(stored) ? (stored as InputListItem[]) : [];
  return c.json(inputItemsPage(items, query));
}

export async function deleteStoredResponse(c: Context<AppEnv>): Promise<Response> {
  const id = c.req.param("id") ?? "";
  const workspaceId = lookupWorkspaceOf(c, c.req.header("x-router-workspace"));
  if (!(await fromStore(() => deleteResponse(c.env.DB, workspaceId, id)))) throw notFound(id, null);
  return c.json({ id, object: "response", deleted: true });
}

/** A JSON answer as stored: its reasoning item (there is at most one) keeps the answer's sealed thinking. */
function storedJson(response: ResponseObject, sealed: string | null): ResponseObject {
  if (sealed === null) return response;
  const item = response.output.find((i) => i.type === "reasoning");
  return item === undefined
    ? response
    : { ...response, output: withStoredStates(response.output, new Map([[item.id, sealed]])) as OutputItem[] };
}

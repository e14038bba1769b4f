// The Responses dialect's request: the zod schema of OpenAI's Responses body (plus Switchyard's `router` and `models`)
// and its conversion, after any stored conversation it continues, to the canonical request.
import * as z from "zod/mini";
import { GatewayError } from "../../core/gateway-error.ts";
import {
  type ChatMessage,
  isUrl,
  orphanToolResult,
  type ReasoningPart,
  type ResponseFormat,
  type Tool,
  type ToolChoice,
} from "../../core/messages.ts";
import { ModelsListSchema, modelFromModels, modelNameSchema } from "../../core/model-name.ts";
import { RouterControlsSchema } from "../../core/router-controls.ts";
import type { CanonicalRequest, ReasoningEffort } from "../../core/types.ts";
import { parseOrThrow } from "../../core/validate.ts";
import { openReasoning } from "./reasoning-state.ts";

/** Tool types OpenAI runs itself; Switchyard runs none of them, so asking for one is a 400 naming it. */
export const BUILT_IN_TOOLS = [
  "web_search",
  "web_search_preview",
  "web_search_preview_2025_03_11",
  "file_search",
  "computer_use_preview",
  "computer_use",
  "code_interpreter",
  "image_generation",
  "mcp",
  "local_shell",
  "shell",
  "apply_patch",
  "custom",
] as const;

const InputText = z.object({ type: z.literal("input_text"), text: z.string() });
const InputImage = z.object({
  type: z.literal("input_image"),
  image_url: z
    .string()
    .check(
      z.minLength(1, "input_image needs an image_url (file_id is not supported)"),
      z.refine(isUrl, "Invalid URL: expected an image URL or a base64 data URL"),
    ),
  detail: z.optional(z.enum(["auto", "low", "high"])),
});
const OutputText = z.object({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.optional(z.array(z.unknown())),
});
const Refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });
const ContentPart = z.discriminatedUnion("type", [InputText, InputImage, OutputText, Refusal]);

const nonEmpty = () => z.string().check(z.minLength(1));
/** The id and status an item carries when it is a previous response's output handed back. */
const itemMeta = { id: z.optional(z.string()), status: z.optional(z.string()) };

const MessageItem = z.object({
  type: z.optional(z.literal("message")),
  ...itemMeta,
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(ContentPart)]),
});
const FunctionCallItem = z.object({
  type: z.literal("function_call"),
  ...itemMeta,
  call_id: nonEmpty(),
  name: nonEmpty(),
  arguments: z.string(),
});
const FunctionCallOutputItem = z.object({
  type: z.literal("function_call_output"),
  ...itemMeta,
  call_id: nonEmpty(),
  output: z.union([z.string(), z.array(z.discriminatedUnion("type", [InputText, InputImage]))]),
});
/**
 * A reasoning item handed back. Its encrypted_content, when Switchyard sealed it, is the thinking (with Anthropic's
 * signature) that goes back with the next assistant turn; any other reasoning item is the provider's own state,
 * which Switchyard cannot carry.
 */
const ReasoningItem = z.looseObject({
  type: z.literal("reasoning"),
  id: z.optional(z.string()),
  encrypted_content: z.nullish(z.string()),
});

const InputItem = z.union([FunctionCallItem, FunctionCallOutputItem, ReasoningItem, MessageItem]);
type InputItem = z.infer<typeof InputItem>;

const FunctionTool = z.object({
  type: z.literal("function"),
  name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes")),
  description: z.nullish(z.string()),
  parameters: z.nullish(z.record(z.string(), z.unknown())),
  strict: z.nullish(z.boolean()),
});

const TextFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: nonEmpty(),
    description: z.optional(z.string()),
    schema: z.record(z.string(), z.unknown()),
    strict: z.nullish(z.boolean()),
  }),
]);

const ToolChoiceParam = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), name: nonEmpty() }),
]);

export const ResponsesRequestSchema = z.object({
  model: modelNameSchema("model is required"),
  models: z.optional(ModelsListSchema),
  input: z.union([
    z.string().check(z.minLength(1, "input must not be empty: send the text, or at least one input item")),
    z.array(InputItem).check(z.minLength(1, "input must hold at least one item")),
  ]),
  instructions: z.nullish(z.string()),
  tools: z.optional(z.array(z.unknown()).check(z.maxLength(128))),
  tool_choice: z.optional(z.unknown()),
  parallel_tool_calls: z.nullish(z.boolean()),
  text: z.optional(
    z.object({ format: z.optional(TextFormat), verbosity: z.nullish(z.enum(["low", "medium", "high"])) }),
  ),
  max_output_tokens: z.nullish(z.int().check(z.positive())),
  temperature: z.nullish(z.number().check(z.gte(0), z.lte(2))),
  top_p: z.nullish(z.number().check(z.gte(0), z.lte(1))),
  reasoning: z.nullish(
    z.object({
      effort: z.nullish(z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"])),
      summary: z.nullish(z.enum(["auto", "concise", "detailed"])),
    }),
  ),
  metadata: z.nullish(
    z
      .record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512)))
      .check(z.refine((m) => Object.keys(m).length <= 16, { message: "metadata holds at most 16 key-value pairs" })),
  ),
  user: z.optional(z.string().check(z.maxLength(256))),
  stream: z.nullish(z.boolean()),
  store: z.nullish(z.boolean()),
  previous_response_id: z.nullish(nonEmpty()),
  include: z.nullish(z.array(z.string())),
  truncation: z.nullish(z.enum(["auto", "disabled"])),
  /** OpenAI's processing tier, as on chat: sent to OpenAI, priced with the registry's multiplier. */
  service_tier: z.nullish(z.enum(["auto", "default", "flex", "priority", "fast"])),
  router: z.optional(RouterControlsSchema),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

/** Top-level fields Switchyard reads; anything else is passed over with a visible warning. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(ResponsesRequestSchema.shape));

const ITEM_TYPES = new Set(["message", "function_call", "function_call_output", "reasoning"]);

/** Validates a Responses body: an input item of a type Switchyard cannot carry is a 400 naming it. */
export function parseResponsesBody(raw: unknown): ResponsesRequest {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new GatewayError(400, "The request body must be a JSON object.", { code: "invalid_json" });
  const input = (raw as { input?: unknown }).input;
  if (Array.isArray(input)) {
    input.forEach((item, i) => {
      const type = (item as { type?: unknown } | null)?.type;
      if (typeof type === "string" && !ITEM_TYPES.has(type)) {
        throw new GatewayError(400, `'input.${i}.type': the input item type "${type}" is not supported by Switchyard`, {
          param: `input.${i}.type`,
          code: "unsupported_item",
        });
      }
    });
  }
  return parseOrThrow(ResponsesRequestSchema, modelFromModels(raw));
}

export interface ParsedResponses {
  request: CanonicalRequest;
  /** This request's own input as canonical messages (what a stored response keeps, with its output). */
  input: ChatMessage[];
  tools: Tool[];
  warnings: string[];
}

/**
 * The canonical request: `instructions` as a system message (never carried over from a previous response, as at
 * OpenAI), then the stored conversation, then this request's input.
 */
export function toCanonical(body: ResponsesRequest, history: ChatMessage[] = []): ParsedResponses {
  const warnings: string[] = [];
  const input = inputMessages(body.input, warnings);
  const tools = toolsOf(body.tools ?? []);
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: "system", content: body.instructions });
  messages.push(...history, ...input);
  const orphan = orphanToolResult(messages);
  if (orphan !== null)
    throw new GatewayError(400, `No tool call found for function call output with call_id ${orphan.id}.`, {
      param: "input",
      code: "invalid_value",
    });
  const unpaired = unpairedToolCall(messages, history.length > 0);
  if (unpaired !== null) throw new GatewayError(400, unpaired, { param: "input", code: "invalid_value" });
  const request: CanonicalRequest = { messages, stream: body.stream === true };
  if (tools.length > 0) request.tools = tools;
  if (body.tool_choice !== undefined) request.tool_choice = toolChoiceOf(body.tool_choice);
  if (body.parallel_tool_calls != null) request.parallel_tool_calls = body.parallel_tool_calls;
  const format = body.text?.format;
  if (format !== undefined) request.response_format = responseFormatOf(format);
  if (body.max_output_tokens != null) request.max_output_tokens = body.max_output_tokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.top_p = body.top_p;
  if (body.user !== undefined) request.user = body.user;
  if (body.service_tier != null) request.service_tier = body.service_tier;
  const effort = body.reasoning?.effort;
  if (effort === "none") request.reasoning = { disabled: true };
  else if (effort != null) request.reasoning = { effort: effort satisfies ReasoningEffort };
  // Accepted (OpenAI's clients send them) but not carried: said, never dropped silently.
  if (body.reasoning?.summary != null)
    warnings.push(
      `reasoning.summary "${body.reasoning.summary}" is not carried; the provider's reasoning, where it shows any, comes as it gives it`,
    );
  if (body.text?.verbosity != null)
    warnings.push(`text.verbosity "${body.text.verbosity}" is not carried; the model's own default applies`);
  if (body.truncation === "auto")
    warnings.push(`truncation "auto" is not carried: nothing is dropped, and a conversation over the window fails`);
  for (const value of body.include ?? [])
    if (value !== "reasoning.encrypted_content") warnings.push(`include "${value}" is not supported; it is ignored`);
  return { request, input, tools, warnings };
}

function inputMessages(input: ResponsesRequest["input"], warnings: string[]): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const out: ChatMessage[] = [];
  let skippedReasoning = false;
  /** Sealed thinking handed back, waiting for the assistant turn it came before. */
  let pending: ReasoningPart[] | null = null;
  const withReasoning = (turn: ChatMessage): ChatMessage => {
    if (pending === null || turn.role !== "assistant") return turn;
    const reasoning = pending;
    pending = null;
    return { ...turn, reasoning: [...(turn.reasoning ?? []), ...reasoning] };
  };
  input.forEach((item: InputItem, i) => {
    if (item.type === "function_call") {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      const last = out[out.length - 1];
      // Consecutive calls, and calls after the assistant's text (an output's message item comes before its calls),
      // are one assistant turn, as chat completions has them.
      if (last?.role === "assistant" && pending === null) last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push(withReasoning({ role: "assistant", content: null, tool_calls: [call] }));
      return;
    }
    if (item.type === "function_call_output") {
      const content =
        typeof item.output === "string"
          ? item.output
          : item.output.flatMap((p) => (p.type === "input_text" ? [{ type: "text" as const, text: p.text }] : []));
      if (typeof item.output !== "string" && item.output.some((p) => p.type === "input_image"))
        warnings.push(`input.${i}.output: images in a function_call_output are not carried; the text is`);
      out.push({ role: "tool", tool_call_id: item.call_id, content });
      return;
    }
    if (item.type === "reasoning") {
      const parts = item.encrypted_content ? openReasoning(item.encrypted_content) : null;
      if (parts === null) skippedReasoning = true;
      else pending = [...(pending ?? []), ...parts];
      return;
    }
    out.push(withReasoning(messageOf(item, i)));
  });
  if (pending !== null) skippedReasoning = true;
  if (skippedReasoning)
    warnings.push(
      "reasoning items in the input without Switchyard's encrypted_content (or with no turn after them) are the provider's own state; they were not sent",
    );
  return out;
}

function messageOf(item: z.infer<typeof MessageItem>, index: number): ChatMessage {
  const parts = typeof item.content === "string" ? null : item.content;
  const refuse = (what: string) =>
    new GatewayError(400, `input.${index}: ${what}`, { param: `input.${index}.content`, code: "invalid_value" });
  if (item.role === "user") {
    if (parts === null) return { role: "user", content: item.content as string };
    return {
      role: "user",
      content: parts.map((p) => {
        if (p.type === "input_text") return { type: "text" as const, text: p.text };
        if (p.type === "input_image")
          return {
            type: "image_url" as const,
            image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) },
          };
        throw refuse(`a user message cannot hold ${p.type}`);
      }),
    };
  }
  const texts = (parts ?? [{ type: "input_text" as const, text: item.content as string }]).map((p) => {
    if (p.type === "input_text" || p.type === "output_text") return p.text;
    if (p.type === "refusal") return p.refusal;
    throw refuse(`a ${item.role} message cannot hold ${p.type}`);
  });
  if (item.role === "assistant") return { role: "assistant", content: texts.join("") };
  return { role: item.role, content: texts.join("\n") };
}

const isBuiltIn = (type: string) =>
  (BUILT_IN_TOOLS as readonly string[]).includes(type) || type.startsWith("web_search");

/** The function tools; built-in ones asked for are one 400 that names them all (the first one's index as param). */
function toolsOf(raw: readonly unknown[]): Tool[] {
  const builtIns = raw.flatMap((t, index) => {
    const type = (t as { type?: unknown } | null)?.type;
    return typeof type === "string" && isBuiltIn(type) ? [{ type, index }] : [];
  });
  if (builtIns.length > 1) {
    const named = builtIns.map((b) => `"${b.type}" (tools.${b.index})`).join(", ");
    throw new GatewayError(
      400,
      `the built-in tools ${named} are not run by Switchyard; give them as function tools instead`,
      { param: `tools.${builtIns[0]!.index}.type`, code: "unsupported_tool" },
    );
  }
  return raw.map(toolOf);
}

function toolOf(raw: unknown, index: number): Tool {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type === "string" && type !== "function") {
    throw new GatewayError(
      400,
      isBuiltIn(type)
        ? `tools.${index}: the built-in tool "${type}" is not run by Switchyard; give it as a function tool instead`
        : `tools.${index}: unknown tool type "${type}"`,
      { param: `tools.${index}.type`, code: "unsupported_tool" },
    );
  }
  const parsed = FunctionTool.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = ["tools", index, ...(issue?.path ?? [])].map(String).join(".");
    throw new GatewayError(400, `'${param}': ${issue?.message ?? "invalid"}`, { param, code: "invalid_value" });
  }
  const t = parsed.data;
  return {
    type: "function",
    function: {
      name: t.name,
      ...(t.description == null ? {} : { description: t.description }),
      ...(t.parameters == null ? {} : { parameters: t.parameters }),
      ...(t.strict == null ? {} : { strict: t.strict }),
    },
  };
}

function toolChoiceOf(raw: unknown): ToolChoice {
  const parsed = ToolChoiceParam.safeParse(raw);
  if (parsed.success) {
    const c = parsed.data;
    return typeof c === "string" ? c : { type: "function", function: { name: c.name } };
  }
  const type = (raw as { type?: unknown } | null)?.type;
  const what =
    typeof type === "string" ? `tool_choice "${type}" is not supported by Switchyard` : "invalid tool_choice";
  throw new GatewayError(400, `'tool_choice': ${what}`, { param: "tool_choice", code: "invalid_value" });
}

function responseFormatOf(format: z.infer<typeof TextFormat>): ResponseFormat {
  if (format.type !== "json_schema") return { type: format.type };
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description === undefined ? {} : { description: format.description }),
      ...(format.strict == null ? {} : { strict: format.strict }),
    },
  };
}

/**
 * What every provider refuses in a conversation, said before it goes out (as OpenAI says it): a function call made
 * twice (the previous response's output handed back by value beside `previous_response_id`, which already carries
 * it), a call answered twice, or a call with no output.
 */
function unpairedToolCall(messages: readonly ChatMessage[], continued: boolean): string | null {
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const m of messages) {
    if (m.role === "assistant") {
      for (const call of m.tool_calls ?? []) {
        if (calls.has(call.id))
          return continued
            ? `Duplicate item found for function call ${call.id}: the response previous_response_id names already holds it, so send only the new items (its function_call_output).`
            : `Duplicate item found for function call ${call.id}.`;
        calls.add(call.id);
      }
    } else if (m.role === "tool") {
      if (answered.has(m.tool_call_id)) return `Duplicate function_call_output found for call_id ${m.tool_call_id}.`;
      answered.add(m.tool_call_id);
    }
  }
  for (const id of calls) if (!answered.has(id)) return `No tool output found for function call ${id}.`;
  return null;
}

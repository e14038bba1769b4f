// Canonical request -> Anthropic Messages body: system split out, tool results as user turns, max_tokens always set.
import { ProviderError } from "../../core/errors.ts";
import type { CanonicalRequest, ChatMessage } from "../../core/types.ts";
import type { ModelTarget } from "../adapter.ts";
import { parseDataUrl, textOf } from "../text-content.ts";

type Block = Record<string, unknown>;
interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

/** Used only for a model the registry does not list, and said to the client as a warning. */
export const UNLISTED_MODEL_MAX_TOKENS = 4096;

export function buildAnthropicBody(
  req: CanonicalRequest,
  target: ModelTarget,
): { body: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const systemMessages = req.messages.filter((m) => m.role === "system" || m.role === "developer");
  const system = systemMessages.map((m) => textOf(m.content)).join("\n\n");

  let maxTokens = req.max_output_tokens ?? target.entry?.max_output;
  if (maxTokens === undefined) {
    maxTokens = UNLISTED_MODEL_MAX_TOKENS;
    warnings.push(
      `anthropic requires max_tokens and ${target.upstreamId} is not in the registry: sent max_tokens=${maxTokens}`,
    );
  }

  const turns = toTurns(req.messages, warnings);
  const body: Record<string, unknown> = {
    model: target.upstreamId,
    max_tokens: maxTokens,
    messages: turns,
    stream: req.stream,
  };
  // Anthropic wants at least one message, and none empty; OpenAI answers a conversation of instructions alone, or an
  // empty user message. The instructions then become the user's turn; with nothing at all, a "." is sent, and said.
  if (turns.length === 0) {
    if (system.trim() !== "") {
      turns.push({ role: "user", content: [{ type: "text", text: system }] });
      warnings.push("anthropic needs a user message: the system prompt was sent as the user's turn");
    } else {
      turns.push({ role: "user", content: [{ type: "text", text: "." }] });
      warnings.push('anthropic refuses an empty message: "." was sent in its place');
    }
  }
  // Cache breakpoints on the system prompt need its blocks, and so do several text blocks (glued into one string,
  // "You are terse." and "Answer in French." would read as one sentence); a single text goes as one string.
  else if (systemMessages.some((m) => hasCacheControl(m.content) || (Array.isArray(m.content) && m.content.length > 1)))
    body.system = systemMessages.flatMap((m) => textBlocks(m.content));
  else if (system !== "") body.system = system;
  if (req.temperature !== undefined) {
    // Anthropic's range is 0..1, OpenAI's 0..2.
    if (req.temperature > 1) warnings.push(`anthropic takes temperature up to 1; ${req.temperature} was sent as 1`);
    body.temperature = Math.min(req.temperature, 1);
  }
  if (req.top_p !== undefined) body.top_p = req.top_p;
  if (req.stop !== undefined) {
    // Anthropic refuses a stop sequence of whitespace alone ("each stop sequence must contain non-whitespace"); OpenAI
    // takes "\n".
    const kept = req.stop.filter((s) => s.trim() !== "");
    if (kept.length < req.stop.length)
      warnings.push(
        `anthropic takes no stop sequence of whitespace alone; ${JSON.stringify(req.stop.filter((s) => s.trim() === ""))} was not sent`,
      );
    if (kept.length > 0) body.stop_sequences = kept;
  }
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.tools !== undefined && req.tools.length > 0) {
    const strict = req.tools.filter((t) => t.function.strict === true).map((t) => t.function.name);
    if (strict.length > 0)
      warnings.push(
        `anthropic was not sent "strict" for tool(s) ${strict.join(", ")}: their arguments are not enforced`,
      );
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description === undefined ? {} : { description: t.function.description }),
      input_schema: t.function.parameters ?? { type: "object", properties: {} },
      ...(t.cache_control === undefined ? {} : { cache_control: t.cache_control }),
    }));
  }
  const toolChoice = mapToolChoice(req);
  let thinking = thinkingOf(req, target, maxTokens, warnings);
  // "Thinking may not be enabled when tool_choice forces tool use": the forced tool is what the caller's code waits on.
  if (
    thinking !== undefined &&
    thinking.type !== "disabled" &&
    (toolChoice?.type === "any" || toolChoice?.type === "tool")
  ) {
    warnings.push("anthropic takes no thinking when tool_choice forces a tool; thinking was not sent");
    thinking = undefined;
  }
  if (thinking !== undefined) {
    body.thinking = thinking;
    // Extended thinking takes no sampling changes: Anthropic refuses temperature and top_k with it.
    if (thinking.type !== "disabled" && body.temperature !== undefined && body.temperature !== 1) {
      warnings.push(`anthropic takes no temperature with thinking on; ${String(body.temperature)} was not sent`);
      delete body.temperature;
    }
  }
  if (req.top_k !== undefined) {
    if (thinking !== undefined && thinking.type !== "disabled")
      warnings.push(`anthropic takes no top_k with thinking on; it was not sent`);
    else body.top_k = req.top_k;
  }
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  // Claude's current models take temperature or top_p, not both ("cannot both be specified for this model").
  if (body.temperature !== undefined && body.top_p !== undefined) {
    warnings.push(`anthropic takes temperature or top_p, not both; top_p ${String(body.top_p)} was not sent`);
    delete body.top_p;
  }
  if (req.seed !== undefined) warnings.push(`anthropic does not take "seed"; it was not sent`);
  // Anthropic's own service_tier (auto / standard_only) is a capacity choice, not OpenAI's flex or priority.
  if (req.service_tier !== undefined && req.service_tier !== "auto" && req.service_tier !== "default")
    warnings.push(
      `anthropic does not take service_tier "${req.service_tier}"; it was not sent (billed at standard prices)`,
    );
  if (req.presence_penalty !== undefined) warnings.push(`anthropic does not take "presence_penalty"; it was not sent`);
  if (req.frequency_penalty !== undefined)
    warnings.push(`anthropic does not take "frequency_penalty"; it was not sent`);
  const format = req.response_format;
  // Anthropic's structured outputs constrain the text answer to a JSON schema (`output_config.format`, generally
  // available without a beta header: platform.claude.com/docs/en/build-with-claude/structured-outputs, read
  // 2026-12-04); JSON without a schema has no Anthropic control, so it is left to the prompt and said.
  if (format?.type === "json_schema" && format.json_schema.schema !== undefined)
    body.output_config = { format: { type: "json_schema", schema: format.json_schema.schema } };
  else if (format !== undefined && format.type !== "text")
    warnings.push(`anthropic constrains JSON only to a schema; "${format.type}" without one was not enforced`);
  return { body, warnings };
}

function mapToolChoice(req: CanonicalRequest): Record<string, unknown> | undefined {
  const disableParallel = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  const choice = req.tool_choice;
  if (choice === undefined)
    return req.parallel_tool_calls === false && req.tools?.length ? { type: "auto", ...disableParallel } : undefined;
  if (choice === "auto") return { type: "auto", ...disableParallel };
  if (choice === "required") return { type: "any", ...disableParallel };
  if (choice === "none") return { type: "none" };
  return { type: "tool", name: choice.function.name, ...disableParallel };
}

function toTurns(messages: ChatMessage[], warnings: string[]): Turn[] {
  const turns: Turn[] = [];
  if (messages.some((m) => "name" in m && m.name !== undefined))
    warnings.push(`anthropic has no participant names; a message's "name" was not sent`);
  const push = (role: Turn["role"], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    // Anthropic wants alternating turns: consecutive same-role messages (e.g. several tool results) merge.
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
      case "developer":
        break;
      case "user":
        // Anthropic refuses a text block that is empty or whitespace alone ("text content blocks must contain
        // non-whitespace text"); OpenAI takes either: it is left out.
        push(
          "user",
          typeof m.content === "string"
            ? m.content.trim() === ""
              ? []
              : [{ type: "text", text: m.content }]
            : m.content.filter((p) => p.type !== "text" || p.text.trim() !== "").map(userBlock),
        );
        break;
      case "assistant": {
        // Thinking blocks go back first, with their signatures, as Anthropic requires around tool use.
        // Anthropic checks each signature: thinking it did not sign (another provider's, which has none) is refused,
        // so it is left out, and said.
        const unsigned = (m.reasoning ?? []).filter((r) => r.type === "thinking" && !r.signature).length;
        if (unsigned > 0)
          warnings.push(
            `${unsigned} thinking block(s) without Anthropic's signature (another provider's) were not sent`,
          );
        const blocks: Block[] = (m.reasoning ?? []).flatMap((r): Block[] =>
          r.type === "redacted_thinking"
            ? [{ type: "redacted_thinking", data: r.data }]
            : r.signature
              ? [{ type: "thinking", thinking: r.thinking, signature: r.signature }]
              : [],
        );
        if (hasCacheControl(m.content ?? null) || severalParts(m.content)) blocks.push(...textBlocks(m.content ?? ""));
        else {
          const text = textOf(m.content);
          if (text.trim() !== "") blocks.push({ type: "text", text });
        }
        for (const call of m.tool_calls ?? []) {
          blocks.push({
            type: "tool_use",
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments),
          });
        }
        push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [
          {
            type: "tool_result",
            tool_use_id: m.tool_call_id,
            content: hasCacheControl(m.content) || severalParts(m.content) ? textBlocks(m.content) : textOf(m.content),
            ...(m.is_error === true ? { is_error: true } : {}),
          },
        ]);
        break;
      default: {
        const never: never = m;
        throw new Error(`unhandled role ${JSON.stringify(never)}`);
      }
    }
  }
  return turns;
}

type UserPart = Exclude<Extract<ChatMessage, { role: "user" }>["content"], string>[number];

function userBlock(part: UserPart): Block {
  const cache = part.cache_control === undefined ? {} : { cache_control: part.cache_control };
  if (part.type === "text") return { type: "text", text: part.text, ...cache };
  const data = parseDataUrl(part.image_url.url);
  return data === null
    ? { type: "image", source: { type: "url", url: part.image_url.url }, ...cache }
    : { type: "image", source: { type: "base64", media_type: data.mediaType, data: data.data }, ...cache };
}

type TextContent = Extract<ChatMessage, { role: "system" }>["content"];

function hasCacheControl(content: TextContent | null): boolean {
  return Array.isArray(content) && content.some((p) => p.cache_control !== undefined);
}

/** Text content as Anthropic text blocks, each breakpoint kept exactly as the client set it. */
function textBlocks(content: TextContent): Block[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.map((p) => ({
    type: "text",
    text: p.text,
    ...(p.cache_control === undefined ? {} : { cache_control: p.cache_control }),
  }));
}

/** What each effort asks of Anthropic's thinking budget (tokens), for callers that speak in efforts. */
export const EFFORT_BUDGET = { minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32768, max: 65536 } as const;
const MIN_BUDGET = 1024;

/**
 * The `thinking` field: a budget as the client gave it (Messages), or one for the effort it asked (chat, Responses).
 * Anthropic needs max_tokens above the budget; a budget that does not fit under max_tokens is lowered to fit and said.
 */
function thinkingOf(
  req: CanonicalRequest,
  target: ModelTarget,
  maxTokens: number,
  warnings: string[],
): { type: "enabled"; budget_tokens: number } | { type: "disabled" } | { type: "adaptive" } | undefined {
  const r = req.reasoning;
  if (r === undefined) return undefined;
  if (r.disabled === true) return { type: "disabled" };
  if (target.entry !== null && !target.entry.capabilities.includes("reasoning")) {
    warnings.push(`${target.upstreamId} does not reason; the reasoning setting was not sent`);
    return undefined;
  }
  if (r.adaptive === true) return { type: "adaptive" };
  // A budget the client set is its own (Anthropic refuses one that does not fit under max_tokens, and says why).
  if (r.budget_tokens !== undefined) return { type: "enabled", budget_tokens: r.budget_tokens };
  let budget: number = EFFORT_BUDGET[r.effort ?? "medium"];
  if (budget >= maxTokens) {
    if (maxTokens - 1 < MIN_BUDGET) {
      warnings.push(
        `max_tokens ${maxTokens} leaves no room for anthropic's minimum thinking budget; thinking was not sent`,
      );
      return undefined;
    }
    warnings.push(
      `anthropic needs max_tokens above the thinking budget: budget_tokens ${budget} was sent as ${maxTokens - 1}`,
    );
    budget = maxTokens - 1;
  }
  return { type: "enabled", budget_tokens: budget };
}

function parseArguments(args: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = args.trim() === "" ? {} : JSON.parse(args);
  } catch {
    value = undefined;
  }
  // Anthropic takes a tool_use input only as an object: an array, a number or broken JSON is refused here, as there.
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ProviderError({
      kind: "invalid_request",
      provider: "anthropic",
      message: "an assistant tool call's arguments are not a JSON object; anthropic needs them as an object",
    });
  return value as Record<string, unknown>;
}

/** Content of more than one text part: sent as blocks, each apart, never glued into one string. */
function severalParts(content: ChatMessage["content"] | undefined): boolean {
  return Array.isArray(content) && content.length > 1;
}

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
  const system = req.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => textOf(m.content))
    .join("\n\n");

  let maxTokens = req.max_output_tokens ?? target.entry?.max_output;
  if (maxTokens === undefined) {
    maxTokens = UNLISTED_MODEL_MAX_TOKENS;
    warnings.push(
      `anthropic requires max_tokens and ${target.upstreamId} is not in the registry: sent max_tokens=${maxTokens}`,
    );
  }

  const body: Record<string, unknown> = {
    model: target.upstreamId,
    max_tokens: maxTokens,
    messages: toTurns(req.messages),
    stream: req.stream,
  };
  if (system !== "") body.system = system;
  if (req.temperature !== undefined) {
    // Anthropic's range is 0..1, OpenAI's 0..2.
    if (req.temperature > 1) warnings.push(`anthropic takes temperature up to 1; ${req.temperature} was sent as 1`);
    body.temperature = Math.min(req.temperature, 1);
  }
  if (req.top_p !== undefined) body.top_p = req.top_p;
  if (req.stop !== undefined) body.stop_sequences = req.stop;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description === undefined ? {} : { description: t.function.description }),
      input_schema: t.function.parameters ?? { type: "object", properties: {} },
    }));
  }
  const toolChoice = mapToolChoice(req);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (req.seed !== undefined) warnings.push(`anthropic does not take "seed"; it was not sent`);
  if (req.presence_penalty !== undefined) warnings.push(`anthropic does not take "presence_penalty"; it was not sent`);
  if (req.frequency_penalty !== undefined)
    warnings.push(`anthropic does not take "frequency_penalty"; it was not sent`);
  if (req.response_format !== undefined && req.response_format.type !== "text") {
    warnings.push(`anthropic has no response_format; "${req.response_format.type}" was not enforced`);
  }
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

function toTurns(messages: ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
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
        push("user", typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content.map(userBlock));
        break;
      case "assistant": {
        const text = textOf(m.content);
        const blocks: Block[] = text === "" ? [] : [{ type: "text", text }];
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
        push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content: textOf(m.content) }]);
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
  if (part.type === "text") return { type: "text", text: part.text };
  const data = parseDataUrl(part.image_url.url);
  return data === null
    ? { type: "image", source: { type: "url", url: part.image_url.url } }
    : { type: "image", source: { type: "base64", media_type: data.mediaType, data: data.data } };
}

function parseArguments(args: string): unknown {
  try {
    return args.trim() === "" ? {} : JSON.parse(args);
  } catch {
    throw new ProviderError({
      kind: "invalid_request",
      provider: "anthropic",
      message: "an assistant tool call's arguments are not valid JSON; anthropic needs them as an object",
    });
  }
}

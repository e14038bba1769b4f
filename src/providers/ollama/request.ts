// Canonical request -> Ollama /api/chat body: options.num_predict etc., base64 images, tool arguments as objects.
import { ProviderError } from "../../core/errors.ts";
import type { CanonicalRequest, ChatMessage } from "../../core/types.ts";
import type { ModelTarget } from "../adapter.ts";
import { withoutCacheControl } from "../cache-control.ts";
import { parseDataUrl, textOf, toolResultText } from "../text-content.ts";

export function buildOllamaBody(
  asked: CanonicalRequest,
  target: ModelTarget,
): { body: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const { req, warning } = withoutCacheControl(asked, "ollama");
  if (warning !== null) warnings.push(warning);
  if (req.anthropic_beta !== undefined)
    warnings.push(`anthropic-beta (${req.anthropic_beta.join(",")}) is for Anthropic; it was not sent to ollama`);
  const options: Record<string, unknown> = {};
  if (req.temperature !== undefined) options.temperature = req.temperature;
  if (req.top_p !== undefined) options.top_p = req.top_p;
  if (req.stop !== undefined) options.stop = req.stop;
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.max_output_tokens !== undefined) options.num_predict = req.max_output_tokens;
  if (req.top_k !== undefined) options.top_k = req.top_k;
  if (req.presence_penalty !== undefined) options.presence_penalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) options.frequency_penalty = req.frequency_penalty;

  const body: Record<string, unknown> = {
    model: target.upstreamId,
    messages: req.messages.map(toOllamaMessage),
    // Ollama streams unless told otherwise: always say which.
    stream: req.stream,
  };
  if (Object.keys(options).length > 0) body.options = options;
  // Ollama has no tool_choice: "none" is kept by offering no tools; "required" or a named tool cannot be.
  if (req.tools !== undefined && req.tools.length > 0 && req.tool_choice !== "none") body.tools = req.tools;
  if (req.response_format?.type === "json_object") body.format = "json";
  if (req.response_format?.type === "json_schema") body.format = req.response_format.json_schema.schema ?? "json";
  if (req.tool_choice !== undefined && req.tool_choice !== "auto" && req.tool_choice !== "none")
    warnings.push(
      `ollama has no tool_choice; "${typeof req.tool_choice === "string" ? req.tool_choice : req.tool_choice.function.name}" was not enforced`,
    );
  if (req.parallel_tool_calls !== undefined)
    warnings.push(`ollama does not take "parallel_tool_calls"; it was not sent`);
  if (req.service_tier !== undefined && req.service_tier !== "auto" && req.service_tier !== "default")
    warnings.push(`ollama does not take service_tier "${req.service_tier}"; it was not sent`);
  if (req.user !== undefined) warnings.push(`ollama does not take "user"; it was not sent`);
  if (req.messages.some((m) => "name" in m && m.name !== undefined))
    warnings.push(`ollama has no participant names; a message's "name" was not sent`);
  // Ollama's own control is `think` (on or off); an effort or a budget both mean on.
  if (req.reasoning !== undefined) {
    if (target.entry !== null && !target.entry.capabilities.includes("reasoning") && req.reasoning.disabled !== true)
      warnings.push(`${target.upstreamId} does not reason; the reasoning setting was not sent`);
    else body.think = req.reasoning.disabled !== true;
  }
  return { body, warnings };
}

function toOllamaMessage(m: ChatMessage): Record<string, unknown> {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(m.content) };
    case "user": {
      if (typeof m.content === "string") return { role: "user", content: m.content };
      const images: string[] = [];
      let text = "";
      for (const part of m.content) {
        if (part.type === "text") text += part.text;
        else {
          const data = parseDataUrl(part.image_url.url);
          if (data === null) {
            throw new ProviderError({
              kind: "invalid_request",
              provider: "ollama",
              message: "ollama takes images only as base64 data: URLs, not remote URLs",
            });
          }
          images.push(data.data);
        }
      }
      return images.length > 0 ? { role: "user", content: text, images } : { role: "user", content: text };
    }
    case "assistant": {
      const out: Record<string, unknown> = { role: "assistant", content: textOf(m.content) };
      if (m.tool_calls !== undefined && m.tool_calls.length > 0) {
        out.tool_calls = m.tool_calls.map((c) => ({
          function: { name: c.function.name, arguments: parseArguments(c.function.arguments) },
        }));
      }
      return out;
    }
    case "tool":
      return { role: "tool", content: toolResultText(m) };
    default: {
      const never: never = m;
      throw new Error(`unhandled role ${JSON.stringify(never)}`);
    }
  }
}

function parseArguments(args: string): unknown {
  try {
    return args.trim() === "" ? {} : JSON.parse(args);
  } catch {
    throw new ProviderError({
      kind: "invalid_request",
      provider: "ollama",
      message: "an assistant tool call's arguments are not valid JSON",
    });
  }
}

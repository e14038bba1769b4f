// Validates both configuration files together (schemas plus cross-references) and freezes the result.
import type * as z from "zod/mini";
import { deepFreeze } from "./freeze.ts";
import { describeIssues, type FallbackFile, FallbackFileSchema, type ModelsFile, ModelsFileSchema } from "./schema.ts";

export interface Config {
  readonly models: ModelsFile;
  readonly fallback: FallbackFile;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const MODELS_FILE = "configs/models.yml";
export const FALLBACK_FILE = "configs/llm_fallback.yml";

/** Parses raw (YAML-decoded) documents; throws ConfigError naming file, path and expectation. */
export function validateConfig(rawModels: unknown, rawFallback: unknown): Config {
  const models = parseOrThrow(MODELS_FILE, ModelsFileSchema, rawModels);
  const fallback = parseOrThrow(FALLBACK_FILE, FallbackFileSchema, rawFallback);

  const known = new Map<string, ModelsFile["models"][number]>(
    models.models.flatMap((m) => [m.id, ...m.aliases].map((name) => [`${m.provider}/${name}`, m] as const)),
  );
  const problems: string[] = [];
  for (const [name, chain] of Object.entries(fallback.chains)) {
    chain.models.forEach((ref, i) => {
      const entry = known.get(ref);
      if (entry === undefined)
        problems.push(`${FALLBACK_FILE}: chains.${name}.models.${i}: "${ref}" is not a model in ${MODELS_FILE}`);
      else if (entry.type !== "chat")
        problems.push(`${FALLBACK_FILE}: chains.${name}.models.${i}: "${ref}" is an embedding model, not a chat model`);
    });
  }
  for (const [name, task] of Object.entries(fallback.task_types)) {
    if (task.chain !== undefined && !(task.chain in fallback.chains)) {
      problems.push(`${FALLBACK_FILE}: task_types.${name}.chain: "${task.chain}" is not a chain`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return deepFreeze({ models, fallback });
}

function parseOrThrow<T extends z.ZodMiniType>(file: string, schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(file, result.error));
  return result.data;
}

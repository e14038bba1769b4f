// The configuration in force: the compiled configs/*.yml, validated again when the isolate starts.
import compiled from "./generated/config.json";
import { type Config, validateConfig } from "./validate.ts";

export const CONFIG: Config = validateConfig(compiled.models, compiled.fallback);

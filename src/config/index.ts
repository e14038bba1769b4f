// The configuration in force: configs/*.yml as scripts/compile-config.ts validated and compiled them (before every
// build, wrangler dev and test run), frozen. The Worker does not validate it again: the file schemas (schema.ts) and
// the zod they need stay out of its bundle, and an isolate starts without parsing the whole registry.

import { deepFreeze } from "./freeze.ts";
import compiled from "./generated/config.json";
import type { Config } from "./validate.ts";

export const CONFIG: Config = deepFreeze(compiled as unknown as Config);

// Validates configs/*.yml and writes them as JSON for the Worker bundle; a bad file fails here, naming file and path.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ConfigError, FALLBACK_FILE, MODELS_FILE, validateConfig } from "../src/config/validate.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/config/generated/config.json");

function readYaml(file: string): unknown {
  const text = readFileSync(join(root, file), "utf8");
  try {
    return parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
}

try {
  const config = validateConfig(readYaml(MODELS_FILE), readYaml(FALLBACK_FILE));
  mkdirSync(dirname(out), { recursive: true });
  const json = JSON.stringify(config) + "\n";
  // Unchanged config, untouched file: wrangler dev runs this on every rebuild and watches src/, so a rewrite would make
  // two dev servers in one tree (npm start beside npm run demo; the e2e and browser tests) rebuild each other forever.
  if (!existsSync(out) || readFileSync(out, "utf8") !== json) writeFileSync(out, json);
  console.log(
    `config: ${config.models.models.length} models, ${Object.keys(config.fallback.chains).length} chains -> src/config/generated/config.json`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Invalid configuration:\n${err.message}`);
    process.exit(1);
  }
  throw err;
}

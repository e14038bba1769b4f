// Loaded with `node --import` before Portkey's gateway: resolves its `@hono/node-server` to the top-level 1.13.5.
// Portkey's package.json asks for ^1.3.3, so npm nests 1.19.x under it, and with that version every streamed
// answer fails ("Something went wrong"); Portkey's own lockfile pins 1.13.5, which streams.
import { registerHooks } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = pathToFileURL(join(root, "node_modules/@hono/node-server/dist/index.mjs")).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "@hono/node-server") return { url: pinned, shortCircuit: true, format: "module" };
    return nextResolve(specifier, context);
  },
});

// The bench's lifeline: Portkey never reads stdin, so its end means the bench is gone and so should Portkey be.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

// Starts the provider emulator from the command line: node test/emulators/cli.ts --port 8790 [--host 0.0.0.0] [--chunk-delay-ms 20]
import { parseArgs } from "node:util";
import { baseUrls } from "./admin.ts";
import { startEmulator } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8790" },
    host: { type: "string", default: "127.0.0.1" },
    "chunk-delay-ms": { type: "string", default: "0" },
  },
});

const port = Number(values.port);
const chunkDelayMs = Number(values["chunk-delay-ms"]);
if (!Number.isInteger(port) || port < 0 || !Number.isFinite(chunkDelayMs) || chunkDelayMs < 0) {
  console.error("usage: node test/emulators/cli.ts [--port 8790] [--host 127.0.0.1] [--chunk-delay-ms 0]");
  process.exit(2);
}

const emulator = await startEmulator({ port, host: values.host, chunkDelayMs });
// stdout carries only the URL, so scripts can read it; the rest goes to stderr.
console.log(emulator.url);
for (const [provider, base] of Object.entries(baseUrls(emulator.url, "")))
  console.error(`  ${provider.padEnd(9)} ${base}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}

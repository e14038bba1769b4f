// `npm start`: wrangler dev on 127.0.0.1 (PORT or 8787) in development mode, with scheduled handlers testable.
import { spawn } from "node:child_process";

const port = process.env.PORT ?? "8787";
const args = [
  "dev",
  "--ip",
  "127.0.0.1",
  "--port",
  port,
  "--test-scheduled",
  "--var",
  "SWITCHYARD_ENV:development",
  ...process.argv.slice(2),
];
const child = spawn("wrangler", args, { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));

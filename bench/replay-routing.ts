// Replays a mixed workload through the real planner (a dry run: src/routing/plan.ts, as POST /v1/route runs it) and
// prints, per strategy, what the requests would cost and the mean registry quality of the models they go to first.
//
//   npm run bench:routing              the table (Markdown) for docs/routing.md
//   npm run bench:routing -- --json    the same figures as JSON
//
// Workload (issue 15): 24 simple requests, 6 code, 4 reasoning, 2 very long prompts (~60,000 words); model "auto",
// no task type, no max_tokens (the planner assumes a 1,024-token answer). Variant 1: Ollama unconfigured; variant 2:
// Ollama configured (every local model of the registry installed), the local-model variant. Quality here is the
// registry's score of the first candidate: a statement about the router's choices, not a measured answer quality.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ProviderId, Strategy } from "../src/config/schema.ts";
import { validateConfig } from "../src/config/validate.ts";
import type { CanonicalRequest } from "../src/core/types.ts";
import { ModelRegistry } from "../src/registry/model-registry.ts";
import { buildPlan } from "../src/routing/plan.ts";
import { emptySnapshot } from "../src/stats/snapshot.ts";

type Kind = "simple" | "code" | "reasoning" | "long";

const SIMPLE = [
  "What's the capital of Australia?",
  "Translate 'thank you very much' into German.",
  "Write a haiku about the first snow.",
  "Who painted the Mona Lisa?",
  "Give me three name ideas for a bakery.",
  "Summarize in one sentence: the train was late, so the meeting started at ten instead of nine.",
  "What's a good synonym for 'happy'?",
  "How many days are in a leap year?",
  "Write a friendly two-line reminder that rent is due Friday.",
  "What is the boiling point of water in Fahrenheit?",
  "Suggest a title for a blog post about houseplants.",
  "Rewrite this more politely: send me the file now.",
  "What time zone is Tokyo in?",
  "Give me step-by-step instructions to make a cup of tea.",
  "What does 'bonjour' mean?",
  "List four fruits that are red.",
  "Write a thank-you note for a birthday gift.",
  "Who wrote 'One Hundred Years of Solitude'?",
  "What is the function of the liver?",
  "Recommend a movie like The Matrix.",
  "Correct the spelling: 'definately recieve'.",
  "What's 15% of 80?",
  "I have a class at 9 tomorrow, what should I pack for a chemistry lab?",
  "Tell me a fun fact about octopuses.",
];

const CODE = [
  "Write a Python function that merges two sorted lists into one sorted list.",
  "Fix this bug:\n```js\nfunction last(xs) { return xs[xs.length]; }\n```",
  "Implement a debounce helper in TypeScript with a cancel method.",
  "Write a SQL query that lists customers with no orders in the last 90 days.",
  "Why does this fail?\nTraceback (most recent call last):\n  File \"main.py\", line 8, in <module>\nKeyError: 'user_id'",
  "Refactor my code to use async/await instead of callbacks:\n```js\nfs.readFile(p, (err, data) => { if (err) throw err; cb(data); });\n```",
];

const REASONING = [
  "Prove that there are infinitely many prime numbers.",
  "Solve for x: 2x^2 - 8x + 6 = 0, and show your work.",
  "A farmer has 17 sheep; all but 9 run away. Think step by step: how many are left?",
  "How many ways can you arrange the letters of the word BANANA?",
];

/** ~60,000 words of varied report prose, built deterministically (a long document read whole). */
function longDocument(seed: number): string {
  const words = [
    "quarterly",
    "revenue",
    "increased",
    "across",
    "regions",
    "while",
    "operating",
    "costs",
    "remained",
    "stable",
    "the",
    "committee",
    "reviewed",
    "supplier",
    "contracts",
    "and",
    "noted",
    "delays",
    "in",
    "shipping",
    "customer",
    "satisfaction",
    "scores",
    "improved",
    "after",
    "the",
    "support",
    "team",
    "expanded",
    "coverage",
  ];
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < 60_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(words[x % words.length] as string);
    if (i % 18 === 17) out[out.length - 1] += ".";
  }
  return out.join(" ");
}

const WORKLOAD: { kind: Kind; prompt: string }[] = [
  ...SIMPLE.map((prompt) => ({ kind: "simple" as const, prompt })),
  ...CODE.map((prompt) => ({ kind: "code" as const, prompt })),
  ...REASONING.map((prompt) => ({ kind: "reasoning" as const, prompt })),
  { kind: "long", prompt: `Summarize the key findings of this annual report:\n\n${longDocument(1)}` },
  { kind: "long", prompt: `List the risks this board report raises:\n\n${longDocument(2)}` },
];

const STRATEGIES: Strategy[] = [
  "balanced",
  "cost_optimized",
  "quality_optimized",
  "latency_optimized",
  "capability_match",
  "local_first",
];

const read = (file: string) => parse(readFileSync(new URL(`../configs/${file}`, import.meta.url), "utf8"));
const config = validateConfig(read("models.yml"), read("llm_fallback.yml"));
const registry = new ModelRegistry(config.models.models);

interface Row {
  strategy: Strategy;
  spend: number;
  quality_all: number;
  quality_hard: number;
  picks: Record<Kind, Record<string, number>>;
  unpriced: number;
}

function replay(strategy: Strategy, ollama: boolean): Row {
  const configured = (p: ProviderId) => ollama || p !== "ollama";
  let spend = 0;
  let unpriced = 0;
  const qAll: number[] = [];
  const qHard: number[] = [];
  const picks: Row["picks"] = { simple: {}, code: {}, reasoning: {}, long: {} };
  for (const item of WORKLOAD) {
    const request: CanonicalRequest = { stream: false, messages: [{ role: "user", content: item.prompt }] };
    const plan = buildPlan({
      model: "auto",
      request,
      controls: { strategy },
      registry,
      config: config.fallback,
      configured,
      defaults: {
        strategy: config.fallback.defaults.strategy,
        fallback: true,
        preferLocal: false,
        defaultProvider: null,
      },
      stats: emptySnapshot(),
      workspaceBudgetRemaining: null,
      random: () => 0.99,
    });
    const first = plan.candidates[0];
    if (first === undefined) throw new Error(`${strategy}: no candidate for a ${item.kind} request`);
    const name = `${first.ref.provider}/${first.ref.id}`;
    picks[item.kind][name] = (picks[item.kind][name] ?? 0) + 1;
    if (first.estimated_cost_usd === null) unpriced++;
    else spend += first.estimated_cost_usd;
    const q = first.ref.entry?.quality ?? 0;
    qAll.push(q);
    if (item.kind === "code" || item.kind === "reasoning") qHard.push(q);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { strategy, spend, quality_all: mean(qAll), quality_hard: mean(qHard), picks, unpriced };
}

function pct(a: number, b: number): string {
  return b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)}%`;
}

function picksText(p: Record<string, number>): string {
  return Object.entries(p)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ×${n}`)
    .join(", ");
}

function table(title: string, rows: Row[]): string {
  const q = rows.find((r) => r.strategy === "quality_optimized") as Row;
  const lines = [
    `#### ${title}`,
    "",
    "| strategy | spend (36 requests) | vs quality_optimized | mean quality, all | mean quality, code + reasoning | vs quality_optimized |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.strategy} | $${r.spend.toFixed(4)} | ${pct(r.spend, q.spend)} | ${r.quality_all.toFixed(3)} | ${r.quality_hard.toFixed(3)} | ${pct(r.quality_hard, q.quality_hard)} |`,
    ),
    "",
    "First choice per request kind:",
    "",
    "| strategy | simple (24) | code (6) | reasoning (4) | long (2) |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.strategy} | ${picksText(r.picks.simple)} | ${picksText(r.picks.code)} | ${picksText(r.picks.reasoning)} | ${picksText(r.picks.long)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

const cloud = STRATEGIES.map((s) => replay(s, false));
const local = STRATEGIES.map((s) => replay(s, true));

if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ ollama_unconfigured: cloud, ollama_configured: local }, null, 2));
} else {
  console.log(table("Ollama unconfigured", cloud));
  console.log(table("Ollama configured (local-model variant)", local));
  const b = cloud[0] as Row;
  const c = cloud[1] as Row;
  const q = cloud[2] as Row;
  const goals = [
    `balanced spends ${pct(b.spend, q.spend)} of quality_optimized (goal <= 40%)`,
    `balanced keeps ${pct(b.quality_hard, q.quality_hard)} of its code + reasoning quality (goal >= 95%)`,
    `cost_optimized spends ${pct(c.spend, q.spend)} (goal <= 5%)`,
  ];
  console.log(`Goals (Ollama unconfigured): ${goals.join("; ")}.`);
  const met = b.spend <= 0.4 * q.spend && b.quality_hard >= 0.95 * q.quality_hard && c.spend <= 0.05 * q.spend;
  if (!met) process.exitCode = 1;
}

// The difficulty classes on labelled prompts: what a request asks and says puts it in a class, and everyday prompts
// that merely mention a word of the trade (a class timetable, the liver's function) are not over-classed.
import { describe, expect, it } from "vitest";
import { CONFIG } from "../../../src/config/index.ts";
import type { Capability, DifficultyClass } from "../../../src/config/schema.ts";
import type { CanonicalRequest } from "../../../src/core/types.ts";
import { classifyDifficulty } from "../../../src/routing/difficulty.ts";

function classOf(
  prompt: string,
  opts: { needs?: Capability[]; taskType?: string; system?: string; promptTokens?: number } = {},
) {
  const request: CanonicalRequest = {
    stream: false,
    messages: [
      ...(opts.system ? [{ role: "system" as const, content: opts.system }] : []),
      { role: "user" as const, content: prompt },
    ],
  };
  return classifyDifficulty({
    request,
    needs: opts.needs ?? [],
    taskType: opts.taskType ?? null,
    promptTokens: opts.promptTokens ?? 20,
    config: CONFIG.fallback.difficulty,
  });
}

const LABELLED: [DifficultyClass, string][] = [
  // Code: code in the prompt, or a request for it.
  ["code", "Write a Python function that returns the n-th Fibonacci number using memoization."],
  ["code", "Fix the bug in this function:\n```js\nfunction add(a, b) { return a - b }\n```"],
  ["code", "Why does this crash?\nTraceback (most recent call last):\n  File \"app.py\", line 3\nKeyError: 'id'"],
  ["code", "Implement a thread-safe LRU cache in Rust."],
  ["code", "def area(r):\n    return 3.14 * r * r\nclass Circle:\n    pass\nCan you add type hints?"],
  ["code", "Write a SQL query that returns the top 5 customers by revenue last month."],
  ["code", "Refactor my code so the React component stops re-rendering on every keystroke."],
  // Reasoning: maths, proofs, explicit step-by-step reasoning.
  ["reasoning", "Prove that the square root of 2 is irrational."],
  ["reasoning", "Compute \\int_0^1 x^2 \\, dx and explain each step."],
  ["reasoning", "Solve for x: 3x + 7 = 22, then check the answer."],
  ["reasoning", "A bat and a ball cost $1.10 in total. Think step by step: how much is the ball?"],
  ["reasoning", "How many ways can 8 rooks be placed on a chessboard so that none attack each other?"],
  ["reasoning", "Find the eigenvalues of the matrix [[2, 1], [1, 2]]."],
];

const PLAIN: string[] = [
  "What's the capital of France?",
  "Write a haiku about autumn leaves.",
  "Give me step-by-step instructions to make a cup of tea.",
  "I have a class at 9 tomorrow, remind me what to bring for a chemistry lab.",
  "What is the function of the liver?",
  "Translate 'good morning' into Spanish.",
  "Who wrote Pride and Prejudice?",
  "What's 12 times 7?",
  "Recommend a movie like The Matrix.",
  "Summarize: the meeting moved to Thursday at 3pm, bring the budget.",
  "Write a short birthday message for my sister.",
  "What is Python used for?",
];

describe("difficulty classes", () => {
  for (const [expected, prompt] of LABELLED) {
    it(`${expected}: ${prompt.split("\n")[0]?.slice(0, 60)}`, () => {
      const d = classOf(prompt);
      expect(d.class, d.signals.join("; ")).toBe(expected);
      expect(d.quality_floor).toBe(CONFIG.fallback.difficulty.classes[expected].quality_floor);
      expect(d.signals.length).toBeGreaterThan(0);
    });
  }

  for (const prompt of PLAIN) {
    it(`simple, not over-classed: ${prompt}`, () => {
      const d = classOf(prompt);
      expect(d.class, d.signals.join("; ")).toBe("simple");
      expect(d.signals).toEqual([]);
    });
  }

  it("what the request asks: capabilities, task type, tools and a long prompt", () => {
    expect(classOf("hello", { needs: ["tools"] })).toMatchObject({ class: "standard", signals: ["requires tools"] });
    expect(classOf("hello", { needs: ["code"] }).class).toBe("code");
    expect(classOf("hello", { needs: ["reasoning"] }).class).toBe("reasoning");
    expect(classOf("hello", { taskType: "code_generation" })).toMatchObject({
      class: "code",
      signals: ["task type code_generation"],
    });
    const long = classOf("Summarize this report.", { promptTokens: 60_000 });
    expect(long.class).toBe("long_context");
    expect(long.signals[0]).toMatch(/~60000 prompt tokens \(long_context_tokens 32000\)/);
    // One token under the threshold is not long.
    expect(classOf("Summarize this report.", { promptTokens: 31_999 }).class).toBe("simple");
  });

  it("the hardest signal wins and the others are listed with their class", () => {
    const d = classOf("Prove the loop invariant of this function:\n```py\nwhile i < n:\n    i += 1\n```", {
      needs: ["tools"],
    });
    // code and reasoning share the top floor; reasoning is the later class.
    expect(d.class).toBe("reasoning");
    expect(d.signals[0]).toBe("prompt has proof or calculus vocabulary");
    expect(d.signals).toContain("requires tools (standard)");
    expect(d.signals).toContain("prompt has a fenced code block (code)");
  });

  it("reads the system prompt for code, not for a language's name alone", () => {
    expect(classOf("Looks fine?", { system: "Review this:\n```go\nfunc main() {}\n```" }).class).toBe("code");
    expect(classOf("Hi!", { system: "You are a friendly assistant who likes Python and Java coffee." }).class).toBe(
      "simple",
    );
  });

  it("a follow-up to code is code; a follow-up to chat is not", () => {
    const followUp = (assistant: string): CanonicalRequest => ({
      stream: false,
      messages: [
        { role: "user", content: "Can you help me?" },
        { role: "assistant", content: assistant },
        { role: "user", content: "Thanks, now make it faster." },
      ],
    });
    const classify = (request: CanonicalRequest) =>
      classifyDifficulty({ request, needs: [], taskType: null, promptTokens: 60, config: CONFIG.fallback.difficulty });
    const afterCode = classify(
      followUp("Sure:\n```python\ndef fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n```"),
    );
    expect(afterCode).toMatchObject({ class: "code", signals: ["an earlier turn has a fenced code block"] });
    expect(classify(followUp("Of course! Walk briskly and take the stairs.")).class).toBe("simple");
  });

  it("scans a bounded slice: a huge prompt costs no more than its first 64K characters", () => {
    const huge = `${"lorem ipsum ".repeat(200_000)}\`\`\`js\nconst x = 1;\n\`\`\``;
    const started = performance.now();
    const d = classOf(huge, { promptTokens: 500_000 });
    expect(performance.now() - started).toBeLessThan(200);
    // The fence sits past the scanned slice; the size alone makes it long_context.
    expect(d.class).toBe("long_context");
  });
});

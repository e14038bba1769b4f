// How hard a request is: its class (simple .. reasoning) and that class's quality floor, from what the request asks
// (capabilities, task type, tools, a long prompt) and what it says (a cheap scan for code, maths and step-by-step
// reasoning). No model call: a few regular expressions over a bounded slice of the prompt, on every request.

import { DIFFICULTY_CLASSES } from "../config/names.ts";
import type { Capability, DifficultyClass, FallbackFile } from "../config/schema.ts";
import type { CanonicalRequest, ChatMessage } from "../core/types.ts";

export interface Difficulty {
  class: DifficultyClass;
  /** The registry quality `balanced` requires of a candidate for this request. */
  quality_floor: number;
  /** Why: every signal found, the deciding one first ("prompt has a fenced code block", ...). */
  signals: string[];
}

export interface DifficultyInput {
  request: CanonicalRequest;
  /** Required capabilities (router.capabilities, the task type's, and what the body implies). */
  needs: readonly Capability[];
  taskType: string | null;
  promptTokens: number;
  config: FallbackFile["difficulty"];
}

/** The scan reads at most this much of the last user turn and of the system prompt: the cost stays flat. */
const SCAN_USER_CHARS = 64_000;
const SCAN_SYSTEM_CHARS = 8_000;

const CAPABILITY_CLASS: Partial<Record<Capability, DifficultyClass>> = {
  reasoning: "reasoning",
  code: "code",
  long_context: "long_context",
  analysis: "standard",
  tools: "standard",
  json: "standard",
  vision: "standard",
};

const TASK_CLASS: Record<string, DifficultyClass> = {
  reasoning: "reasoning",
  high_quality: "reasoning",
  code_generation: "code",
  long_context: "long_context",
  analysis: "standard",
  tool_use: "standard",
  structured_output: "standard",
  vision: "standard",
};

// ---- code: the prompt holds code, or asks for it.
const FENCE = /```|~~~/;
/** Lines that only code starts with (one language or another). */
const CODE_LINE =
  /^[ \t]*(?:def \w+\s*\(|class \w+\s*[:({]|(?:export )?(?:async )?function\*?\s+\w+\s*\(|(?:const|let|var) \w+\s*=|import [\w{*]|from [\w.]+ import |#include\s*[<"]|(?:public|private|protected) (?:static )?[\w<>[\]]+ \w+\s*\(|func \w+\s*\(|fn \w+\s*\(|package [\w.]+;?$|SELECT .+ FROM |CREATE TABLE |for \(.*;.*;|while \(.+\)\s*\{|if \(.+\)\s*\{|return [^.]*;$|}\s*else\s*\{|<\/?(?:div|span|html|script)\b)/gm;
const STACK_TRACE =
  /Traceback \(most recent call last\)|^\s+at [\w$.<>]+ ?\(.*:\d+(?::\d+)?\)|Exception in thread|error\[E\d{4}\]|\b(?:TypeError|SyntaxError|ReferenceError|NullPointerException|IndexError|KeyError|AttributeError|Segmentation fault)\b/m;
const LANGUAGE =
  /\b(?:python|javascript|typescript|java|rust|golang|go code|c\+\+|c#|kotlin|swift|ruby|php|sql|bash|shell script|powershell|haskell|scala|elixir|lua|perl|react|node\.js|django|css|html)\b/i;
const CODE_VERB =
  /\b(?:write|implement|code|build|create|generate|fix|debug|refactor|optimi[sz]e|review|port|rewrite|convert|add|complete)\b/i;
/** Nouns that mean code whatever the language (not "class": a class timetable is not code). */
const CODE_NOUN =
  /\b(?:function|method|script|program|regex(?:p)?|regular expression|sql query|unit tests?|test suite|algorithm|code ?base|source code|snippet|api endpoint|compiler error|compile error|stack trace|segfault|bug in (?:my|this|the) (?:code|function|program|script))\b/i;
const DEBUG = /\b(?:debug|refactor|this code|my code|the code below|code review)\b/i;

// ---- maths: notation or the vocabulary of proofs and calculus (not arithmetic: 12 x 7 is simple).
const LATEX = /\\(?:frac|int|sum|sqrt|lim|prod|partial|infty|begin\{(?:equation|align|matrix|cases)\})/;
const MATH_SYMBOLS = /[∫∑∏√∂∞≤≥≠≈∈∉∀∃⊂⊆∪∩]/;
const EQUATION = /\b\d*[a-z]\s*\^\s*\d|\b\d+[a-z]\s*[+-]\s*\d+\s*=|\bf\([a-z]\)\s*=|\bsolve (?:for|the equation)\b/i;
const MATH_WORDS =
  /\b(?:prove|proof|theorem|lemma|integral|derivative|differentiate|integrate|eigen(?:value|vector)s?|determinant|inverse matrix|expected value|combinatori(?:cs|al)|modular arithmetic|prime factori[sz]ation|polynomial|logarithm|quadratic|inequality|probability that|how many ways)\b/i;

// ---- explicit multi-step reasoning (not "step-by-step instructions for tea").
const STEP_BY_STEP =
  /\b(?:think|reason|work|solve|go|walk me|explain)\b[^.?!\n]{0,40}\bstep[- ]by[- ]step\b|\bstep[- ]by[- ]step\b[^.?!\n]{0,30}\b(?:reasoning|solution|proof|derivation|analysis)\b/i;
const REASONING_WORDS =
  /\b(?:show (?:your|all|the) (?:work|reasoning|steps)|explain your reasoning|chain of thought|think (?:carefully|hard|it through)|logic puzzle|riddle|brain ?teaser|trade-?offs? between)\b/i;

function textOf(content: ChatMessage["content"] | undefined | null): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" ? p.text : "")).join("\n");
}

/** Earlier turns read for code only (a follow-up to code is code work): the few before the last user turn. */
const SCAN_EARLIER_TURNS = 4;
const SCAN_EARLIER_CHARS = 16_000;

/**
 * The slice of the prompt the scan reads: the last user turn (what is asked now), the system prompt, and the few
 * turns before the last user turn ("now make it faster" after a code answer is still code).
 */
function scanText(req: CanonicalRequest): { user: string; system: string; earlier: string } {
  let system = "";
  let last = -1;
  req.messages.forEach((m, i) => {
    if (m.role === "user") last = i;
    else if (m.role === "system" || m.role === "developer") system += `${textOf(m.content)}\n`;
  });
  const user = last < 0 ? "" : textOf(req.messages[last]?.content);
  const earlier = req.messages
    .slice(Math.max(0, last - SCAN_EARLIER_TURNS), Math.max(0, last))
    .filter((m) => m.role === "user" || m.role === "assistant")
    .map((m) => textOf(m.content).slice(0, SCAN_EARLIER_CHARS))
    .join("\n");
  return {
    user: user.slice(0, SCAN_USER_CHARS),
    system: system.slice(0, SCAN_SYSTEM_CHARS),
    earlier,
  };
}

/** Code signals in a text; each a reason, empty when none. */
export function codeSignals(text: string): string[] {
  const found: string[] = [];
  if (FENCE.test(text)) found.push("a fenced code block");
  const lines = text.match(CODE_LINE)?.length ?? 0;
  if (lines >= 2) found.push(`${lines} lines that read as code`);
  if (STACK_TRACE.test(text)) found.push("an error message or stack trace");
  const verb = CODE_VERB.test(text);
  if (verb && CODE_NOUN.test(text)) found.push("a request to write or fix code");
  else if (LANGUAGE.test(text) && (verb || CODE_NOUN.test(text))) found.push("a request for code in a named language");
  else if (DEBUG.test(text) && lines >= 1) found.push("code to debug or review");
  return found;
}

export function mathSignals(text: string): string[] {
  const found: string[] = [];
  if (LATEX.test(text) || MATH_SYMBOLS.test(text)) found.push("mathematical notation");
  if (EQUATION.test(text)) found.push("an equation to solve");
  if (MATH_WORDS.test(text)) found.push("proof or calculus vocabulary");
  return found;
}

export function reasoningSignals(text: string): string[] {
  const found: string[] = [];
  if (STEP_BY_STEP.test(text)) found.push("asks to reason step by step");
  if (REASONING_WORDS.test(text)) found.push("asks for explicit reasoning");
  return found;
}

export function classifyDifficulty(input: DifficultyInput): Difficulty {
  const { config } = input;
  const hits: { cls: DifficultyClass; why: string }[] = [];
  for (const need of input.needs) {
    const cls = CAPABILITY_CLASS[need];
    if (cls !== undefined) hits.push({ cls, why: `requires ${need}` });
  }
  if (input.taskType !== null) {
    const cls = Object.hasOwn(TASK_CLASS, input.taskType) ? TASK_CLASS[input.taskType] : undefined;
    if (cls !== undefined) hits.push({ cls, why: `task type ${input.taskType}` });
  }
  if (input.promptTokens >= config.long_context_tokens)
    hits.push({
      cls: "long_context",
      why: `~${input.promptTokens} prompt tokens (long_context_tokens ${config.long_context_tokens})`,
    });
  const { user, system, earlier } = scanText(input.request);
  for (const why of codeSignals(user)) hits.push({ cls: "code", why: `prompt has ${why}` });
  for (const why of [...mathSignals(user), ...reasoningSignals(user)])
    hits.push({ cls: "reasoning", why: `prompt has ${why}` });
  // The system prompt speaks for every turn: code there ("you are a Python reviewer") counts, maths vocabulary alone not.
  for (const why of codeSignals(system).filter((w) => w !== "a request for code in a named language"))
    hits.push({ cls: "code", why: `system prompt has ${why}` });
  // Earlier turns count only for code itself (a block or code lines), not for talk about code.
  for (const why of codeSignals(earlier).filter(
    (w) => w === "a fenced code block" || w.endsWith("lines that read as code"),
  ))
    hits.push({ cls: "code", why: `an earlier turn has ${why}` });

  if (hits.length === 0) return { class: "simple", quality_floor: config.classes.simple.quality_floor, signals: [] };
  // The hardest class wins: the highest floor, ties to the later class in DIFFICULTY_CLASSES.
  const rank = (c: DifficultyClass) => [config.classes[c].quality_floor, DIFFICULTY_CLASSES.indexOf(c)] as const;
  const hardest = hits.reduce((best, h) => {
    const [fa, ia] = rank(h.cls);
    const [fb, ib] = rank(best.cls);
    return fa > fb || (fa === fb && ia > ib) ? h : best;
  });
  const signals = [hardest, ...hits.filter((h) => h !== hardest)].map((h) =>
    h.cls === hardest.cls ? h.why : `${h.why} (${h.cls})`,
  );
  return { class: hardest.cls, quality_floor: config.classes[hardest.cls].quality_floor, signals };
}

// Prompt-size estimate for routing (context-window checks, cost estimates): a calibrated estimator, no tokenizer.
import type { CanonicalRequest } from "../core/types.ts";

/**
 * Weights fitted (least squares on relative error) against OpenAI's o200k_base tokenizer over English prose, code,
 * JSON and ten other languages; test/node/routing/tokens-calibration.test.ts measures the error bound that
 * docs/routing.md states. A real tokenizer would add its vocabulary (megabytes) to the Worker bundle.
 */
const W = {
  /** A Latin-script word (letters, accented letters included). */
  word: 0.57,
  /** Each letter of a word past the fourth: long words split into several tokens. */
  longWordChar: 0.26,
  /** Each accented Latin letter (é, ł, ş): they break words into pieces. */
  accented: 1.0,
  /** A run of up to three digits: numbers are split into groups of three. */
  digitGroup: 0.93,
  /** A run of ASCII punctuation or symbols, and each further three characters of it. */
  punctRun: 1.2,
  punctExtra: 0.34,
  /** A run of whitespace (indentation merges into one or two tokens). */
  spaceRun: 0.02,
  /** A CJK ideograph, kana or Hangul syllable. */
  cjk: 0.69,
  /** A Cyrillic letter (each Cyrillic word also counts as a word). */
  cyrillic: 0.17,
  /** Any other character (Arabic, Devanagari, emoji...): not calibrated, counted high on purpose. */
  other: 1.0,
} as const;

/** Per-message framing in OpenAI's chat format (role and separators), and the reply's priming. */
const PER_MESSAGE = 4;
const PER_REQUEST = 3;
/** An image at high/auto detail (a 1024x1024 tile set on gpt-4o) and at low detail. */
const IMAGE_TOKENS = 765;
const IMAGE_LOW_TOKENS = 85;

const RUN = { none: 0, word: 1, digits: 2, punct: 3, space: 4, cyrillic: 5 } as const;
type Run = (typeof RUN)[keyof typeof RUN];

function isLatinLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}
function isCjk(c: number): boolean {
  return (
    (c >= 0x3000 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xff00 && c <= 0xffef)
  );
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isAsciiPunct(c: number): boolean {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

/** Estimated o200k tokens in a piece of text. One pass over char codes: this runs on every request. */
export function estimateTextTokens(text: string): number {
  let tokens = 0;
  let run: Run = RUN.none;
  let runLength = 0;
  const close = () => {
    if (run === RUN.word) tokens += W.word + W.longWordChar * Math.max(0, runLength - 4);
    else if (run === RUN.digits) tokens += W.digitGroup * Math.ceil(runLength / 3);
    else if (run === RUN.punct) tokens += W.punctRun + W.punctExtra * Math.floor((runLength - 1) / 3);
    else if (run === RUN.space) tokens += W.spaceRun;
    else if (run === RUN.cyrillic) tokens += W.word + W.cyrillic * runLength;
    run = RUN.none;
    runLength = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kind: Run = isLatinLetter(c)
      ? RUN.word
      : c >= 48 && c <= 57
        ? RUN.digits
        : isSpace(c)
          ? RUN.space
          : isAsciiPunct(c)
            ? RUN.punct
            : c >= 0x400 && c <= 0x4ff
              ? RUN.cyrillic
              : RUN.none;
    if (kind !== run) close();
    if (kind === RUN.none) {
      if (isCjk(c)) tokens += W.cjk;
      else if (c >= 0xdc00 && c <= 0xdfff)
        continue; // the second half of a surrogate pair was counted with the first
      else tokens += W.other;
      continue;
    }
    run = kind;
    runLength++;
    if (kind === RUN.word && c >= 0xc0) tokens += W.accented;
  }
  close();
  return tokens;
}

/** Estimated prompt tokens of a whole request: messages with their framing, tool calls, tool definitions, images. */
export function estimatePromptTokens(req: CanonicalRequest): number {
  let tokens = PER_REQUEST;
  for (const m of req.messages) {
    tokens += PER_MESSAGE;
    const content = m.content;
    if (typeof content === "string") tokens += estimateTextTokens(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === "text") tokens += estimateTextTokens(part.text);
        else tokens += part.image_url.detail === "low" ? IMAGE_LOW_TOKENS : IMAGE_TOKENS;
      }
    }
    if (m.role === "assistant")
      for (const c of m.tool_calls ?? [])
        tokens += estimateTextTokens(c.function.name) + estimateTextTokens(c.function.arguments);
  }
  if (req.tools !== undefined && req.tools.length > 0) tokens += estimateTextTokens(JSON.stringify(req.tools));
  return Math.ceil(tokens);
}

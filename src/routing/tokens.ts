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

/**
 * o200k_base's pre-tokenizer: a token never spans two of these pieces, so every piece costs at least one token and
 * at most its own bound below. (Its case-insensitive contractions are spelled out: the `(?i:)` group is not in every
 * JavaScript engine.)
 */
const CONTRACTION = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
const PIECE = new RegExp(
  [
    `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+${CONTRACTION}`,
    `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*${CONTRACTION}`,
    "\\p{N}{1,3}",
    " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
    "\\s*[\\r\\n]+",
    "\\s+(?!\\S)",
    "\\s+",
  ].join("|"),
  "gu",
);
/** An ordinary word: lower case (or capitalised) ASCII letters with a vowel, short enough to be in the vocabulary. */
const ORDINARY_WORD = /^[^A-Za-z]?[A-Z]?[a-z]*[aeiouy][a-z]*(?:'[a-z]{1,2})?$/;
const ORDINARY_MAX_LETTERS = 12;
/** Ordinary words cost this much each, and this much per letter past the sixth (rare and long words split). */
const ORDINARY_WORD_TOKENS = 1.2;
const ORDINARY_LONG_LETTER = 0.3;

/** The bound of one piece: one token per ASCII character or UTF-8 byte unless the piece is plainly ordinary. */
function pieceBound(piece: string): number {
  const first = piece.charCodeAt(0);
  const last = piece.charCodeAt(piece.length - 1);
  // Digits come in groups of at most three, each group one token.
  if (first >= 48 && first <= 57) return 1;
  if (isSpace(first) && isSpace(last)) {
    // o200k has tokens for long runs of spaces and for a few newlines at a time; mixed whitespace merges less.
    if (/^ +$/.test(piece)) return 1 + Math.ceil(piece.length / 32);
    if (/^\n+$/.test(piece)) return 1 + Math.ceil(piece.length / 8);
    return 1 + Math.ceil(piece.length / 2);
  }
  const letters = piece.replace(/^[^\p{L}\p{M}]/u, "").replace(/'[A-Za-z]{1,2}$/, "");
  if (ORDINARY_WORD.test(piece) && letters.length <= ORDINARY_MAX_LETTERS) {
    return ORDINARY_WORD_TOKENS + ORDINARY_LONG_LETTER * Math.max(0, letters.length - 6);
  }
  // A Cyrillic or Greek word: two bytes a letter, but never more than a token for most of its letters.
  if (/^[^\p{L}\p{N}]?[\u0370-\u03ff\u0400-\u04ff]+$/u.test(piece)) return 1 + 0.8 * letters.length;
  // Anything else (mixed case, no vowel, punctuation, other scripts): each ASCII character at most one token, each
  // other character at most its UTF-8 bytes (byte-level BPE), but no more than 2.5 for a CJK character (every one has
  // a token or two in o200k) .
  let bound = 0;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c < 0x80) bound += 1;
    else if (c < 0x800) bound += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bound += 4;
      i++;
    } else bound += isCjk(c) ? 2.5 : 3;
  }
  // A leading space or punctuation mark usually merges with what follows; long punctuation runs merge too.
  return Math.max(1, Math.min(bound, 1 + Math.ceil(bound * 0.8)));
}

/**
 * An upper bound of a text's o200k tokens, for the checks that must not be short (context windows, tokens-per-minute
 * limits): every pre-tokenizer piece costs at least one token, ordinary words a little more, anything unusual (random
 * letters, base64, symbols, other scripts) one per character or byte. It is never below the tokenizer's count on the
 * adversarial texts of test/node/routing/tokens-bound.test.ts (repetitions, random strings, code, JSON, emoji, CJK),
 * where estimateTextTokens (the calibrated figure, for cost) may be far below: `"word ".repeat(60000)` is 60,001
 * tokens, estimated ~35,400 and bounded 72,002.
 */
export function boundTextTokens(text: string): number {
  let bound = 0;
  for (const match of text.matchAll(PIECE)) bound += pieceBound(match[0]);
  return Math.ceil(Math.max(bound, estimateTextTokens(text) * 1.2));
}

/** The largest image any of our providers bills (Anthropic: ~1,600 tokens for a 1.15 MP image). */
const IMAGE_TOKENS_BOUND = 2_000;

/**
 * An upper bound of a whole request's prompt tokens (boundTextTokens for its text, the dearest image, the framing):
 * what the context-window filter and the tokens-per-minute limits check. Cost estimates keep estimatePromptTokens.
 */
export function boundPromptTokens(req: CanonicalRequest): number {
  // Asked by the plan's context filter and again by the rate limits: one scan of the prompt per request.
  let tokens = bounds.get(req);
  if (tokens === undefined) {
    tokens = promptBoundBy(req, boundTextTokens);
    bounds.set(req, tokens);
  }
  return tokens;
}

const bounds = new WeakMap<CanonicalRequest, number>();

/**
 * A quick upper bound of boundPromptTokens, from the texts' lengths alone (no scan): every piece of a text costs at
 * most three tokens per UTF-16 unit in boundTextTokens (four for a surrogate pair, two units), and its rounding adds
 * at most one per text. Where this fits a model's window the tight bound would too, so the context filter scans the
 * prompt only for the models it might not fit (bench/ANALYSIS.md, "the sixth round", measures what the scan costs).
 */
export function promptTokensCeiling(req: CanonicalRequest): number {
  return promptBoundBy(req, (text) => 3 * text.length + 1);
}

/** A prompt's bound from a bound of each of its texts: framing, each message's texts and tool calls, images, tools. */
function promptBoundBy(req: CanonicalRequest, text: (s: string) => number): number {
  let tokens = PER_REQUEST;
  for (const m of req.messages) {
    tokens += PER_MESSAGE;
    const content = m.content;
    if (typeof content === "string") tokens += text(content);
    else if (Array.isArray(content)) {
      for (const part of content) tokens += part.type === "text" ? text(part.text) : IMAGE_TOKENS_BOUND;
    }
    if (m.role === "assistant")
      for (const c of m.tool_calls ?? []) tokens += text(c.function.name) + text(c.function.arguments) + PER_MESSAGE;
  }
  if (req.tools !== undefined && req.tools.length > 0) tokens += text(JSON.stringify(req.tools));
  return tokens;
}

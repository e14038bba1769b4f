// zod's English messages for the issues the gateway's schemas raise, in zod's own wording ("Invalid input: expected
// string, received number"). zod/mini sets no locale, and zod's English locale is about 1 KiB of the gzip bundle for
// dozens of string formats the gateway never checks; test/config/zod-messages.test.ts holds this to the locale's
// wording on every issue code.
import type * as z from "zod/mini";

const UNITS: Record<string, string> = { string: "characters", array: "items", set: "items", map: "entries" };
const FORMATS: Record<string, string> = { url: "URL", date: "ISO date", datetime: "ISO datetime", regex: "input" };

const shown = (v: unknown): string => (typeof v === "string" ? `"${v}"` : `${v}${typeof v === "bigint" ? "n" : ""}`);

/** What a value is, in zod's names (a coerced query parameter can be NaN or Infinity; JSON has no class instances). */
const kind = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" && !Number.isFinite(v) ? `${v}` : typeof v;

function size(word: string, origin: string | undefined, adj: string, bound: number | bigint): string {
  const unit = UNITS[origin ?? ""];
  return `Too ${word}: expected ${origin ?? "value"} to ${unit ? "have" : "be"} ${adj}${bound}${unit ? ` ${unit}` : ""}`;
}

export function zodMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `Invalid input: expected ${issue.expected}, received ${kind(issue.input)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `Invalid input: expected ${shown(issue.values[0])}`
        : `Invalid option: expected one of ${issue.values.map(shown).join("|")}`;
    case "too_big":
      return size("big", issue.origin, issue.exact ? "exactly " : issue.inclusive ? "<=" : "<", issue.maximum);
    case "too_small":
      return size("small", issue.origin, issue.exact ? "exactly " : issue.inclusive ? ">=" : ">", issue.minimum);
    case "invalid_format":
      return issue.format === "regex" && issue.pattern
        ? `Invalid string: must match pattern ${issue.pattern}`
        : `Invalid ${FORMATS[issue.format] ?? issue.format}`;
    case "not_multiple_of":
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `Unrecognized key${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.map(shown).join(", ")}`;
    case "invalid_key":
      return `Invalid key in ${issue.origin}`;
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      return options?.length
        ? `Invalid discriminator value. Expected ${options.map((o) => `'${o}'`).join(" | ")}`
        : issue.inclusive === false
          ? "Invalid input: more than one option matched"
          : "Invalid input";
    }
    case "invalid_element":
      return `Invalid value in ${issue.origin}`;
    default:
      return "Invalid input";
  }
}

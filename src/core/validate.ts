// Validation with zod: the first issue becomes a 400 GatewayError whose `param` is the dotted path to the bad field.
import * as z from "zod/mini";
import { GatewayError } from "./gateway-error.ts";

type Issue = z.core.$ZodIssue;

/**
 * A query parameter (always a string) read as a number and then checked by `checked`: what `z.coerce.number()` does,
 * without the coerce namespace, which bundles zod's bigint and date schemas with it.
 */
export const queryNumber = <T extends z.ZodMiniNumber<number>>(checked: T) =>
  z.pipe(z.pipe(z.string(), z.transform(Number)), checked);

export function parseOrThrow<T extends z.core.$ZodType>(schema: T, value: unknown, paramPrefix = ""): z.infer<T> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const issue = first === undefined ? undefined : closest(first);
  const path = issue ? issue.path.map(String) : [];
  // A field the schema does not know is named where it is: the object's path and the first unknown key.
  if (issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const param = [paramPrefix, ...path].filter((p) => p !== "").join(".");
  const where = param === "" ? "The request" : `'${param}'`;
  throw new GatewayError(400, `${where}: ${issue?.message ?? "invalid"}`, {
    param: param === "" ? null : param,
    code: "invalid_value",
  });
}

/**
 * A union's issue says only "Invalid input". The branch the value came closest to says what is wrong, and where:
 * one whose `type` (every dialect's discriminator) matched, then the fewest issues, then the deepest first issue.
 * A value no branch got into (every first issue is at the union itself) gets the issue of the branch whose type it
 * had (its check failed: too many items, not one of its words), else the types the branches expected.
 */
function closest(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  let best: { head: Issue; rank: [number, number, number] } | undefined;
  for (const branch of issue.errors) {
    const head = branch[0];
    if (head === undefined || head.path.length === 0) continue;
    const typeMissed = branch.some((i) => i.path.at(-1) === "type") ? 1 : 0;
    const rank: [number, number, number] = [typeMissed, branch.length, -head.path.length];
    if (best === undefined || before(rank, best.rank)) best = { head, rank };
  }
  if (best === undefined) {
    // The value had one branch's type but failed its check (too many items, not one of its words): that check says it.
    const checked = issue.errors.find((branch) => branch[0] !== undefined && branch[0].code !== "invalid_type")?.[0];
    if (checked === undefined) return withExpected(issue);
    const inner = closest(checked);
    return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
  }
  const inner = closest(best.head);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}

/** A union no branch of which got into the value: name what each branch expected ("expected string or array"). */
function withExpected(issue: Extract<Issue, { code: "invalid_union" }>): Issue {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    const head = branch[0];
    if (head?.code !== "invalid_type") return issue;
    expected.add(head.expected);
  }
  return { ...issue, message: `Invalid input: expected ${[...expected].join(" or ")}` };
}

function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

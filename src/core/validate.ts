// Validation with zod: the first issue becomes a 400 GatewayError whose `param` is the dotted path to the bad field.
import * as z from "zod/mini";
import { GatewayError } from "./gateway-error.ts";

export function parseOrThrow<T extends z.core.$ZodType>(schema: T, value: unknown, paramPrefix = ""): z.infer<T> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  const param = [paramPrefix, ...path].filter((p) => p !== "").join(".");
  const where = param === "" ? "The request" : `'${param}'`;
  throw new GatewayError(400, `${where}: ${issue?.message ?? "invalid"}`, {
    param: param === "" ? null : param,
    code: "invalid_value",
  });
}

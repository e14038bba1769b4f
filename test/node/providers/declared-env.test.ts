// Every env variable a provider declares is documented where an operator looks: .dev.vars.example and the guide.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SPEC_LIST } from "../../../src/providers/specs.ts";

const declared = SPEC_LIST.flatMap((spec) => [
  spec.env.key,
  spec.env.keys,
  spec.env.baseUrl,
  ...(spec.env.extra ?? []),
]).filter((name): name is string => name !== undefined);

describe("declared provider variables", () => {
  it.each([".dev.vars.example", "docs/LLM_PROVIDERS.md"])("are each named in %s", (file) => {
    const text = readFileSync(file, "utf8");
    expect(declared.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });

  it("name each secret among the provider's own variables", () => {
    for (const spec of SPEC_LIST) {
      const own = [spec.env.key, spec.env.keys, spec.env.baseUrl, ...(spec.env.extra ?? [])];
      for (const secret of spec.secrets) expect(own, `${spec.id}: ${secret}`).toContain(secret);
      if (spec.env.key !== undefined) expect(spec.secrets).toContain(spec.env.key);
      if (spec.env.keys !== undefined) expect(spec.secrets).toContain(spec.env.keys);
    }
  });
});

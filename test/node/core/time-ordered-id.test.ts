import { describe, expect, it } from "vitest";
import { realDeps, timeOrderedId } from "../../../src/execute/deps.ts";

describe("timeOrderedId", () => {
  it("is the prefix and 24 hex digits, the first 12 the millisecond it was made", () => {
    const at = Date.UTC(2026, 11, 3, 8, 0, 0, 123);
    const id = timeOrderedId("req", at);
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(Number.parseInt(id.slice(4, 16), 16)).toBe(at);
    expect(realDeps.newId("req")).toMatch(/^req_[0-9a-f]{24}$/);
  });

  it("sorts later ids after earlier ones, as the ledger's keys need to append", () => {
    const times = [0, 1, 999, 1_000, 1_700_000_000_000, 1_764_748_800_000, 1_764_748_800_001, 2 ** 47];
    const ids = times.map((t) => timeOrderedId("req", t));
    expect([...ids].sort()).toEqual(ids);
    // Made at once, in order of their clock: never out of order across milliseconds.
    const many = Array.from({ length: 2_000 }, (_, i) => timeOrderedId("req", 1_764_748_800_000 + Math.floor(i / 10)));
    for (let i = 1; i < many.length; i++)
      if (Math.floor(i / 10) !== Math.floor((i - 1) / 10)) expect(many[i]! > many[i - 1]!).toBe(true);
  });

  it("keeps ids made in the same millisecond apart", () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => timeOrderedId("req", 1_764_748_800_000)));
    expect(ids.size).toBe(20_000);
  });
});

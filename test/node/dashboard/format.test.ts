// The dashboard's number formatting (dashboard/dom.ts): money in plain decimals at every size, and counts with the
// noun in the singular for one.
import { describe, expect, it } from "vitest";
import { counted, usd } from "../../../dashboard/dom.ts";

describe("usd()", () => {
  it("shows a cost under a micro-dollar in plain decimals, keeping two significant digits", () => {
    expect(usd(7.6e-7)).toBe("$0.00000076");
    expect(usd(2e-8)).toBe("$0.00000002");
    expect(usd(1.234e-9)).toBe("$0.0000000012");
    expect(usd(1e-12)).toBe("$0.000000000001");
  });

  it("never prints exponent notation, however small or large the amount", () => {
    for (let exp = -12; exp <= 8; exp++) {
      for (const mantissa of [1, 2.5, 7.6, 9.99]) {
        const value = mantissa * 10 ** exp;
        expect(usd(value)).not.toMatch(/e/i);
        expect(usd(-value)).not.toMatch(/e/i);
      }
    }
    expect(usd(Number.MIN_VALUE)).not.toMatch(/e/i);
    expect(usd(1e21)).not.toMatch(/e/i);
  });

  it("shows costs under a cent with two significant digits and cents above", () => {
    expect(usd(0.0012)).toBe("$0.0012");
    expect(usd(0.00999)).toBe("$0.01");
    expect(usd(0.0099)).toBe("$0.0099");
    expect(usd(0.01)).toBe("$0.01");
    expect(usd(0.125)).toBe("$0.13");
    expect(usd(12.5)).toBe("$12.50");
    expect(usd(1234.5)).toBe("$1234.50");
  });

  it("puts the minus sign before the dollar sign", () => {
    expect(usd(-1.5)).toBe("-$1.50");
    expect(usd(-7.6e-7)).toBe("-$0.00000076");
  });

  it("says $0 for zero, 'unpriced' for no price, and – for what is not a number", () => {
    expect(usd(0)).toBe("$0");
    expect(usd(-0)).toBe("$0");
    expect(usd(null)).toBe("unpriced");
    expect(usd(undefined)).toBe("unpriced");
    expect(usd(Number.NaN)).toBe("–");
    expect(usd(Number.POSITIVE_INFINITY)).toBe("–");
  });

  it("says an amount below a pico-dollar (the ledger's unit) is below one, not a long row of zeros", () => {
    expect(usd(3e-15)).toBe("<$0.000000000001");
    expect(usd(-3e-15)).toBe("-<$0.000000000001");
  });
});

describe("counted()", () => {
  it("puts the noun in the singular for one and the plural otherwise", () => {
    expect(counted(1, "hit")).toBe("1 hit");
    expect(counted(0, "hit")).toBe("0 hits");
    expect(counted(2, "hit")).toBe("2 hits");
    expect(counted(1234, "request")).toBe("1,234 requests");
    expect(counted(1, "try", "tries")).toBe("1 try");
    expect(counted(3, "try", "tries")).toBe("3 tries");
  });

  it("says – for a count the gateway did not give", () => {
    expect(counted(undefined, "request")).toBe("– requests");
    expect(counted(null, "request")).toBe("– requests");
  });
});

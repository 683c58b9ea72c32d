import { describe, expect, it } from "vitest";
import {
  addUsage,
  compactedText,
  costLabel,
  formatTokens,
  formatUsd,
  meterLevel,
  meterText,
  noUsage,
  tokenBreakdown,
} from "./usage";

const used = (cost_usd: number | null) => ({ ...noUsage, input_tokens: 1200, cache_read_tokens: 30_000, cost_usd });

describe("usage in words", () => {
  it.each([
    [0, "0"],
    [850, "850"],
    [12_400, "12.4k"],
    [31_249, "31.2k"],
    [32_000, "32k"],
    [200_000, "200k"],
    [999_999, "1M"],
    [1_250_000, "1.3M"],
  ])("%d tokens read as %s", (n, text) => {
    expect(formatTokens(n)).toBe(text);
  });

  it.each([
    [0, "$0.00"],
    [0.00004, "< $0.0001"],
    [0.0042, "$0.0042"],
    [0.005, "$0.005"],
    [0.09, "$0.09"],
    [0.1, "$0.10"],
    [0.0425, "$0.043"],
    [0.31, "$0.31"],
    [1.5, "$1.50"],
    [12.345, "$12.35"],
  ])("$%d reads as %s", (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it("a cost the server could not price is unknown, never $0", () => {
    expect(costLabel(null)).toBe("unknown");
    expect(costLabel(undefined)).toBe("unknown");
    expect(costLabel(0)).toBe("$0.00");
  });

  it("adding usages adds every kind; one unpriced call makes the cost unknown", () => {
    expect(addUsage(used(0.01), used(0.02))).toEqual({ ...noUsage, input_tokens: 2400, cache_read_tokens: 60_000, cost_usd: 0.03 });
    expect(addUsage(used(0.01), used(null)).cost_usd).toBeNull();
    expect(addUsage(used(null), used(0.01)).cost_usd).toBeNull();
  });

  it("the token breakdown names cache reads", () => {
    expect(tokenBreakdown(used(0.01))).toBe("1,200 input · 0 output · 30,000 cache read · 0 cache write tokens");
  });

  it("the meter warns from 70% of the window and alarms from 90%", () => {
    expect(meterLevel(0, 32_000)).toBe("ok");
    expect(meterLevel(22_399, 32_000)).toBe("ok");
    expect(meterLevel(22_400, 32_000)).toBe("near");
    expect(meterLevel(28_800, 32_000)).toBe("full");
    expect(meterLevel(40_000, 32_000)).toBe("full");
    expect(meterText(12_400, 32_000)).toBe("12.4k of 32k tokens (39%)");
    expect(meterText(40_000, 32_000)).toBe("40k of 32k tokens (100%)");
  });

  it("a compaction reads as what it condensed, from and to", () => {
    expect(compactedText(31_200, 12_400)).toBe(
      "Older parts of the conversation were condensed to fit: 31.2k → 12.4k tokens",
    );
  });
});

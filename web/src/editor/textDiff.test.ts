import { describe, expect, it } from "vitest";
import { mutate, rng } from "../testing/random";
import { applyEdits, diffLines, minimalEdits, splitKeepingEnds } from "./textDiff";

describe("diffLines", () => {
  it("finds nothing in equal texts", () => {
    expect(diffLines(["a", "b"], ["a", "b"])).toEqual([]);
  });

  it("keeps two separate changes apart", () => {
    const a = ["1", "2", "3", "4", "5", "6"];
    const b = ["1", "two", "3", "4", "five", "6"];
    expect(diffLines(a, b)).toEqual([
      { aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 },
      { aStart: 4, aEnd: 5, bStart: 4, bEnd: 5 },
    ]);
  });

  it("reports pure insertions and deletions", () => {
    expect(diffLines(["a", "c"], ["a", "b", "c"])).toEqual([{ aStart: 1, aEnd: 1, bStart: 1, bEnd: 2 }]);
    expect(diffLines(["a", "b", "c"], ["a", "c"])).toEqual([{ aStart: 1, aEnd: 2, bStart: 1, bEnd: 1 }]);
  });
});

describe("minimalEdits", () => {
  it("touches only the changed characters", () => {
    const before = "<h1>Hello</h1>\n<p>text</p>\n";
    const after = "<h1>Hello, world</h1>\n<p>text</p>\n";
    expect(minimalEdits(before, after)).toEqual([{ start: 9, end: 9, text: ", world" }]);
  });

  it("gives one edit per separated change, so text between them is never replaced", () => {
    const before = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 2\n", "line two\n").replace("line 48", "line forty-eight");
    const edits = minimalEdits(before, after);
    expect(edits).toHaveLength(2);
    expect(applyEdits(before, edits)).toBe(after);
  });

  it("round-trips random edits", () => {
    const rand = rng(7);
    for (let t = 0; t < 300; t++) {
      const base = Array.from({ length: Math.floor(rand() * 20) }, (_, i) => `l${i}`);
      const before = base.join("\n") + (rand() < 0.5 ? "\n" : "");
      const after = mutate(base, rand).join("\n") + (rand() < 0.5 ? "\n" : "");
      const edits = minimalEdits(before, after);
      expect(applyEdits(before, edits)).toBe(after);
      for (let i = 1; i < edits.length; i++) expect(edits[i].start).toBeGreaterThanOrEqual(edits[i - 1].end);
    }
  });

  it("splits lines keeping their ends", () => {
    expect(splitKeepingEnds("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(splitKeepingEnds("a\nb")).toEqual(["a\n", "b"]);
    expect(splitKeepingEnds("")).toEqual([]);
  });
});

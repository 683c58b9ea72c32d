import { describe, expect, it } from "vitest";
import {
  applyEdits,
  diffLines,
  minimalEdits,
  revertLineChanges,
  splitKeepingEnds,
  toLineChanges,
} from "./textDiff";

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function mutate(lines: string[], rand: () => number): string[] {
  const out = lines.slice();
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.33) out.splice(at, 1);
    else if (op < 0.66) out.splice(at, 0, `new ${Math.floor(rand() * 100)}`);
    else out.splice(at, 1, `changed ${Math.floor(rand() * 100)}`);
  }
  return out;
}

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

describe("revertLineChanges", () => {
  const original = ["<h1>Title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<footer/>"].join("\n");
  const modified = ["<h1>New title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<p>four</p>", "<footer/>"].join("\n");

  it("rejecting one of two hunks keeps the other", () => {
    const changes = toLineChanges(original, modified);
    expect(changes).toHaveLength(2);
    const kept = revertLineChanges(original, modified, [changes[0]]);
    expect(kept).toContain("<h1>Title</h1>");
    expect(kept).toContain("<p>four</p>");
    const other = revertLineChanges(original, modified, [changes[1]]);
    expect(other).toContain("<h1>New title</h1>");
    expect(other).not.toContain("<p>four</p>");
  });

  it("rejecting every hunk gives the original back", () => {
    const rand = rng(11);
    for (let t = 0; t < 200; t++) {
      const base = Array.from({ length: 1 + Math.floor(rand() * 15) }, (_, i) => `x${i}`);
      const a = base.join("\n");
      const b = mutate(base, rand).join("\n");
      expect(revertLineChanges(a, b, toLineChanges(a, b))).toBe(a);
      expect(revertLineChanges(a, b, [])).toBe(b);
    }
  });

  it("reverts a trailing insertion without adding a newline", () => {
    expect(revertLineChanges("a\nb", "a\nb\nc", toLineChanges("a\nb", "a\nb\nc"))).toBe("a\nb");
  });
});

import { describe, expect, it } from "vitest";
import { mutate, rng } from "../testing/random";
import { revertOnto } from "./rebase";
import { toLineChanges } from "./textDiff";

const lines = (...l: string[]) => l.join("\n") + "\n";

// A version changed the title (hunk 0) and the footer (hunk 1).
const BEFORE = lines("<h1>Old title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<footer>Old</footer>");
const AFTER = lines("<h1>New title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<footer>New</footer>");
const HUNKS = toLineChanges(BEFORE, AFTER);

describe("taking back hunks of a version from the file as it is now", () => {
  it("the file unchanged since: every hunk applies, and all of them give the version's parent", () => {
    expect(HUNKS).toHaveLength(2);
    const r = revertOnto(BEFORE, AFTER, AFTER, HUNKS);
    expect(r.states).toEqual(["applies", "applies"]);
    expect(r.content).toBe(BEFORE);
  });

  it("a later edit elsewhere (lines added above) is kept, and the hunk lands where it moved", () => {
    const current = lines("<!-- banner -->", "<!-- more -->", ...AFTER.trimEnd().split("\n").slice(0, 2), "<p>TWO</p>", "<p>three</p>", "<footer>New</footer>");
    const r = revertOnto(BEFORE, AFTER, current, [HUNKS[1]]);
    expect(r.states).toEqual(["applies"]);
    expect(r.content).toBe(current.replace("<footer>New</footer>", "<footer>Old</footer>"));
  });

  it("a later edit on the hunk's own lines: it no longer applies and nothing changes", () => {
    const current = AFTER.replace("<footer>New</footer>", "<footer>Newer</footer>");
    const r = revertOnto(BEFORE, AFTER, current, [HUNKS[0], HUNKS[1]]);
    expect(r.states).toEqual(["applies", "conflict"]);
    expect(r.content).toBe(current.replace("New title", "Old title"));
  });

  it("a hunk already taken back reads as rejected, not as a conflict", () => {
    const current = AFTER.replace("New title", "Old title");
    expect(revertOnto(BEFORE, AFTER, current, HUNKS).states).toEqual(["rejected", "applies"]);
  });

  it("lines the version added are removed again; lines it removed come back", () => {
    const before = lines("a", "b", "c", "d");
    const after = lines("a", "added", "b", "d"); // added a line after a; removed c
    const hunks = toLineChanges(before, after);
    expect(hunks).toHaveLength(2);
    const current = lines("top", "a", "added", "b", "d", "tail");
    const r = revertOnto(before, after, current, hunks);
    expect(r.states).toEqual(["applies", "applies"]);
    expect(r.content).toBe(lines("top", "a", "b", "c", "d", "tail"));
  });

  it("an insertion inside the hunk's lines since is a conflict", () => {
    const before = lines("x", "1", "2", "y");
    const after = lines("x", "one", "two", "y");
    const current = lines("x", "one", "between", "two", "y");
    expect(revertOnto(before, after, current, toLineChanges(before, after)).states).toEqual(["conflict"]);
  });

  it("keeps the current file's line endings", () => {
    const current = AFTER.replace(/\n/g, "\r\n");
    expect(revertOnto(BEFORE, AFTER, current, [HUNKS[0]]).content).toBe(
      current.replace("New title", "Old title"),
    );
  });

  it("a file emptied since: nothing applies", () => {
    expect(revertOnto(BEFORE, AFTER, "", HUNKS).states).toEqual(["conflict", "conflict"]);
  });
});

describe("the file unchanged since the version", () => {
  it("taking back every hunk gives the parent; taking back none gives the file", () => {
    const rand = rng(11);
    for (let t = 0; t < 200; t++) {
      const base = Array.from({ length: 1 + Math.floor(rand() * 15) }, (_, i) => `x${i}`);
      const a = base.join("\n");
      const b = mutate(base, rand).join("\n");
      const hunks = toLineChanges(a, b);
      expect(revertOnto(a, b, b, hunks).content).toBe(a);
      expect(revertOnto(a, b, b, []).content).toBe(b);
    }
  });

  it("taking back one of two hunks keeps the other", () => {
    const original = ["<h1>Title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<footer/>"].join("\n");
    const modified = ["<h1>New title</h1>", "<p>one</p>", "<p>two</p>", "<p>three</p>", "<p>four</p>", "<footer/>"].join("\n");
    const hunks = toLineChanges(original, modified);
    expect(hunks).toHaveLength(2);
    const first = revertOnto(original, modified, modified, [hunks[0]]).content;
    expect(first).toContain("<h1>Title</h1>");
    expect(first).toContain("<p>four</p>");
    const second = revertOnto(original, modified, modified, [hunks[1]]).content;
    expect(second).toContain("<h1>New title</h1>");
    expect(second).not.toContain("<p>four</p>");
  });

  it("takes back a trailing insertion without adding a newline", () => {
    expect(revertOnto("a\nb", "a\nb\nc", "a\nb\nc", toLineChanges("a\nb", "a\nb\nc")).content).toBe("a\nb");
  });
});

describe("the file edited since, away from the version's hunks", () => {
  it("every hunk still applies, and the later lines stay (lines added at both ends)", () => {
    const rand = rng(7);
    for (let t = 0; t < 200; t++) {
      const base = ["top guard", ...Array.from({ length: 1 + Math.floor(rand() * 15) }, (_, i) => `x${i}`), "end guard"];
      const a = base.join("\n");
      const b = ["top guard", ...mutate(base.slice(1, -1), rand), "end guard"].join("\n");
      const c = `later above\n${b}\nlater below`;
      const r = revertOnto(a, b, c, toLineChanges(a, b));
      expect(r.states.every((s) => s === "applies")).toBe(true);
      expect(r.content).toBe(`later above\n${a}\nlater below`);
    }
  });
});

import { describe, expect, it } from "vitest";
import { toLineChanges } from "../editor/textDiff";
import { describeSkip, hasWork, planRejectHunks, planRejectVersion } from "./rejectPlan";

const page = (title: string, footer = "Old") => `<h1>${title}</h1>\n<p>a</p>\n<p>b</p>\n<p>c</p>\n<footer>${footer}</footer>\n`;

describe("rejecting a whole version", () => {
  it("the first version: every file it created is removed, and the plan says so", () => {
    const plan = planRejectVersion(
      [
        { path: "index.html", before: null, after: "<h1>x</h1>\n" },
        { path: "style.css", before: null, after: "h1 {}\n" },
      ],
      { "index.html": "<h1>x</h1>\n", "style.css": "h1 { color: red }\n" },
    );
    expect(plan.files).toEqual({ "index.html": null, "style.css": null });
    expect(plan.removes).toEqual(["index.html", "style.css"]);
    expect(plan.editedSince).toEqual(["style.css"]);
  });

  it("an older version: later edits to other lines survive; its own lines go back", () => {
    const before = page("Old title");
    const after = page("New title", "New");
    const now = after.replace("<p>b</p>", "<p>B, edited later</p>");
    const plan = planRejectVersion([{ path: "index.html", before, after }], { "index.html": now });
    expect(plan.files["index.html"]).toBe(page("Old title").replace("<p>b</p>", "<p>B, edited later</p>"));
    expect(plan.skipped).toEqual([]);
    expect(plan.removes).toEqual([]);
  });

  it("a part changed since stays, and is named", () => {
    const before = page("Old title");
    const after = page("New title", "New");
    const now = after.replace("<footer>New</footer>", "<footer>Newer</footer>");
    const plan = planRejectVersion([{ path: "index.html", before, after }], { "index.html": now });
    expect(plan.files["index.html"]).toBe(now.replace("New title", "Old title"));
    expect(plan.skipped).toEqual([{ path: "index.html", reason: "changed", partly: true }]);
  });

  it("a file it deleted comes back, unless it exists again; a file deleted since is named", () => {
    const plan = planRejectVersion(
      [
        { path: "old.css", before: "p {}\n", after: null },
        { path: "again.js", before: "1\n", after: null },
        { path: "gone.html", before: "<p>x</p>\n", after: "<p>y</p>\n" },
      ],
      { "old.css": null, "again.js": "2\n", "gone.html": null },
    );
    expect(plan.files).toEqual({ "old.css": "p {}\n" });
    expect(plan.skipped).toEqual([
      { path: "again.js", reason: "recreated", partly: false },
      { path: "gone.html", reason: "deleted", partly: false },
    ]);
  });

  it("a version already taken back has nothing left to do", () => {
    const before = page("Old title");
    const after = page("New title");
    const plan = planRejectVersion([{ path: "index.html", before, after }], { "index.html": before });
    expect(hasWork(plan)).toBe(false);
    expect(plan.skipped).toEqual([]);
  });
});

describe("rejecting one hunk of an older version", () => {
  const before = page("Old title");
  const after = page("New title", "New");
  const hunks = toLineChanges(before, after);

  it("applies to the file as it is now, keeping later work", () => {
    const now = "<!-- added later -->\n" + after;
    const plan = planRejectHunks({ path: "index.html", before, after }, now, [hunks[1]]);
    expect(plan.files["index.html"]).toBe(now.replace("<footer>New</footer>", "<footer>Old</footer>"));
  });

  it("says so when the hunk's lines were changed since", () => {
    const now = after.replace("New title", "Newest title");
    const plan = planRejectHunks({ path: "index.html", before, after }, now, [hunks[0]]);
    expect(hasWork(plan)).toBe(false);
    expect(plan.skipped).toEqual([{ path: "index.html", reason: "changed", partly: false }]);
  });
});

describe("what is left alone, in words", () => {
  it("names the file and says why", () => {
    expect(describeSkip({ path: "a.html", reason: "changed", partly: false })).toBe(
      "a.html: these lines were edited since, so this change no longer applies.",
    );
    expect(describeSkip({ path: "a.html", reason: "changed", partly: true })).toMatch(/some of these lines/);
    expect(describeSkip({ path: "b.css", reason: "deleted", partly: false })).toBe("b.css was deleted since.");
    expect(describeSkip({ path: "c.js", reason: "recreated", partly: false })).toMatch(/exists again/);
  });
});

import { describe, expect, it } from "vitest";
import { restoreChanges, rewind } from "./restore";

describe("the files as an old version left them", () => {
  // v1 created index.html and style.css; v2 edited index.html; v3 added app.js and deleted style.css.
  const v2 = { files: [{ path: "index.html", before: "<h1>one</h1>\n", after: "<h1>two</h1>\n" }] };
  const v3 = {
    files: [
      { path: "app.js", before: null, after: "go()\n" },
      { path: "style.css", before: "h1 {}\n", after: null },
    ],
  };
  const now = { "index.html": "<h1>two</h1>\n", "app.js": "go()\n", "style.css": null };

  it("takes back every newer version, newest first", () => {
    expect(rewind(now, [v3, v2])).toEqual({ "index.html": "<h1>one</h1>\n", "app.js": null, "style.css": "h1 {}\n" });
    expect(rewind(now, [v3])).toEqual({ "index.html": "<h1>two</h1>\n", "app.js": null, "style.css": "h1 {}\n" });
    expect(rewind(now, [])).toEqual(now);
  });

  it("lists what restoring changes: edits, removals and files brought back, by path", () => {
    expect(restoreChanges(now, rewind(now, [v3, v2]))).toEqual([
      { path: "app.js", current: "go()\n", restored: null },
      { path: "index.html", current: "<h1>two</h1>\n", restored: "<h1>one</h1>\n" },
      { path: "style.css", current: null, restored: "h1 {}\n" },
    ]);
  });

  it("a path changed and changed back since is not a change", () => {
    const back = { files: [{ path: "index.html", before: "<h1>two</h1>\n", after: "<h1>x</h1>\n" }] };
    const fwd = { files: [{ path: "index.html", before: "<h1>x</h1>\n", after: "<h1>two</h1>\n" }] };
    const current = { "index.html": "<h1>two</h1>\n" };
    expect(restoreChanges(current, rewind(current, [fwd, back]))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { EMPTY_CONSOLE, errorCount, fixRequest, logged, seenDocument } from "./previewConsole";

const boom = { level: "exception" as const, message: "TypeError: x is undefined", source: "app.js:3:5", page: "/" };

describe("the preview's console", () => {
  it("keeps the errors of the document on screen, a repeated one counted once", () => {
    let c = logged(EMPTY_CONSOLE, "doc1", boom);
    c = logged(c, "doc1", boom);
    c = logged(c, "doc1", { ...boom, level: "rejection", message: "Unhandled promise rejection: no" });
    expect(c.entries.map((e) => e.count)).toEqual([2, 1]);
    expect(errorCount(c)).toBe(3);
    expect(seenDocument(c, "doc1")).toBe(c);
    // A reload (a new document) starts afresh: a fixed error is gone.
    expect(seenDocument(c, "doc2").entries).toEqual([]);
    expect(logged(c, "doc2", boom).entries).toHaveLength(1);
  });

  it("asks the model about every error, saying where it happened", () => {
    const c = logged(logged(EMPTY_CONSOLE, "d", boom), "d", { ...boom, level: "error", message: "bad\nstack", source: "" });
    const text = fixRequest(c.entries);
    expect(text).toContain("these errors");
    expect(text).toContain("1. uncaught exception (page /, at app.js:3:5):\n    TypeError: x is undefined");
    expect(text).toContain("2. console error (page /):\n    bad\n    stack");
    expect(text).toMatch(/fix it\.$/);
  });
});

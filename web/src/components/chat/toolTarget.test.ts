import { describe, expect, it } from "vitest";
import { target } from "./ToolCard";

describe("a tool card's target", () => {
  it("names the file, the rename, the search", () => {
    expect(target({ input: { filepath: "index.html", old_code: "a", new_code: "b" } })).toBe("index.html");
    expect(target({ input: { from: "a.css", to: "css/a.css" } })).toBe("a.css → css/a.css");
    expect(target({ input: { pattern: "color:\\s*red", path_glob: "*.css" } })).toBe("color:\\s*red");
    expect(target({ input: { query: "css grid" } })).toBe("css grid");
  });
});

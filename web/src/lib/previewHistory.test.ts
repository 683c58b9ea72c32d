import { describe, expect, it } from "vitest";
import { canGo, current, EMPTY_HISTORY, go, open, shown } from "./previewHistory";

describe("the preview's back and forward", () => {
  it("follows the app's own navigation, and goes back and forward through it", () => {
    let h = shown(EMPTY_HISTORY, "/");
    h = shown(h, "/about.html");
    h = shown(h, "/about.html"); // a reload adds nothing
    expect(h.entries).toEqual(["/", "/about.html"]);
    expect(canGo(h, -1)).toBe(true);
    expect(canGo(h, 1)).toBe(false);
    h = go(h, -1);
    expect(current(h)).toBe("/");
    h = shown(h, "/"); // the frame arrives where it was sent
    expect(h.entries).toEqual(["/", "/about.html"]);
    expect(canGo(h, 1)).toBe(true);
    h = go(h, 1);
    expect(current(h)).toBe("/about.html");
  });

  it("a page opened after going back drops the forward entries", () => {
    let h = shown(shown(shown(EMPTY_HISTORY, "/"), "/a.html"), "/b.html");
    h = shown(go(go(h, -1), -1), "/");
    h = open(h, "/c.html");
    expect(h.entries).toEqual(["/", "/c.html"]);
    expect(canGo(h, 1)).toBe(false);
  });

  it("where a page sent elsewhere arrives replaces what was asked for", () => {
    let h = open(shown(EMPTY_HISTORY, "/"), "/docs");
    h = shown(h, "/docs/"); // the folder's redirect to its slash
    expect(h.entries).toEqual(["/", "/docs/"]);
    expect(go(h, 1)).toBe(h);
  });
});

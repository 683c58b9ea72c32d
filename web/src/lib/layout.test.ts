import { describe, expect, it } from "vitest";
import { DEFAULT_LAYOUT, fitPanes, HANDLE, handleKey, MIN, paneRange, parseLayout } from "./layout";

describe("pane sizes", () => {
  it("the default preview fits a 600 px layout in a 1500 px window", () => {
    const shown = fitPanes(DEFAULT_LAYOUT, 1500);
    expect(shown).toEqual({ chat: DEFAULT_LAYOUT.chat, preview: DEFAULT_LAYOUT.preview });
    expect(shown.preview).toBeGreaterThanOrEqual(600 + 20);
    expect(1500 - 2 * HANDLE - shown.chat - shown.preview).toBeGreaterThanOrEqual(MIN.editor);
  });

  it("a narrow window: the editor keeps its minimum, the preview gives way first, then the chat", () => {
    const wish = { chat: 400, preview: 900 };
    const at1400 = fitPanes(wish, 1400);
    expect(at1400.chat).toBe(400);
    expect(at1400.preview).toBe(1400 - 2 * HANDLE - MIN.editor - 400);
    const tiny = fitPanes(wish, 1000);
    expect(tiny.preview).toBe(MIN.preview);
    expect(tiny.chat).toBe(1000 - 2 * HANDLE - MIN.editor - MIN.preview);
    // Narrower than all minimums: the minimums stand.
    expect(fitPanes(wish, 500)).toEqual({ chat: MIN.chat, preview: MIN.preview });
  });

  it("a pane drags between its minimum and what leaves the editor its minimum", () => {
    const shown = { chat: 300, preview: 600 };
    expect(paneRange("chat", shown, 1500)).toEqual({ min: MIN.chat, max: 1500 - 2 * HANDLE - MIN.editor - 600 });
    expect(paneRange("preview", shown, 1500)).toEqual({ min: MIN.preview, max: 1500 - 2 * HANDLE - MIN.editor - 300 });
  });

  it("keys: arrows step (Shift steps more), Home/End go to the ends, Enter resets", () => {
    expect(handleKey("ArrowLeft", false)).toEqual({ move: -16 });
    expect(handleKey("ArrowRight", true)).toEqual({ move: 80 });
    expect(handleKey("Home", false)).toEqual({ to: "min" });
    expect(handleKey("End", false)).toEqual({ to: "max" });
    expect(handleKey("Enter", false)).toEqual({ to: "default" });
    expect(handleKey("a", false)).toBeNull();
  });

  it("stored preferences: read back, and anything unreadable falls back part by part", () => {
    expect(parseLayout(JSON.stringify({ chat: 300, preview: 700, device: "phone" }))).toEqual({
      chat: 300,
      preview: 700,
      device: "phone",
    });
    expect(parseLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout("{not json")).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout(JSON.stringify({ chat: -5, preview: "wide", device: "watch" }))).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout(JSON.stringify({ chat: 280 }))).toEqual({ ...DEFAULT_LAYOUT, chat: 280 });
  });
});

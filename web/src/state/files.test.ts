import { describe, expect, it } from "vitest";
import { apply, log } from "../testing/logs";
import { initialState } from "./reducer";

describe("binary files in the files slice", () => {
  it("follows the log: an upload marks the file binary, text written over it clears the mark", () => {
    const uploaded = apply(
      initialState,
      log("app", [{ type: "file.updated", path: "logo.png", version_id: "v1", deleted: false, binary: true }]),
    );
    expect(uploaded.files.entries["logo.png"]).toMatchObject({ binary: true, rev: 1 });
    const text = apply(
      uploaded,
      log("app", [{ type: "file.updated", path: "logo.png", version_id: "v2", deleted: false, binary: false }], 2),
    );
    expect(text.files.entries["logo.png"].binary).toBeUndefined();
    expect(text.files.entries["logo.png"].rev).toBe(2);
  });
});

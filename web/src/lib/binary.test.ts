import { describe, expect, it } from "vitest";
import { isImagePath, skippedByImport, stripCommonFolder, toBase64 } from "./binary";

const f = (path: string) => ({ path, file: new File(["x"], path.split("/").pop()!) });

describe("binary files on the client", () => {
  it("shows raster images as pictures and leaves SVG to the text editor", () => {
    expect(["a.png", "b/c.JPG", "d.jpeg", "e.webp", "f.gif"].every(isImagePath)).toBe(true);
    expect(["logo.svg", "index.html", "png"].some(isImagePath)).toBe(false);
  });

  it("encodes bytes as the API carries them, large ones included", async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const encoded = await toBase64(new Blob([bytes]));
    expect(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))).toEqual(bytes);
    expect(await toBase64(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]))).toBe("iVBORw==");
  });

  it("leaves out what the server's import leaves out", () => {
    expect(["site/.git/HEAD", "__MACOSX/site/._a", "site/.DS_Store", "site/._logo.png"].every(skippedByImport)).toBe(true);
    expect(["site/index.html", "site/images/logo.png", "git/notes.txt"].some(skippedByImport)).toBe(false);
  });

  it("strips one folder every file is in, and only then", () => {
    expect(stripCommonFolder([f("site/index.html"), f("site/img/a.png")]).map((x) => x.path)).toEqual([
      "index.html",
      "img/a.png",
    ]);
    expect(stripCommonFolder([f("site/index.html"), f("other/a.png")]).map((x) => x.path)).toEqual([
      "site/index.html",
      "other/a.png",
    ]);
    expect(stripCommonFolder([f("index.html")]).map((x) => x.path)).toEqual(["index.html"]);
  });
});

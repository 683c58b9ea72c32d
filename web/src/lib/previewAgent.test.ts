import { describe, expect, it } from "vitest";
import { agentMessage, entryAt, pagesOf, pathOf, urlOf } from "./previewAgent";

const ROOT = "http://app-1a.preview.localhost:8000/";
const PORT_ROOT = "http://192.0.2.10:8001/preview/app_1a/";

describe("the address bar's path", () => {
  it("is the page's path from the app's root, with its query and hash", () => {
    expect(pathOf(`${ROOT}`, ROOT)).toBe("/");
    expect(pathOf(`${ROOT}docs/about.html?x=1#team`, ROOT)).toBe("/docs/about.html?x=1#team");
    expect(pathOf(`${PORT_ROOT}about.html`, PORT_ROOT)).toBe("/about.html");
    expect(pathOf(`${ROOT}caf%C3%A9.html`, ROOT)).toBe("/café.html");
  });

  it("is nothing for a page outside the app", () => {
    expect(pathOf("http://app-2b.preview.localhost:8000/", ROOT)).toBeNull();
    expect(pathOf("http://192.0.2.10:8001/preview/app_2b/", PORT_ROOT)).toBeNull();
    expect(pathOf("not a url", ROOT)).toBeNull();
  });

  it("opens typed paths inside the app only", () => {
    expect(urlOf("/about.html", ROOT)).toBe(`${ROOT}about.html`);
    expect(urlOf("about.html?x=1#a", PORT_ROOT)).toBe(`${PORT_ROOT}about.html?x=1#a`);
    expect(urlOf("/../../etc/passwd", PORT_ROOT)).toBe(`${PORT_ROOT}etc/passwd`);
    expect(urlOf("/café page.html", ROOT)).toBe(`${ROOT}caf%C3%A9%20page.html`);
    expect(urlOf("", ROOT)).toBe(ROOT);
  });

  it("a renewed link lands on the page being shown", () => {
    const link = { url: `${ROOT}.appwright/123.sig/`, root: ROOT, origin: ROOT.slice(0, -1) };
    expect(entryAt(link, "/docs/a.html")).toBe(`${ROOT}.appwright/123.sig/docs/a.html`);
  });
});

describe("the app's pages", () => {
  it("are its HTML files, index pages first, shallow before deep", () => {
    expect(pagesOf(["style.css", "b.html", "docs/index.html", "a.htm", "index.html", "img/x.svg"])).toEqual([
      "index.html",
      "docs/index.html",
      "a.htm",
      "b.html",
    ]);
  });
});

describe("messages from the preview", () => {
  const frame = { contentWindow: {} } as unknown as HTMLIFrameElement;
  const origin = "http://app-1a.preview.localhost:8000";
  const event = (data: unknown, from = origin, source: unknown = frame.contentWindow) =>
    ({ data, origin: from, source }) as unknown as MessageEvent;

  it("count only from the preview's frame and origin", () => {
    const ready = { appwright: "ready", href: ROOT };
    expect(agentMessage(event(ready), frame, origin)).toEqual(ready);
    expect(agentMessage(event(ready, "http://127.0.0.1:8000"), frame, origin)).toBeNull();
    expect(agentMessage(event(ready, origin, {}), frame, origin)).toBeNull();
    expect(agentMessage(event("ready"), frame, origin)).toBeNull();
    expect(agentMessage(event({ appwright: 1 }), frame, origin)).toBeNull();
    expect(agentMessage(event(ready), frame, null)).toBeNull();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../lib/api";
import { counters } from "../lib/tracked";
import { type FakeModel, liveModels } from "../testing/fakeMonaco";
import { type DocStatus, DocumentSync } from "./documentSync";

vi.mock("./monacoSetup", () => import("../testing/fakeMonaco"));
vi.mock("../lib/api", () => ({ api: { readFile: vi.fn(), writeFile: vi.fn() } }));

/** A promise the test resolves when it chooses: a request still in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The server's files, and every write the workspace made. */
let server: Map<string, string>;
let writes: { path: string; content: string }[];
let statuses: Map<string, DocStatus>;
let sync: DocumentSync;

const readFile = vi.mocked(api.readFile);
const writeFile = vi.mocked(api.writeFile);
const served = (path: string) => ({ path, content: server.get(path) ?? "", size: 0, version_id: "v", updated_at: "" });

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function open(path: string): Promise<FakeModel> {
  return (await sync.open(path)) as unknown as FakeModel;
}

/** Past the typing debounce, and every request it started answered. */
async function afterSaveDelay() {
  await vi.advanceTimersByTimeAsync(counters.saveDelayMs + 1);
  await settle();
}

beforeEach(() => {
  vi.useFakeTimers();
  server = new Map([["index.html", "<h1>Hello</h1>\n<p>one</p>\n<p>two</p>\n"]]);
  writes = [];
  statuses = new Map();
  readFile.mockReset().mockImplementation(async (_app, path) => served(path));
  writeFile.mockReset().mockImplementation(async (_app, path, content) => {
    writes.push({ path, content });
    server.set(path, content);
    return { ...served(path), version: null };
  });
  sync = new DocumentSync("app1", (path, status) => statuses.set(path, status));
});

afterEach(() => {
  sync.dispose();
  vi.useRealTimers();
});

describe("DocumentSync", () => {
  it("loads a file into one model, once", async () => {
    const model = await open("index.html");
    expect(model.getValue()).toBe(server.get("index.html"));
    expect(await open("index.html")).toBe(model);
    expect(readFile).toHaveBeenCalledTimes(1);
    expect(statuses.get("index.html")).toEqual({ dirty: false, saving: false, conflict: null, error: null });
  });

  it("saves the vendor's typing once the typing pauses, as one write", async () => {
    const model = await open("index.html");
    model.type("<p>three</p>\n");
    model.type("<p>four</p>\n");
    expect(statuses.get("index.html")?.dirty).toBe(true);
    expect(writes).toEqual([]);
    await afterSaveDelay();
    expect(writes).toEqual([{ path: "index.html", content: model.getValue() }]);
    expect(statuses.get("index.html")).toEqual({ dirty: false, saving: false, conflict: null, error: null });
  });

  it("applies a remote change as minimal edits, and does not save it back", async () => {
    const model = await open("index.html");
    server.set("index.html", "<h1>Hello</h1>\n<p>ONE</p>\n<p>two</p>\n");
    await sync.remoteChanged("index.html");
    expect(model.getValue()).toBe(server.get("index.html"));
    // Only the changed word is replaced: the cursor, selection and undo stack elsewhere survive.
    const edits = model.pushed.flat();
    expect(edits.length).toBeGreaterThan(0);
    for (const e of edits) expect(e.end - e.start).toBeLessThanOrEqual(3);
    await afterSaveDelay();
    expect(writes).toEqual([]);
    expect(statuses.get("index.html")?.dirty).toBe(false);
  });

  it("takes the echo of its own save for what it is, not for a conflict", async () => {
    const model = await open("index.html");
    const write = deferred<void>();
    writeFile.mockImplementationOnce(async (_app, path, content) => {
      await write.promise;
      server.set(path, content);
      return { ...served(path), version: null };
    });
    model.type("<footer/>\n");
    await afterSaveDelay();
    expect(statuses.get("index.html")?.saving).toBe(true);
    const saved = model.getValue();
    model.type("<!-- still typing -->\n");
    // The app log reports our own write before its HTTP answer arrives.
    server.set("index.html", saved);
    await sync.remoteChanged("index.html");
    expect(statuses.get("index.html")?.conflict).toBeNull();
    write.resolve();
    await settle();
    await afterSaveDelay(); // what was typed meanwhile is saved in turn
    expect(statuses.get("index.html")).toEqual({ dirty: false, saving: false, conflict: null, error: null });
    expect(model.getValue()).toBe(saved + "<!-- still typing -->\n");
    expect(model.pushed).toEqual([]);
  });

  it("holds a remote change that lands on unsaved edits, and lets the vendor choose", async () => {
    counters.saveDelayMs = 60_000; // the edit stays unsaved
    try {
      const model = await open("index.html");
      model.type("<p>mine</p>\n");
      const mine = model.getValue();
      const theirs = "<h1>Theirs</h1>\n";
      server.set("index.html", theirs);
      await sync.remoteChanged("index.html");
      expect(model.getValue()).toBe(mine); // nothing overwritten
      expect(statuses.get("index.html")?.conflict).toBe(theirs);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(writes).toEqual([]); // and nothing saved over theirs while undecided

      sync.resolveConflict("index.html", "theirs");
      expect(model.getValue()).toBe(theirs);
      expect(statuses.get("index.html")).toMatchObject({ conflict: null, dirty: false });
    } finally {
      counters.saveDelayMs = 700;
    }
  });

  it("keeps the vendor's text over a conflict when asked, by saving it", async () => {
    counters.saveDelayMs = 60_000;
    try {
      const model = await open("index.html");
      model.type("<p>mine</p>\n");
      server.set("index.html", "<h1>Theirs</h1>\n");
      await sync.remoteChanged("index.html");
      sync.resolveConflict("index.html", "mine");
      await settle();
      expect(writes).toEqual([{ path: "index.html", content: model.getValue() }]);
      expect(model.getValue()).toContain("<p>mine</p>");
      expect(statuses.get("index.html")).toMatchObject({ conflict: null, dirty: false });
    } finally {
      counters.saveDelayMs = 700;
    }
  });

  it("names the version its text started from, and holds a save the server refuses as a conflict", async () => {
    readFile.mockImplementation(async (_app, path) => ({ ...served(path), version_id: "ver_1" }));
    const model = await open("index.html");
    const theirs = "<h1>Another tab</h1>\n";
    const bases: (string | null | undefined)[] = [];
    writeFile.mockImplementation(async (_app, path, content, base) => {
      bases.push(base);
      if (base === "ver_1") {
        // Another tab saved first; its news has not arrived here yet.
        throw Object.assign(new Error("changed"), {
          status: 409,
          code: "edit_conflict",
          detail: { current: { version_id: "ver_2", content: theirs } },
        });
      }
      server.set(path, content);
      return { ...served(path), version_id: "ver_3", version: null };
    });
    model.type("<p>mine</p>\n");
    await afterSaveDelay();
    expect(bases).toEqual(["ver_1"]);
    expect(statuses.get("index.html")).toMatchObject({ conflict: theirs, error: null });
    expect(model.getValue()).toContain("<p>mine</p>"); // nothing of mine lost
    await afterSaveDelay();
    expect(bases).toEqual(["ver_1"]); // and nothing saved while undecided

    sync.resolveConflict("index.html", "mine");
    await settle();
    expect(bases).toEqual(["ver_1", "ver_2"]); // on top of what was shown
    expect(server.get("index.html")).toBe(model.getValue());
    expect(statuses.get("index.html")).toMatchObject({ conflict: null, dirty: false });
  });

  it("fetches again when a change arrives while the file is still loading", async () => {
    const first = deferred<ReturnType<typeof served>>();
    readFile.mockImplementationOnce(() => first.promise);
    const opening = open("index.html");
    await sync.remoteChanged("index.html"); // before the model exists
    first.resolve(served("index.html"));
    server.set("index.html", "<h1>Newer</h1>\n");
    const model = await opening;
    await settle();
    expect(model.getValue()).toBe("<h1>Newer</h1>\n");
  });

  it("ignores an older fetch that answers after a newer one", async () => {
    const model = await open("index.html");
    const slow = deferred<ReturnType<typeof served>>();
    readFile.mockImplementationOnce(() => slow.promise);
    const older = sync.remoteChanged("index.html");
    server.set("index.html", "<h1>Newest</h1>\n");
    await sync.remoteChanged("index.html");
    slow.resolve({ ...served("index.html"), content: "<h1>Stale</h1>\n" });
    await older;
    expect(model.getValue()).toBe("<h1>Newest</h1>\n");
  });

  it("saves again what was typed while a save was in flight", async () => {
    const model = await open("index.html");
    const write = deferred<void>();
    writeFile.mockImplementationOnce(async (_app, path, content) => {
      await write.promise;
      writes.push({ path, content });
      server.set(path, content);
      return { ...served(path), version: null };
    });
    model.type("A");
    await afterSaveDelay();
    model.type("B");
    await afterSaveDelay(); // a save is in flight: no second one starts yet
    expect(writeFile).toHaveBeenCalledTimes(1);
    write.resolve();
    await settle();
    await afterSaveDelay();
    expect(writes.map((w) => w.content.slice(-2))).toEqual(["\nA", "AB"]);
    expect(statuses.get("index.html")?.dirty).toBe(false);
  });

  it("reports a failed save and keeps the text", async () => {
    const model = await open("index.html");
    writeFile.mockRejectedValueOnce(new Error("The file is too large."));
    model.type("x");
    await afterSaveDelay();
    expect(statuses.get("index.html")).toMatchObject({ error: "The file is too large.", dirty: true, saving: false });
    expect(model.getValue().endsWith("x")).toBe(true);
  });

  it("flush saves pending typing at once (before an undo)", async () => {
    const model = await open("index.html");
    model.type("y");
    await sync.flush();
    expect(writes).toEqual([{ path: "index.html", content: model.getValue() }]);
  });

  it("drops the model of a file deleted on the server, and leaves nothing behind when disposed", async () => {
    const timers = counters.timers;
    const model = await open("index.html");
    server.set("about.html", "<p>about</p>");
    const about = await open("about.html");
    model.type("z"); // a save is scheduled
    sync.remoteDeleted("index.html");
    expect(model.isDisposed()).toBe(true);
    expect(counters.timers).toBe(timers);
    about.type("w");
    sync.dispose();
    expect(liveModels()).toEqual([]);
    expect(counters.timers).toBe(timers);
    await vi.advanceTimersByTimeAsync(counters.saveDelayMs + 1);
    expect(writes).toEqual([]);
  });
});

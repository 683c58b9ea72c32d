import { describe, expect, it } from "vitest";
import { apply, type Body, log, RUN, startedRun } from "../testing/logs";
import { activeRun } from "./chat";
import { headVersionId, pushSummary } from "./history";
import { initialState } from "./reducer";

const R = RUN;
const started = startedRun;

const appEvents: Body[] = [
  { type: "version.created", version_id: "v1", source: "initial", paths: ["index.html", "style.css"] },
  { type: "file.updated", path: "index.html", version_id: "v1", deleted: false, binary: false },
  { type: "file.updated", path: "style.css", version_id: "v1", deleted: false, binary: false },
  { type: "commit.updated", version_id: "v1", state: "committed", sha: "abc" },
  { type: "file.updated", path: "index.html", version_id: "v2", deleted: false, binary: false, run_id: R },
  { type: "version.created", version_id: "v2", source: "ai", paths: ["index.html"], run_id: R },
  { type: "file.updated", path: "style.css", version_id: "v3", deleted: true, binary: false },
  { type: "version.created", version_id: "v3", source: "manual", paths: ["style.css"] },
];

const version = (id: string, number: number, state: "pending" | "pushed", extra: object = {}) => ({
  id,
  number,
  parent_id: null,
  source: "ai",
  target_id: null,
  paths: ["index.html"],
  message: "",
  run_id: null,
  created_at: "2025-01-01T00:00:00Z",
  commit: { state, sha: null, error: null },
  ...extra,
});

describe("the reducer", () => {
  it("ignores events already seen, so a replay after reconnect shows each once", () => {
    const once = apply(initialState, log("session", started));
    const twice = apply(once, log("session", started));
    expect(twice).toBe(once);
    const overlapping = apply(once, log("session", [...started, { type: "text.delta", run_id: R, text: "!" }]));
    expect(activeRun(overlapping.chat)!.items).toHaveLength(3);
    expect(overlapping.seq.session).toBe(6);
  });

  it("keeps the two logs' seqs apart", () => {
    const s = apply(initialState, log("app", appEvents), log("session", started));
    expect(s.seq).toEqual({ app: 8, session: 5 });
  });

  it("leaves the slices an event does not concern as they were, so their panes skip it", () => {
    const before = apply(initialState, log("app", appEvents), log("session", started));
    const delta = apply(before, log("session", [{ type: "text.delta", run_id: R, text: "more" }], 6));
    expect(delta.chat).not.toBe(before.chat);
    expect(delta.files).toBe(before.files);
    expect(delta.history).toBe(before.history);
    expect(delta.conn).toBe(before.conn);

    const commit = apply(before, log("app", [{ type: "commit.updated", version_id: "v3", state: "pushed", sha: "f00" }], 9));
    expect(commit.history).not.toBe(before.history);
    expect(commit.chat).toBe(before.chat);
    expect(commit.files).toBe(before.files);
  });
});

describe("app log", () => {
  it("tracks files, versions newest first, and commit states", () => {
    const s = apply(initialState, log("app", appEvents));
    expect(Object.keys(s.files.entries)).toEqual(["index.html"]);
    expect(s.files.entries["index.html"]).toEqual({ path: "index.html", versionId: "v2", rev: 2 });
    expect(s.history.versions.map((v) => v.id)).toEqual(["v3", "v2", "v1"]);
    expect(s.history.versions[1]).toMatchObject({ source: "ai", runId: R, parentId: "v1" });
    expect(s.history.commits.v1).toMatchObject({ state: "committed", sha: "abc" });
    expect(headVersionId(s.history)).toBe("v3");
  });

  it("merges an HTTP listing without letting it roll back a newer commit state", () => {
    let s = apply(initialState, log("app", appEvents));
    s = apply(s, log("app", [{ type: "commit.updated", version_id: "v2", state: "pushed", sha: "def" }], 9));
    s = apply(s, {
      type: "versions-loaded",
      versions: [version("v2", 2, "pending"), version("v1", 1, "pushed", { source: "initial", message: "Initial" })],
    });
    expect(s.history.versions.map((v) => [v.id, v.number])).toEqual([["v3", null], ["v2", 2], ["v1", 1]]);
    expect(s.history.commits.v2.state).toBe("pushed");
    expect(s.history.commits.v1.state).toBe("committed");
    expect(s.history.versions[2].message).toBe("Initial");
  });

  it("keeps a listed commit's error, code and message", () => {
    const failed = version("v1", 1, "pending", {
      commit: { state: "failed", sha: null, error: { code: "push_rejected", message: "The remote refused the push." } },
    });
    const s = apply(initialState, { type: "versions-loaded", versions: [failed] });
    expect(s.history.commits.v1).toMatchObject({
      state: "failed",
      error: { code: "push_rejected", message: "The remote refused the push." },
    });
  });

  it("lists files from HTTP without forgetting what the log said", () => {
    const listed = (path: string) => ({ path, size: 1, version_id: "v1", updated_at: "2025-01-01T00:00:00Z" });
    const s = apply(initialState, log("app", appEvents.slice(0, 2)), {
      type: "files-loaded",
      files: [listed("index.html"), listed("app.js")],
    });
    expect(s.files.entries["index.html"].rev).toBe(1);
    expect(s.files.entries["app.js"].rev).toBe(0);
    expect(s.files.loaded).toBe(true);
  });

  it("sums up the push state: versions by state, and the newest failure", () => {
    const error = { code: "auth_refused", message: "refused" };
    const s = apply(
      initialState,
      log("app", [
        ...appEvents,
        { type: "commit.updated", version_id: "v2", state: "failed", sha: "def", error },
        { type: "commit.updated", version_id: "v3", state: "failed", sha: "123", error },
      ]),
    );
    const summary = pushSummary(s.history);
    expect(summary.counts).toEqual({ pending: 0, committed: 1, pushed: 0, failed: 2 });
    expect(summary.failed?.version.id).toBe("v3");
    expect(summary.failed?.commit.error).toEqual(error);
  });
});

describe("events this client does not know", () => {
  it("move the log's seq on, so what follows applies once and a resend of them is ignored", () => {
    const known = apply(initialState, log("session", startedRun));
    // seq 6 and 7 were of an unknown type: the connection passes none of them, only how far it read.
    const skipped = apply(known, { type: "events", log: "session", events: [], through: 7 });
    expect(skipped.seq.session).toBe(7);
    expect(skipped.chat).toBe(known.chat);
    const next = apply(skipped, log("session", [{ type: "text.delta", run_id: R, text: " Done." }], 8));
    expect(next.seq.session).toBe(8);
    expect(activeRun(next.chat)!.items.at(-1)).toEqual({ kind: "text", text: " Done." });
    // The same events again (a resume from before them) change nothing.
    expect(apply(next, { type: "events", log: "session", events: [], through: 7 })).toBe(next);
    expect(apply(next, log("session", [{ type: "text.delta", run_id: R, text: " Done." }], 8))).toBe(next);
  });

  it("an unknown type that reaches the reducer anyway is ignored by every slice", () => {
    const before = apply(initialState, log("session", startedRun), log("app", []));
    const odd = { seq: 6, ts: "2025-01-01T00:00:00Z", type: "brand.new", run_id: R } as unknown as Body;
    const after = apply(before, log("session", [odd], 6));
    expect(after.seq.session).toBe(6);
    expect(after.chat).toBe(before.chat);
    expect(after.files).toBe(before.files);
    expect(after.history).toBe(before.history);
  });
});

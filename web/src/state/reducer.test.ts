import { describe, expect, it } from "vitest";
import type { AppwrightEvent } from "../generated/events";
import { activeRun, headVersionId, initialState, reducer } from "./reducer";
import type { Action, LogName, WorkspaceState } from "./types";

type Body<E> = E extends AppwrightEvent ? Omit<E, "seq" | "ts"> & { ts?: string } : never;

/** Numbers events 1, 2, 3... per log, like the server does. */
function log(name: LogName, bodies: Body<AppwrightEvent>[], from = 1): Action {
  const events = bodies.map((b, i) => ({ ts: "2025-01-01T00:00:00.000Z", ...b, seq: from + i }) as AppwrightEvent);
  return { type: "events", log: name, events };
}

function run(state: WorkspaceState, ...actions: Action[]): WorkspaceState {
  return actions.reduce(reducer, state);
}

const R = "run-1";
const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };
const started: Body<AppwrightEvent>[] = [
  { type: "run.started", run_id: R, text: "make the title red" },
  { type: "turn.started", run_id: R, turn: 1 },
  { type: "text.delta", run_id: R, text: "Sure, " },
  { type: "text.delta", run_id: R, text: "reading the file." },
  { type: "tool.started", run_id: R, tool_id: "t1", name: "get_current_code", input: { filepath: "index.html" } },
];

describe("session log", () => {
  it("builds a run with streamed text and a running tool card", () => {
    const s = run(initialState, log("session", started));
    const r = activeRun(s)!;
    expect(r.text).toBe("make the title red");
    expect(r.items[0]).toEqual({ kind: "text", text: "Sure, reading the file." });
    expect(r.items[1]).toMatchObject({ kind: "tool", toolId: "t1", status: "running" });
    expect(s.seq.session).toBe(5);
  });

  it("finishes a tool card with its summary and duration", () => {
    const s = run(
      initialState,
      log("session", started),
      log(
        "session",
        [{ type: "tool.finished", run_id: R, tool_id: "t1", name: "get_current_code", status: "ok", duration_ms: 42, summary: "Read index.html" }],
        6,
      ),
    );
    expect(activeRun(s)!.items[1]).toMatchObject({ status: "ok", durationMs: 42, summary: "Read index.html" });
  });

  it("ignores events already seen, so a replay after reconnect shows each once", () => {
    const once = run(initialState, log("session", started));
    const twice = run(once, log("session", started));
    expect(twice).toBe(once);
    const overlapping = run(once, log("session", [...started, { type: "text.delta", run_id: R, text: "!" }]));
    expect(activeRun(overlapping)!.items).toHaveLength(3);
    expect(overlapping.seq.session).toBe(6);
  });

  it("model.retry removes the abandoned attempt's text and leaves a notice", () => {
    const s = run(
      initialState,
      log("session", [
        { type: "run.started", run_id: R, text: "hi" },
        { type: "turn.started", run_id: R, turn: 1 },
        { type: "text.delta", run_id: R, text: "kept" },
        { type: "tool.started", run_id: R, tool_id: "t1", name: "list_files", input: {} },
        { type: "tool.finished", run_id: R, tool_id: "t1", name: "list_files", status: "ok", duration_ms: 1, summary: "3 files" },
        { type: "turn.started", run_id: R, turn: 2 },
        { type: "text.delta", run_id: R, text: "partial answ" },
        { type: "model.retry", run_id: R, attempt: 2, delay_ms: 1000, reason: "overloaded" },
        { type: "text.delta", run_id: R, text: "full answer" },
      ]),
    );
    const items = activeRun(s)!.items;
    expect(items.map((i) => i.kind)).toEqual(["text", "tool", "retry", "text"]);
    expect(items[0]).toEqual({ kind: "text", text: "kept" });
    expect(items[3]).toEqual({ kind: "text", text: "full answer" });
  });

  it("a second retry drops only the text of the attempt it abandons", () => {
    const s = run(
      initialState,
      log("session", [
        { type: "run.started", run_id: R, text: "hi" },
        { type: "turn.started", run_id: R, turn: 1 },
        { type: "text.delta", run_id: R, text: "a" },
        { type: "model.retry", run_id: R, attempt: 2, delay_ms: 1, reason: "x" },
        { type: "text.delta", run_id: R, text: "b" },
        { type: "model.retry", run_id: R, attempt: 3, delay_ms: 2, reason: "y" },
        { type: "text.delta", run_id: R, text: "c" },
      ]),
    );
    expect(activeRun(s)!.items).toEqual([
      { kind: "retry", attempt: 2, delayMs: 1, reason: "x" },
      { kind: "retry", attempt: 3, delayMs: 2, reason: "y" },
      { kind: "text", text: "c" },
    ]);
  });

  it("run.finished ends the active run and keeps its error", () => {
    const s = run(
      initialState,
      log("session", [
        ...started,
        { type: "tool.finished", run_id: R, tool_id: "t1", name: "get_current_code", status: "timeout", duration_ms: 5000, summary: "timed out after 5 s" },
        { type: "run.finished", run_id: R, status: "failed", error: { code: "model_error", message: "The model refused." }, edited_paths: [], usage },
      ]),
    );
    expect(s.activeRunId).toBeNull();
    expect(s.runs[0]).toMatchObject({ status: "failed", error: { code: "model_error", message: "The model refused." } });
  });

  it("run.finished never leaves a tool card spinning", () => {
    const s = run(
      initialState,
      log("session", [...started, { type: "run.finished", run_id: R, status: "cancelled", error: { code: "cancelled", message: "Cancelled" }, edited_paths: [], usage }]),
    );
    expect(s.runs[0].items[1]).toMatchObject({ status: "cancelled" });
  });
});

describe("queued messages", () => {
  it("stay pending until their run starts, matched by text or client_msg_id", () => {
    let s = run(initialState, { type: "enqueue", text: "one", clientMsgId: "m1" }, { type: "enqueue", text: "two", clientMsgId: "m2" });
    expect(s.pending.map((p) => p.text)).toEqual(["one", "two"]);
    s = run(s, { type: "sent", clientMsgId: "m1", epoch: 3 });
    expect(s.pending[0].sentOnEpoch).toBe(3);
    s = run(s, log("session", [{ type: "run.started", run_id: "r1", text: "one" }]));
    expect(s.pending.map((p) => p.clientMsgId)).toEqual(["m2"]);
    const withId = { type: "run.started", run_id: "r2", text: "other text", client_msg_id: "m2" } as Body<AppwrightEvent>;
    s = run(s, log("session", [withId], 2));
    expect(s.pending).toEqual([]);
  });

  it("follow the server's accepted reply to their run, whichever arrives first", () => {
    const queued = run(initialState, { type: "enqueue", text: "same", clientMsgId: "m1" }, { type: "enqueue", text: "same", clientMsgId: "m2" });
    let s = run(queued, { type: "accepted", clientMsgId: "m2", runId: "r2" });
    expect(s.pending.map((p) => p.runId)).toEqual([null, "r2"]);
    s = run(s, log("session", [{ type: "run.started", run_id: "r2", text: "same" }]));
    expect(s.pending.map((p) => p.clientMsgId)).toEqual(["m1"]);

    const late = run(queued, log("session", [{ type: "run.started", run_id: "r1", text: "same" }]), { type: "accepted", clientMsgId: "m1", runId: "r1" });
    expect(late.pending.map((p) => p.clientMsgId)).toEqual(["m2"]);
  });

  it("drop a message the server refuses, and say why", () => {
    const s = run(
      initialState,
      { type: "enqueue", text: "x", clientMsgId: "m1" },
      { type: "rejected", clientMsgId: "m1", error: { code: "message_too_long", message: "Too long." } },
    );
    expect(s.pending).toEqual([]);
    expect(s.controlError?.code).toBe("message_too_long");
  });

  it("are sent again after the active run finishes", () => {
    let s = run(initialState, log("session", started), { type: "enqueue", text: "next", clientMsgId: "m1" }, { type: "sent", clientMsgId: "m1", epoch: 1 });
    s = run(s, log("session", [{ type: "run.finished", run_id: R, status: "completed", edited_paths: [], usage }], 6));
    expect(s.pending[0].sentOnEpoch).toBeNull();
  });
});

describe("app log", () => {
  const appEvents: Body<AppwrightEvent>[] = [
    { type: "version.created", version_id: "v1", source: "initial", paths: ["index.html", "style.css"] },
    { type: "file.updated", path: "index.html", version_id: "v1", deleted: false },
    { type: "file.updated", path: "style.css", version_id: "v1", deleted: false },
    { type: "commit.updated", version_id: "v1", state: "committed", sha: "abc" },
    { type: "file.updated", path: "index.html", version_id: "v2", deleted: false, run_id: R },
    { type: "version.created", version_id: "v2", source: "ai", paths: ["index.html"], run_id: R },
    { type: "file.updated", path: "style.css", version_id: "v3", deleted: true },
    { type: "version.created", version_id: "v3", source: "manual", paths: ["style.css"] },
  ];

  it("tracks files, versions newest first, and commit states", () => {
    const s = run(initialState, log("app", appEvents));
    expect(Object.keys(s.files)).toEqual(["index.html"]);
    expect(s.files["index.html"]).toEqual({ path: "index.html", versionId: "v2", rev: 2 });
    expect(s.versions.map((v) => v.id)).toEqual(["v3", "v2", "v1"]);
    expect(s.versions[1]).toMatchObject({ source: "ai", runId: R, parentId: "v1" });
    expect(s.commits.v1).toMatchObject({ state: "committed", sha: "abc" });
    expect(headVersionId(s)).toBe("v3");
  });

  it("merges an HTTP listing without letting it roll back a newer commit state", () => {
    let s = run(initialState, log("app", appEvents));
    s = run(s, log("app", [{ type: "commit.updated", version_id: "v2", state: "pushed", sha: "def" }], 9));
    s = run(s, {
      type: "versions-loaded",
      versions: [
        { id: "v2", number: 2, source: "ai", paths: ["index.html"], commit: { state: "pending" } },
        { id: "v1", number: 1, source: "initial", paths: ["index.html", "style.css"], commit: { state: "pushed", sha: "abc" }, message: "Initial" },
      ],
    });
    expect(s.versions.map((v) => [v.id, v.number])).toEqual([["v3", null], ["v2", 2], ["v1", 1]]);
    expect(s.commits.v2.state).toBe("pushed");
    expect(s.commits.v1.state).toBe("committed");
    expect(s.versions[2].message).toBe("Initial");
  });

  it("keeps the two logs' seqs apart", () => {
    const s = run(initialState, log("app", appEvents), log("session", started));
    expect(s.seq).toEqual({ app: 8, session: 5 });
  });

  it("lists files from HTTP without forgetting what the log said", () => {
    const s = run(initialState, log("app", appEvents.slice(0, 2)), { type: "files-loaded", files: [{ path: "index.html" }, { path: "app.js" }] });
    expect(s.files["index.html"].rev).toBe(1);
    expect(s.files["app.js"].rev).toBe(0);
    expect(s.filesLoaded).toBe(true);
  });
});

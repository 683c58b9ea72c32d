import { describe, expect, it } from "vitest";
import { apply, type Body, log, usage } from "../testing/logs";
import { nextToSend } from "./outbox";
import { initialState } from "./reducer";
import type { Action, ConnState, WorkspaceState } from "./types";

const open = (epoch: number): Action => ({
  type: "conn",
  log: "session",
  conn: { status: "open", attempt: 0, error: null, epoch },
});
const dropped = (epoch: number): Action => ({
  type: "conn",
  log: "session",
  conn: { status: "reconnecting", attempt: 1, error: { code: "1006", message: "Connection lost" }, epoch },
});
const enqueue = (text: string, clientMsgId: string): Action => ({ type: "enqueue", text, clientMsgId });

/**
 * What `useWorkspace` does after every state change: send what `nextToSend` names on the
 * current socket. Returns the new state and the ids of the frames that went out.
 */
function flush(state: WorkspaceState): { state: WorkspaceState; sent: string[] } {
  const sent: string[] = [];
  for (;;) {
    const next = nextToSend(state.chat, state.conn.session);
    if (!next) return { state, sent };
    sent.push(next.clientMsgId);
    state = apply(state, { type: "sent", clientMsgId: next.clientMsgId, epoch: state.conn.session.epoch });
  }
}

/** How many times the message is on screen: as a queued bubble, or as its run. */
function shown(state: WorkspaceState, text: string): number {
  return (
    state.chat.pending.filter((p) => p.text === text).length + state.chat.runs.filter((r) => r.text === text).length
  );
}

const startedFor = (runId: string, text: string, id: string | null): Body => ({
  type: "run.started",
  run_id: runId,
  text,
  client_msg_id: id,
});
const finished = (runId: string): Body => ({ type: "run.finished", run_id: runId, status: "completed", edited_paths: [], usage });

describe("the outbox", () => {
  it("sends nothing while the socket is down, then the oldest message once per socket", () => {
    let s = apply(initialState, enqueue("one", "m1"), enqueue("two", "m2"));
    expect(flush(s).sent).toEqual([]);
    s = apply(s, open(1));
    let out = flush(s);
    expect(out.sent).toEqual(["m1"]); // one at a time: the server takes one run at a time
    out = flush(out.state);
    expect(out.sent).toEqual([]);
  });

  it("resends with the same id after every reconnect until its run.started arrives, then never again", () => {
    let s = apply(initialState, open(1), enqueue("make it blue", "m1"));
    let out = flush(s);
    expect(out.sent).toEqual(["m1"]);
    // The socket dies with the frame (the process it reached died before committing).
    s = apply(out.state, dropped(1), open(2));
    out = flush(s);
    expect(out.sent).toEqual(["m1"]);
    // Lost again; the third socket's copy gets through.
    s = apply(out.state, dropped(2), open(3));
    out = flush(s);
    expect(out.sent).toEqual(["m1"]);
    s = apply(out.state, log("session", [startedFor("r1", "make it blue", "m1")]));
    expect(s.chat.pending).toEqual([]);
    expect(shown(s, "make it blue")).toBe(1);
    // Neither a new socket nor the end of the run sends it again.
    s = apply(s, dropped(3), open(4), log("session", [finished("r1")], 2));
    expect(flush(s).sent).toEqual([]);
  });

  it("is settled by its run.started arriving in a reconnect's replay, with no resend after it", () => {
    let s = apply(initialState, open(1), enqueue("hello", "m1"));
    s = flush(s).state;
    // The frame did arrive and the run started, but the socket dropped before we saw it.
    s = apply(s, dropped(1));
    s = apply(s, log("session", [startedFor("r1", "hello", "m1"), { type: "turn.started", run_id: "r1", turn: 1 }]), open(2));
    expect(flush(s).sent).toEqual([]);
    expect(shown(s, "hello")).toBe(1);
  });

  it("never shows a message twice, whatever order the log and the sockets take", () => {
    let s = apply(initialState, open(1), enqueue("once", "m1"));
    const steps: Action[] = [
      dropped(1),
      open(2),
      log("session", [startedFor("r1", "once", "m1")]),
      dropped(2),
      open(3),
      log("session", [startedFor("r1", "once", "m1")]), // a replay of the same event
      log("session", [finished("r1")], 2),
    ];
    for (const step of steps) {
      s = flush(apply(s, step)).state;
      expect(shown(s, "once")).toBe(1);
    }
  });

  it("is not settled by another client's run that has the same text", () => {
    let s = apply(initialState, open(1), enqueue("fix the typo", "mine"));
    s = flush(s).state;
    s = apply(s, log("session", [startedFor("r-cli", "fix the typo", "theirs")]));
    expect(s.chat.pending.map((p) => p.clientMsgId)).toEqual(["mine"]);
    // It waits for that run, then goes out again (the server refused it with run_active).
    expect(flush(s).sent).toEqual([]);
    s = apply(s, log("session", [finished("r-cli")], 2));
    expect(flush(s).sent).toEqual(["mine"]);
  });

  it("waits while a run is active and sends the next message when it finishes", () => {
    let s = apply(initialState, open(1), log("session", [startedFor("r0", "first", null)]), enqueue("next", "m1"));
    expect(flush(s).sent).toEqual([]);
    s = apply(s, log("session", [finished("r0")], 2));
    expect(flush(s).sent).toEqual(["m1"]);
  });

  it("drops a message the server refuses, and says why", () => {
    const s = apply(
      initialState,
      enqueue("x", "m1"),
      { type: "rejected", clientMsgId: "m1", error: { code: "message_too_long", message: "Too long." } },
    );
    expect(s.chat.pending).toEqual([]);
    expect(s.chat.error?.code).toBe("message_too_long");
  });

  it("sends queued messages to a new conversation on its own socket", () => {
    let s = apply(initialState, open(1), enqueue("carry over", "m1"));
    s = flush(s).state;
    s = apply(s, { type: "session-reset" });
    expect(flush(s).sent).toEqual([]); // the new session's socket is not open yet
    expect(flush(apply(s, open(1))).sent).toEqual(["m1"]);
  });

  it("is a function of the chat and the socket only", () => {
    const conn: ConnState = { status: "open", attempt: 0, error: null, epoch: 2 };
    const chat = { runs: [], activeRunId: null, error: null, pending: [{ clientMsgId: "m", text: "t", sentOnEpoch: 1 }] };
    expect(nextToSend(chat, conn)?.clientMsgId).toBe("m");
    expect(nextToSend(chat, { ...conn, epoch: 1 })).toBeNull();
    expect(nextToSend(chat, { ...conn, status: "reconnecting" })).toBeNull();
    expect(nextToSend({ ...chat, activeRunId: "r" }, conn)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { apply, type Body, log, RUN, startedRun, usage } from "../testing/logs";
import { activeRun } from "./chat";
import { initialState } from "./reducer";

const R = RUN;
const started = startedRun;

describe("session log", () => {
  it("builds a run with streamed text and a running tool card", () => {
    const s = apply(initialState, log("session", started));
    const r = activeRun(s.chat)!;
    expect(r.text).toBe("make the title red");
    expect(r.items[0]).toEqual({ kind: "text", text: "Sure, reading the file." });
    expect(r.items[1]).toMatchObject({ kind: "tool", toolId: "t1", status: "running" });
    expect(s.seq.session).toBe(5);
  });

  it("finishes a tool card with its summary and duration", () => {
    const s = apply(
      initialState,
      log("session", started),
      log(
        "session",
        [{ type: "tool.finished", run_id: R, tool_id: "t1", name: "get_current_code", status: "ok", duration_ms: 42, summary: "Read index.html" }],
        6,
      ),
    );
    expect(activeRun(s.chat)!.items[1]).toMatchObject({ status: "ok", durationMs: 42, summary: "Read index.html" });
  });

  it("model.retry removes the abandoned attempt's text and leaves a notice", () => {
    const s = apply(
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
    const items = activeRun(s.chat)!.items;
    expect(items.map((i) => i.kind)).toEqual(["text", "tool", "retry", "text"]);
    expect(items[0]).toEqual({ kind: "text", text: "kept" });
    expect(items[3]).toEqual({ kind: "text", text: "full answer" });
  });

  it("a second retry drops only the text of the attempt it abandons", () => {
    const s = apply(
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
    expect(activeRun(s.chat)!.items).toEqual([
      { kind: "retry", attempt: 2, delayMs: 1, reason: "x" },
      { kind: "retry", attempt: 3, delayMs: 2, reason: "y" },
      { kind: "text", text: "c" },
    ]);
  });

  it("run.finished ends the active run and keeps its error", () => {
    const s = apply(
      initialState,
      log("session", [
        ...started,
        { type: "tool.finished", run_id: R, tool_id: "t1", name: "get_current_code", status: "timeout", duration_ms: 5000, summary: "timed out after 5 s" },
        { type: "run.finished", run_id: R, status: "failed", error: { code: "model_error", message: "The model refused." }, edited_paths: [], usage },
      ]),
    );
    expect(s.chat.activeRunId).toBeNull();
    expect(s.chat.runs[0]).toMatchObject({ status: "failed", error: { code: "model_error", message: "The model refused." } });
  });

  it("run.finished never leaves a tool card spinning", () => {
    const s = apply(
      initialState,
      log("session", [...started, { type: "run.finished", run_id: R, status: "cancelled", error: { code: "cancelled", message: "Cancelled" }, edited_paths: [], usage }]),
    );
    expect(s.chat.runs[0].items[1]).toMatchObject({ status: "cancelled" });
  });
});

describe("a run taken over by another process (run.resumed)", () => {
  // The log from the issue that asked for run.resumed: the process died during a web search
  // in turn 1; the one that took over closed that tool, said so, and ran turn 1 again.
  const takenOver: Body[] = [
    { type: "run.started", run_id: R, text: "find the opening hours" },
    { type: "turn.started", run_id: R, turn: 1 },
    { type: "text.delta", run_id: R, text: "Let me search for that." },
    { type: "tool.started", run_id: R, tool_id: "a", name: "web_search", input: { query: "hours" } },
    { type: "tool.finished", run_id: R, tool_id: "a", name: "web_search", status: "cancelled", duration_ms: 0, summary: "The server running it stopped." },
    { type: "run.resumed", run_id: R, reason: "server_restarted", turn: 1 },
    { type: "turn.started", run_id: R, turn: 1 },
    { type: "text.delta", run_id: R, text: "Searching now." },
    { type: "tool.started", run_id: R, tool_id: "b", name: "web_search", input: { query: "hours" } },
    { type: "tool.finished", run_id: R, tool_id: "b", name: "web_search", status: "ok", duration_ms: 80, summary: "5 results" },
    { type: "turn.started", run_id: R, turn: 2 },
    { type: "text.delta", run_id: R, text: "Open 9 to 5." },
  ];

  it("drops the abandoned attempt's text, notes the takeover and keeps the cancelled tool", () => {
    const s = apply(initialState, log("session", takenOver));
    const items = activeRun(s.chat)!.items;
    expect(items).toEqual([
      expect.objectContaining({ kind: "tool", toolId: "a", status: "cancelled", summary: "The server running it stopped." }),
      { kind: "resumed", turn: 1, reason: "server_restarted" },
      { kind: "text", text: "Searching now." },
      expect.objectContaining({ kind: "tool", toolId: "b", status: "ok" }),
      { kind: "text", text: "Open 9 to 5." },
    ]);
    expect(JSON.stringify(items)).not.toContain("Let me search for that.");
  });

  it("keeps the text of turns finished before the takeover", () => {
    const s = apply(
      initialState,
      log("session", [
        { type: "run.started", run_id: R, text: "hi" },
        { type: "turn.started", run_id: R, turn: 1 },
        { type: "text.delta", run_id: R, text: "turn one" },
        { type: "turn.started", run_id: R, turn: 2 },
        { type: "text.delta", run_id: R, text: "half of turn two" },
        { type: "run.resumed", run_id: R, reason: "server_restarted", turn: 2 },
        { type: "turn.started", run_id: R, turn: 2 },
        { type: "text.delta", run_id: R, text: "turn two" },
      ]),
    );
    expect(activeRun(s.chat)!.items).toEqual([
      { kind: "text", text: "turn one" },
      { kind: "resumed", turn: 2, reason: "server_restarted" },
      { kind: "text", text: "turn two" },
    ]);
  });

  it("shows the same on a reload as it did live", () => {
    const whole = apply(initialState, log("session", takenOver));
    const live = apply(
      initialState,
      ...takenOver.map((body, i) => log("session", [body], i + 1)),
    );
    expect(live.chat).toEqual(whole.chat);
  });
});

describe("usage and condensing in the chat", () => {
  it("a condensed conversation is a notice in the run, kept when the attempt it preceded is retried", () => {
    const s = apply(
      initialState,
      log("session", [
        { type: "run.started", run_id: R, text: "go on" },
        { type: "turn.started", run_id: R, turn: 1, context_tokens: 31_200, context_window: 32_000 },
        { type: "context.compacted", run_id: R, tokens_before: 31_200, tokens_after: 12_400 },
        { type: "model.retry", run_id: R, attempt: 2, delay_ms: 0, reason: "model_context_exceeded" },
        { type: "text.delta", run_id: R, text: "Continuing." },
      ]),
    );
    expect(activeRun(s.chat)!.items).toEqual([
      { kind: "compacted", tokensBefore: 31_200, tokensAfter: 12_400 },
      { kind: "retry", attempt: 2, delayMs: 0, reason: "model_context_exceeded" },
      { kind: "text", text: "Continuing." },
    ]);
  });

  it("a run carries its usage once finished, and not before", () => {
    const running = apply(initialState, log("session", startedRun));
    expect(activeRun(running.chat)!.usage).toBeNull();
    const spent = { ...usage, input_tokens: 900, cache_read_tokens: 12_000, cost_usd: 0.0123 };
    const s = apply(
      running,
      log("session", [{ type: "run.finished", run_id: R, status: "completed", edited_paths: [], usage: spent }], 6),
    );
    expect(s.chat.runs[0].usage).toEqual(spent);
  });
});

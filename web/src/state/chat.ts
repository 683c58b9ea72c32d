/**
 * The chat slice from the session log: runs, their streamed text, tool cards and notices
 * (a retry, a takeover, the conversation condensed to fit), and each run's usage once it
 * has finished. The context meter and the session's totals are the meter slice's (meter.ts).
 *
 * A run's items since `attemptStart` belong to the current model attempt. When an attempt is
 * abandoned (`model.retry`: the call failed and is retried; `run.resumed`: the process running
 * the run stopped and another took it over), its text is dropped, because the next attempt
 * streams its own, and a notice says why. Its tool cards stay: each got its `tool.finished`
 * (`cancelled` when its process died), which is what the vendor should see.
 */
import type { AppwrightEvent, EventOf } from "../generated/events";
import { resendAll, settle } from "./outbox";
import type { ChatState, RunItem, RunView } from "./types";

export const initialChat: ChatState = { runs: [], activeRunId: null, pending: [], error: null };

export function applySessionEvent(chat: ChatState, ev: AppwrightEvent): ChatState {
  switch (ev.type) {
    case "run.started":
      return startRun(chat, ev);
    case "turn.started":
      return updateRun(chat, ev.run_id, (r) => ({ ...r, turn: ev.turn, attemptStart: r.items.length }));
    case "text.delta":
      return updateRun(chat, ev.run_id, (r) => appendText(r, ev.text));
    case "tool.started":
      return updateRun(chat, ev.run_id, (r) => ({
        ...r,
        items: [
          ...r.items,
          {
            kind: "tool",
            toolId: ev.tool_id,
            name: ev.name,
            input: ev.input,
            status: "running",
            startedAt: ev.ts,
            durationMs: null,
            summary: "",
          },
        ],
      }));
    case "tool.finished":
      return updateRun(chat, ev.run_id, (r) => finishTool(r, ev));
    case "model.retry":
      return updateRun(chat, ev.run_id, (r) =>
        abandonAttempt(r, { kind: "retry", attempt: ev.attempt, delayMs: ev.delay_ms, reason: ev.reason }),
      );
    case "run.resumed":
      return updateRun(chat, ev.run_id, (r) => abandonAttempt(r, { kind: "resumed", turn: ev.turn, reason: ev.reason }));
    case "context.compacted":
      return updateRun(chat, ev.run_id, (r) => ({
        ...r,
        items: [...r.items, { kind: "compacted", tokensBefore: ev.tokens_before, tokensAfter: ev.tokens_after }],
      }));
    case "run.finished":
      return finishRun(chat, ev);
    case "file.updated":
      return updateRun(chat, ev.run_id, (r) =>
        r.editedPaths.includes(ev.path) ? r : { ...r, editedPaths: [...r.editedPaths, ev.path] },
      );
    default:
      return chat;
  }
}

function startRun(chat: ChatState, ev: EventOf<"run.started">): ChatState {
  const id = ev.run_id ?? `run-${ev.seq}`;
  if (chat.runs.some((r) => r.id === id)) return chat;
  const run: RunView = {
    id,
    text: ev.text,
    startedAt: ev.ts,
    finishedAt: null,
    status: "running",
    error: null,
    items: [],
    attemptStart: 0,
    turn: 0,
    editedPaths: [],
    usage: null,
  };
  return { ...chat, runs: [...chat.runs, run], activeRunId: id, error: null, pending: settle(chat.pending, ev) };
}

function appendText(run: RunView, text: string): RunView {
  const last = run.items[run.items.length - 1];
  if (last?.kind === "text" && run.items.length - 1 >= run.attemptStart) {
    return { ...run, items: [...run.items.slice(0, -1), { kind: "text", text: last.text + text }] };
  }
  return { ...run, items: [...run.items, { kind: "text", text }] };
}

/** Drops the text of the attempt that began at `attemptStart` and notes why; the next begins after. */
function abandonAttempt(run: RunView, notice: RunItem): RunView {
  const kept = run.items.filter((it, i) => i < run.attemptStart || it.kind !== "text");
  const items = [...kept, notice];
  return { ...run, items, attemptStart: items.length };
}

function finishTool(run: RunView, ev: EventOf<"tool.finished">): RunView {
  const done = { status: ev.status, durationMs: ev.duration_ms, summary: ev.summary };
  const index = run.items.findIndex((it) => it.kind === "tool" && it.toolId === ev.tool_id);
  if (index < 0) {
    const card: RunItem = {
      kind: "tool",
      toolId: ev.tool_id,
      name: ev.name,
      input: {},
      startedAt: ev.ts,
      ...done,
    };
    return { ...run, items: [...run.items, card] };
  }
  const items = run.items.map((it, i) => (i === index ? { ...it, ...done } : it));
  return { ...run, items };
}

function finishRun(chat: ChatState, ev: EventOf<"run.finished">): ChatState {
  const runId = ev.run_id ?? chat.activeRunId;
  const finished = updateRun(chat, runId, (r) => ({
    ...r,
    status: ev.status,
    error: ev.error ?? null,
    finishedAt: ev.ts,
    usage: ev.usage,
    editedPaths: ev.edited_paths.length ? ev.edited_paths : r.editedPaths,
    // The contract finishes every tool first; a card left running would spin forever.
    items: r.items.map((it) =>
      it.kind === "tool" && it.status === "running" ? { ...it, status: "cancelled" } : it,
    ),
  }));
  return {
    ...finished,
    activeRunId: chat.activeRunId === runId ? null : chat.activeRunId,
    pending: resendAll(finished.pending),
  };
}

function updateRun(chat: ChatState, runId: string | null | undefined, fn: (run: RunView) => RunView): ChatState {
  const id = runId ?? chat.activeRunId;
  const index = chat.runs.findIndex((r) => r.id === id);
  if (index < 0) return chat;
  const runs = chat.runs.slice();
  runs[index] = fn(runs[index]);
  return { ...chat, runs };
}

export function activeRun(chat: ChatState): RunView | null {
  return chat.runs.find((r) => r.id === chat.activeRunId) ?? null;
}

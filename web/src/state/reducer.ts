/**
 * The one reducer that turns the two logs into UI state. It is pure: the same events, in
 * the same order, give the same state, whether they arrived live, after a reconnect's
 * resume, or on a fresh page load. Events at or below a log's last `seq` are ignored, so a
 * resend can never show anything twice.
 */
import type { AppwrightEvent, EventOf } from "../generated/events";
import type { VersionRecord } from "../lib/api";
import type {
  Action,
  CommitView,
  ConnState,
  LogName,
  RunItem,
  RunView,
  VersionView,
  WorkspaceState,
} from "./types";

const connecting: ConnState = { status: "connecting", attempt: 0, error: null };

export const initialState: WorkspaceState = {
  seq: { session: 0, app: 0 },
  conn: { session: connecting, app: connecting },
  runs: [],
  activeRunId: null,
  pending: [],
  controlError: null,
  files: {},
  filesLoaded: false,
  versions: [],
  commits: {},
};

export function reducer(state: WorkspaceState, action: Action): WorkspaceState {
  switch (action.type) {
    case "events":
      return action.events.reduce((s, ev) => applyEvent(s, action.log, ev), state);
    case "conn":
      return { ...state, conn: { ...state.conn, [action.log]: action.conn } };
    case "control-error":
      return { ...state, controlError: action.error };
    case "enqueue":
      return {
        ...state,
        controlError: null,
        pending: [
          ...state.pending,
          { clientMsgId: action.clientMsgId, text: action.text, sentOnEpoch: null, runId: null },
        ],
      };
    case "sent":
      return {
        ...state,
        pending: state.pending.map((p) =>
          p.clientMsgId === action.clientMsgId ? { ...p, sentOnEpoch: action.epoch } : p,
        ),
      };
    case "accepted": {
      // Its run may already be on screen (the event can beat the reply): then it is done.
      if (state.runs.some((r) => r.id === action.runId)) {
        return { ...state, pending: state.pending.filter((p) => p.clientMsgId !== action.clientMsgId) };
      }
      return {
        ...state,
        pending: state.pending.map((p) => (p.clientMsgId === action.clientMsgId ? { ...p, runId: action.runId } : p)),
      };
    }
    case "rejected":
      return {
        ...state,
        controlError: action.error,
        pending: state.pending.filter((p) => p.clientMsgId !== action.clientMsgId),
      };
    case "files-loaded": {
      const files = { ...state.files };
      for (const f of action.files) files[f.path] ??= { path: f.path, versionId: null, rev: 0 };
      return { ...state, files, filesLoaded: true };
    }
    case "versions-loaded":
      return mergeVersions(state, action.versions);
    case "session-reset":
      return {
        ...state,
        seq: { ...state.seq, session: 0 },
        conn: { ...state.conn, session: connecting },
        runs: [],
        activeRunId: null,
        controlError: null,
      };
  }
}

function applyEvent(state: WorkspaceState, log: LogName, ev: AppwrightEvent): WorkspaceState {
  if (ev.seq <= state.seq[log]) return state;
  const next = { ...state, seq: { ...state.seq, [log]: ev.seq } };
  return log === "session" ? applySessionEvent(next, ev) : applyAppEvent(next, ev);
}

// ---- the session log: runs, their text and tool cards ------------------------------------

function applySessionEvent(state: WorkspaceState, ev: AppwrightEvent): WorkspaceState {
  switch (ev.type) {
    case "run.started":
      return startRun(state, ev);
    case "turn.started":
      return updateRun(state, ev.run_id, (r) => ({ ...r, turn: ev.turn, attemptStart: r.items.length }));
    case "text.delta":
      return updateRun(state, ev.run_id, (r) => appendText(r, ev.text));
    case "tool.started":
      return updateRun(state, ev.run_id, (r) => ({
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
      return updateRun(state, ev.run_id, (r) => finishTool(r, ev));
    case "model.retry":
      return updateRun(state, ev.run_id, (r) => {
        // The text since the attempt began belongs to the abandoned attempt: drop it.
        const kept = r.items.filter((it, i) => i < r.attemptStart || it.kind !== "text");
        const items: RunItem[] = [
          ...kept,
          { kind: "retry", attempt: ev.attempt, delayMs: ev.delay_ms, reason: ev.reason },
        ];
        return { ...r, items, attemptStart: items.length };
      });
    case "run.finished":
      return finishRun(state, ev);
    case "file.updated":
      return updateRun(state, ev.run_id, (r) =>
        r.editedPaths.includes(ev.path) ? r : { ...r, editedPaths: [...r.editedPaths, ev.path] },
      );
    default:
      return state;
  }
}

function startRun(state: WorkspaceState, ev: EventOf<"run.started">): WorkspaceState {
  const id = ev.run_id ?? `run-${ev.seq}`;
  if (state.runs.some((r) => r.id === id)) return state;
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
  };
  return {
    ...state,
    runs: [...state.runs, run],
    activeRunId: id,
    controlError: null,
    pending: dropPendingFor(state.pending, id, ev),
  };
}

/**
 * The queued message this run answers: the one the server accepted as this run, else the
 * one with the event's `client_msg_id` (if it carries one), else the first with its text.
 */
function dropPendingFor(pending: WorkspaceState["pending"], runId: string, ev: EventOf<"run.started">) {
  const msgId = (ev as { client_msg_id?: unknown }).client_msg_id;
  let index = pending.findIndex((p) => p.runId === runId);
  if (index < 0 && typeof msgId === "string") index = pending.findIndex((p) => p.clientMsgId === msgId);
  if (index < 0) index = pending.findIndex((p) => p.runId === null && p.text === ev.text);
  return index < 0 ? pending : pending.filter((_, i) => i !== index);
}

function appendText(run: RunView, text: string): RunView {
  const last = run.items[run.items.length - 1];
  if (last?.kind === "text" && run.items.length - 1 >= run.attemptStart) {
    return { ...run, items: [...run.items.slice(0, -1), { kind: "text", text: last.text + text }] };
  }
  return { ...run, items: [...run.items, { kind: "text", text }] };
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

function finishRun(state: WorkspaceState, ev: EventOf<"run.finished">): WorkspaceState {
  const runId = ev.run_id ?? state.activeRunId;
  const finished = updateRun(state, runId, (r) => ({
    ...r,
    status: ev.status,
    error: ev.error ?? null,
    finishedAt: ev.ts,
    editedPaths: ev.edited_paths.length ? ev.edited_paths : r.editedPaths,
    // The contract finishes every tool first; a card left running would spin forever.
    items: r.items.map((it) =>
      it.kind === "tool" && it.status === "running" ? { ...it, status: "cancelled" } : it,
    ),
  }));
  return {
    ...finished,
    activeRunId: state.activeRunId === runId ? null : state.activeRunId,
    // A message refused because a run was active goes out again now.
    pending: finished.pending.map((p) => ({ ...p, sentOnEpoch: null })),
  };
}

function updateRun(
  state: WorkspaceState,
  runId: string | null | undefined,
  fn: (run: RunView) => RunView,
): WorkspaceState {
  const id = runId ?? state.activeRunId;
  const index = state.runs.findIndex((r) => r.id === id);
  if (index < 0) return state;
  const runs = state.runs.slice();
  runs[index] = fn(runs[index]);
  return { ...state, runs };
}

// ---- the app log: files, versions, commits ----------------------------------------------

function applyAppEvent(state: WorkspaceState, ev: AppwrightEvent): WorkspaceState {
  switch (ev.type) {
    case "file.updated": {
      const files = { ...state.files };
      if (ev.deleted) delete files[ev.path];
      else files[ev.path] = { path: ev.path, versionId: ev.version_id, rev: (files[ev.path]?.rev ?? 0) + 1 };
      return { ...state, files };
    }
    case "version.created": {
      if (state.versions.some((v) => v.id === ev.version_id)) return state;
      const version: VersionView = {
        id: ev.version_id,
        source: ev.source,
        paths: ev.paths,
        number: null,
        createdAt: ev.ts,
        message: null,
        parentId: state.versions[0]?.id ?? null,
        runId: ev.run_id ?? null,
      };
      return { ...state, versions: [version, ...state.versions] };
    }
    case "commit.updated": {
      const commit: CommitView = {
        state: ev.state,
        sha: ev.sha ?? null,
        error: ev.error?.message ?? null,
        seq: ev.seq,
      };
      return { ...state, commits: { ...state.commits, [ev.version_id]: commit } };
    }
    default:
      return state;
  }
}

/**
 * Folds an HTTP version listing (newest first) into the log-built list: the listing adds
 * numbers and messages; a commit state that came from the log is newer and is kept.
 */
function mergeVersions(state: WorkspaceState, records: VersionRecord[]): WorkspaceState {
  const known = new Map(state.versions.map((v) => [v.id, v]));
  const listed = new Set(records.map((r) => r.id));
  const fromRecords: VersionView[] = records.map((r) => ({
    id: r.id,
    source: r.source,
    paths: r.paths,
    number: r.number ?? null,
    createdAt: known.get(r.id)?.createdAt ?? r.created_at ?? null,
    message: r.message ?? null,
    parentId: r.parent_id ?? known.get(r.id)?.parentId ?? null,
    runId: known.get(r.id)?.runId ?? r.run_id ?? null,
  }));
  // Versions the log reported after the listing was taken are newer than all of it.
  const newer = state.versions.filter((v) => !listed.has(v.id));
  const commits = { ...state.commits };
  for (const r of records) {
    if (!r.commit || commits[r.id]?.seq) continue;
    const err = r.commit.error;
    commits[r.id] = {
      state: r.commit.state,
      sha: r.commit.sha ?? null,
      error: typeof err === "string" ? err : (err?.message ?? null),
      seq: 0,
    };
  }
  return { ...state, versions: [...newer, ...fromRecords], commits };
}

// ---- derived views ----------------------------------------------------------------------

export function activeRun(state: WorkspaceState): RunView | null {
  return state.runs.find((r) => r.id === state.activeRunId) ?? null;
}

export function headVersionId(state: WorkspaceState): string | null {
  return state.versions[0]?.id ?? null;
}

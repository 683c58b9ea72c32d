/**
 * The workspace's UI state: one slice per thing a pane shows, each built by its own reducer
 * module from the two logs. A slice keeps its identity when an event does not concern it,
 * so a pane that reads only its slice (and is memoised) does not re-render for others' events:
 * a streamed text delta changes `chat`, never `files` or `history`. A new panel adds a slice.
 */
import type { AppwrightEvent, ErrorInfo, RunFinished, RunResumed, RunUsage, ToolFinished } from "../generated/events";
import type { CommitState, FileInfo, SessionDetail, VersionRecord } from "../lib/apiTypes";

/** The two logs the workspace follows, each with its own `seq`. */
export type LogName = "session" | "app";

export type ConnStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnState {
  status: ConnStatus;
  /** Reconnect attempts since the last successful open. */
  attempt: number;
  /** Why the connection is closed for good (4401/4404), or the last transient failure. */
  error: ErrorInfo | null;
  /** Sockets opened so far; each open is a new one (the outbox resends on each). */
  epoch: number;
}

// ---- chat: the session log's runs, and messages not yet seen as runs ---------------------

export type RunStatus = RunFinished["status"];
export type ToolStatus = ToolFinished["status"];

export interface ToolCard {
  kind: "tool";
  toolId: string;
  name: string;
  input: Record<string, unknown>;
  status: "running" | ToolStatus;
  startedAt: string;
  durationMs: number | null;
  summary: string;
}

export interface TextBlock {
  kind: "text";
  text: string;
}

/** `model.retry`: the model call failed and is tried again. */
export interface RetryNotice {
  kind: "retry";
  attempt: number;
  delayMs: number;
  reason: string;
}

/** `run.resumed`: the process running the run stopped and another took it over. */
export interface ResumedNotice {
  kind: "resumed";
  turn: number;
  reason: RunResumed["reason"];
}

/** `context.compacted`: older parts of the conversation were condensed to fit the window. */
export interface CompactedNotice {
  kind: "compacted";
  tokensBefore: number;
  tokensAfter: number;
}

export type RunItem = TextBlock | ToolCard | RetryNotice | ResumedNotice | CompactedNotice;

export interface RunView {
  id: string;
  text: string;
  startedAt: string;
  finishedAt: string | null;
  status: "running" | RunStatus;
  error: ErrorInfo | null;
  items: RunItem[];
  /** Index in `items` where the current model attempt began (see `abandonAttempt`). */
  attemptStart: number;
  turn: number;
  editedPaths: string[];
  /** The run's model usage and cost, from `run.finished`; null until then. */
  usage: RunUsage | null;
}

export interface PendingMessage {
  clientMsgId: string;
  text: string;
  /** The socket epoch it last went out on; null until sent (or to be sent again). */
  sentOnEpoch: number | null;
}

export interface ChatState {
  runs: RunView[];
  activeRunId: string | null;
  /** Sent or to be sent, oldest first, until the `run.started` carrying its id (see outbox.ts). */
  pending: PendingMessage[];
  /** The last refusal of a message or command. */
  error: ErrorInfo | null;
}

// ---- meter: the context window's fill and the session's usage -----------------------------

export interface MeterState {
  /** The latest request's length (or what condensing left) of the model's window; null: not known yet. */
  context: { tokens: number | null; window: number | null; fromLog: boolean };
  /** Every model call of the session so far; null before the first. */
  usage: RunUsage | null;
  /** `usage` is folded from the log's `model.usage` events (else it is the HTTP record's). */
  usageFromLog: boolean;
}

// ---- files: the app's paths, and when each last changed ----------------------------------

export interface FileEntry {
  path: string;
  versionId: string | null;
  /** Bumped by every `file.updated` for this path. */
  rev: number;
  /** Listed as binary (an image, a font): shown, never opened as text. */
  binary?: boolean;
}

export interface FilesState {
  entries: Record<string, FileEntry>;
  /** The HTTP listing has arrived. */
  loaded: boolean;
}

// ---- history: versions and their commits -------------------------------------------------

export interface VersionView {
  id: string;
  source: string;
  paths: string[];
  number: number | null;
  createdAt: string | null;
  message: string | null;
  parentId: string | null;
  runId: string | null;
  /** When it was accepted in review (from the listing); absent or null if not. */
  acceptedAt?: string | null;
}

export interface CommitView {
  state: CommitState;
  sha: string | null;
  error: ErrorInfo | null;
  /** App-log seq of the event that set it; 0 when it came from an HTTP listing. */
  seq: number;
}

export interface HistoryState {
  /** Newest first. */
  versions: VersionView[];
  commits: Record<string, CommitView>;
}

// ---- the whole -----------------------------------------------------------------------------

export interface WorkspaceState {
  seq: Record<LogName, number>;
  conn: Record<LogName, ConnState>;
  chat: ChatState;
  meter: MeterState;
  files: FilesState;
  history: HistoryState;
}

export type Action =
  /** `through`: the last `seq` read, which may be past the last event (one of a type this client does not know). */
  | { type: "events"; log: LogName; events: AppwrightEvent[]; through?: number }
  | { type: "conn"; log: LogName; conn: ConnState }
  | { type: "control-error"; error: ErrorInfo }
  | { type: "enqueue"; text: string; clientMsgId: string }
  | { type: "sent"; clientMsgId: string; epoch: number }
  | { type: "rejected"; clientMsgId: string; error: ErrorInfo }
  | { type: "files-loaded"; files: FileInfo[] }
  | { type: "versions-loaded"; versions: VersionRecord[] }
  | { type: "session-reset" }
  | { type: "session-loaded"; detail: SessionDetail };

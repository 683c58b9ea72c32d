import type { AppwrightEvent, ErrorInfo, RunFinished, ToolFinished } from "../generated/events";
import type { CommitState, FileInfo, VersionRecord } from "../lib/api";

/** The two logs the workspace follows, each with its own `seq`. */
export type LogName = "session" | "app";

export type ConnStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnState {
  status: ConnStatus;
  /** Reconnect attempts since the last successful open. */
  attempt: number;
  /** Why the connection is closed for good (4401/4404), or the last transient failure. */
  error: ErrorInfo | null;
}

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

export interface RetryNotice {
  kind: "retry";
  attempt: number;
  delayMs: number;
  reason: string;
}

export type RunItem = TextBlock | ToolCard | RetryNotice;

export interface RunView {
  id: string;
  text: string;
  startedAt: string;
  finishedAt: string | null;
  status: "running" | RunStatus;
  error: ErrorInfo | null;
  items: RunItem[];
  /** Index in `items` where the current model attempt began (see `model.retry`). */
  attemptStart: number;
  turn: number;
  editedPaths: string[];
}

export interface PendingMessage {
  clientMsgId: string;
  text: string;
  /** The socket epoch it was last sent on; null until sent (or to be sent again). */
  sentOnEpoch: number | null;
  /** The run the server started for it (its `accepted` frame), before `run.started` arrives. */
  runId: string | null;
}

export interface VersionView {
  id: string;
  source: string;
  paths: string[];
  number: number | null;
  createdAt: string | null;
  message: string | null;
  parentId: string | null;
  runId: string | null;
}

export interface CommitView {
  state: CommitState;
  sha: string | null;
  error: string | null;
  /** App-log seq of the event that set it; 0 when it came from an HTTP listing. */
  seq: number;
}

export interface FileEntry {
  path: string;
  versionId: string | null;
  /** Bumped by every `file.updated` for this path. */
  rev: number;
}

export interface WorkspaceState {
  seq: Record<LogName, number>;
  conn: Record<LogName, ConnState>;
  runs: RunView[];
  activeRunId: string | null;
  pending: PendingMessage[];
  controlError: ErrorInfo | null;
  files: Record<string, FileEntry>;
  filesLoaded: boolean;
  /** Newest first. */
  versions: VersionView[];
  commits: Record<string, CommitView>;
}

export type Action =
  | { type: "events"; log: LogName; events: AppwrightEvent[] }
  | { type: "conn"; log: LogName; conn: ConnState }
  | { type: "control-error"; log: LogName; error: ErrorInfo }
  | { type: "enqueue"; text: string; clientMsgId: string }
  | { type: "sent"; clientMsgId: string; epoch: number }
  | { type: "accepted"; clientMsgId: string; runId: string }
  | { type: "rejected"; clientMsgId: string; error: ErrorInfo }
  | { type: "files-loaded"; files: FileInfo[] }
  | { type: "versions-loaded"; versions: VersionRecord[] }
  | { type: "session-reset" };

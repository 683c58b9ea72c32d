import type { ChatState, ConnState, HistoryState, WorkspaceState } from "../state/types";

function label(conn: ConnState): string {
  switch (conn.status) {
    case "open":
      return "connected";
    case "connecting":
      return "connecting…";
    case "reconnecting":
      return `reconnecting (attempt ${conn.attempt})…`;
    case "closed":
      return `disconnected: ${conn.error?.message ?? "closed"}`;
  }
}

function Conn({ name, conn, seq }: { name: string; conn: ConnState; seq: number }) {
  return (
    <span className={`conn conn-${conn.status}`} data-testid={`conn-${name}`} data-status={conn.status} title={`last seq ${seq}`}>
      <span className="conn-dot" />
      {name}: {label(conn)}
    </span>
  );
}

interface Props {
  seq: WorkspaceState["seq"];
  conn: WorkspaceState["conn"];
  chat: ChatState;
  history: HistoryState;
}

/** Connection state of both logs, the outbox, and the newest version's commit state. */
export function StatusBar({ seq, conn, chat, history }: Props) {
  const head = history.versions[0];
  const commit = head ? history.commits[head.id] : undefined;
  return (
    <footer className="status-bar">
      <Conn name="chat" conn={conn.session} seq={seq.session} />
      <Conn name="app" conn={conn.app} seq={seq.app} />
      {chat.pending.length > 0 && (
        <span className="status-item" data-testid="pending-count">
          {chat.pending.length} message{chat.pending.length > 1 ? "s" : ""} queued
        </span>
      )}
      <span className="spacer" />
      {chat.activeRunId && <span className="status-item running">model working…</span>}
      {head && (
        <span className="status-item" data-testid="head-version">
          version {head.number ?? "…"} · {commit ? commit.state : "…"}
        </span>
      )}
    </footer>
  );
}

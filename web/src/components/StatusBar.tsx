import type { ConnState, WorkspaceState } from "../state/types";

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

/** Connection state of both logs, the outbox, and the newest version's commit state. */
export function StatusBar({ state }: { state: WorkspaceState }) {
  const head = state.versions[0];
  const commit = head ? state.commits[head.id] : undefined;
  return (
    <footer className="status-bar">
      <Conn name="chat" conn={state.conn.session} seq={state.seq.session} />
      <Conn name="app" conn={state.conn.app} seq={state.seq.app} />
      {state.pending.length > 0 && (
        <span className="status-item" data-testid="pending-count">
          {state.pending.length} message{state.pending.length > 1 ? "s" : ""} queued
        </span>
      )}
      <span className="spacer" />
      {state.activeRunId && <span className="status-item running">model working…</span>}
      {head && (
        <span className="status-item" data-testid="head-version">
          version {head.number ?? "…"} · {commit ? commit.state : "…"}
        </span>
      )}
    </footer>
  );
}

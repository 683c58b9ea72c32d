import { useLayoutEffect, useRef } from "react";
import type { WorkspaceState } from "../../state/types";
import { Composer } from "./Composer";
import { RunBlock } from "./RunBlock";

interface Props {
  state: WorkspaceState;
  ready: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
  onNewSession: () => void;
}

export function ChatPanel({ state, ready, onSend, onCancel, onNewSession }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const offline = state.conn.session.status !== "open";

  // Stay at the bottom while the answer streams, unless the vendor scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section className="pane chat" data-testid="chat">
      <header className="pane-head">
        <span>Chat</span>
        <button className="link" onClick={onNewSession} disabled={!!state.activeRunId}>
          New conversation
        </button>
      </header>
      <div
        className="chat-log"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {state.runs.length === 0 && state.pending.length === 0 && (
          <div className="empty">Ask for a change, e.g. “make the heading blue and add a contact section”.</div>
        )}
        {state.runs.map((run) => (
          <RunBlock key={run.id} run={run} onRetry={onSend} />
        ))}
        {state.pending.map((p) => (
          <div key={p.clientMsgId} className="msg user pending" data-testid="pending-message">
            {p.text}
            <span className="pending-tag">{offline ? "queued · offline" : state.activeRunId ? "queued" : "sending…"}</span>
          </div>
        ))}
        {state.controlError && <div className="notice error">{state.controlError.message}</div>}
      </div>
      <Composer running={!!state.activeRunId} disabled={!ready} onSend={onSend} onCancel={onCancel} />
    </section>
  );
}

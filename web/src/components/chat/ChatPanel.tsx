import { memo, useLayoutEffect, useRef } from "react";
import { useRenderCount } from "../../hooks/useRenderCount";
import type { ChatState, ConnState } from "../../state/types";
import { Composer } from "./Composer";
import { RunBlock } from "./RunBlock";

interface Props {
  chat: ChatState;
  /** The session socket's state. */
  conn: ConnState;
  ready: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
  onNewSession: () => void;
}

export const ChatPanel = memo(function ChatPanel({ chat, conn, ready, onSend, onCancel, onNewSession }: Props) {
  useRenderCount("chat");
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const offline = conn.status !== "open";

  // Stay at the bottom while the answer streams, unless the vendor scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section className="pane chat" data-testid="chat">
      <header className="pane-head">
        <span>Chat</span>
        <button className="link" onClick={onNewSession} disabled={!!chat.activeRunId}>
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
        {chat.runs.length === 0 && chat.pending.length === 0 && (
          <div className="empty">Ask for a change, e.g. “make the heading blue and add a contact section”.</div>
        )}
        {chat.runs.map((run) => (
          <RunBlock key={run.id} run={run} onRetry={onSend} />
        ))}
        {chat.pending.map((p) => (
          <div key={p.clientMsgId} className="msg user pending" data-testid="pending-message">
            {p.text}
            <span className="pending-tag">{offline ? "queued · offline" : chat.activeRunId ? "queued" : "sending…"}</span>
          </div>
        ))}
        {chat.error && <div className="notice error">{chat.error.message}</div>}
      </div>
      <Composer running={!!chat.activeRunId} disabled={!ready} onSend={onSend} onCancel={onCancel} />
    </section>
  );
});

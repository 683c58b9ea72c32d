import { memo, useLayoutEffect, useRef, useState } from "react";
import { useRenderCount } from "../../hooks/useRenderCount";
import { titleOf } from "../../lib/conversations";
import type { ChatState, ConnState, MeterState } from "../../state/types";
import { Composer } from "./Composer";
import { ContextMeter } from "./ContextMeter";
import { ConversationList } from "./ConversationList";
import { RunBlock } from "./RunBlock";

interface Props {
  appId: string;
  /** The conversation shown. */
  sessionId: string | null;
  chat: ChatState;
  /** The context window's fill and the session's usage. */
  meter: MeterState;
  /** The session socket's state. */
  conn: ConnState;
  ready: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
  onNewSession: () => void;
  onOpenSession: (sessionId: string) => void;
}

export const ChatPanel = memo(function ChatPanel(props: Props) {
  const { appId, sessionId, chat, meter, conn, ready, onSend, onCancel, onNewSession, onOpenSession } = props;
  useRenderCount("chat");
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const [listing, setListing] = useState(false);
  const offline = conn.status !== "open";
  const title = chat.runs[0] ? titleOf(chat.runs[0].text, 48) : null;

  // Stay at the bottom while the answer streams, unless the vendor scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section className="pane chat" data-testid="chat">
      <header className="pane-head">
        <span>Chat</span>
        {title && !listing && (
          <span className="muted pane-title" title={chat.runs[0].text} data-testid="conversation-title">
            {title}
          </span>
        )}
        <span className="spacer" />
        <button
          className="link"
          onClick={() => setListing((l) => !l)}
          aria-expanded={listing}
          data-testid="conversations-toggle"
        >
          {listing ? "Back to chat" : "Conversations"}
        </button>
        {!listing && (
          <button className="link" onClick={onNewSession} disabled={!!chat.activeRunId} data-testid="new-conversation">
            New
          </button>
        )}
      </header>
      {listing && (
        <ConversationList
          appId={appId}
          currentId={sessionId}
          onOpen={(id) => {
            setListing(false);
            onOpenSession(id);
          }}
          onNew={() => {
            setListing(false);
            onNewSession();
          }}
        />
      )}
      {/* Hidden, not unmounted, while the list is open: a draft and the scroll stay. */}
      <div className={listing ? "hidden" : "chat-body"}>
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
        <ContextMeter meter={meter} />
        <Composer running={!!chat.activeRunId} disabled={!ready} onSend={onSend} onCancel={onCancel} />
      </div>
    </section>
  );
});

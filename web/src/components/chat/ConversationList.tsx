import { useEffect, useState } from "react";
import { useConversations } from "../../hooks/useConversations";
import { api } from "../../lib/api";
import { conversationTitle, conversationUsage, matchesQuery } from "../../lib/conversations";
import { setTrackedTimeout } from "../../lib/tracked";
import { costLabel, tokenBreakdown } from "../../lib/usage";

const SEARCH_DELAY_MS = 200;

/**
 * The server's search of the app's conversations (every session, however long or condensed)
 * for `query`: the ids it found, or null while it has not answered for this query.
 */
function useServerSearch(appId: string, query: string): { ids: Set<string> | null; error: string | null } {
  const [found, setFound] = useState<{ query: string; ids: Set<string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const q = query.trim();
  useEffect(() => {
    if (!q) return undefined;
    let live = true;
    const cancel = setTrackedTimeout(() => {
      api.listSessions(appId, q).then(
        (list) => live && setFound({ query: q, ids: new Set(list.map((s) => s.id)) }),
        (err: Error) => live && setError(err.message),
      );
    }, SEARCH_DELAY_MS);
    setError(null);
    return () => {
      live = false;
      cancel();
    };
  }, [appId, q]);
  return { ids: q && found?.query === q ? found.ids : null, error };
}

interface Props {
  appId: string;
  currentId: string | null;
  onOpen: (sessionId: string) => void;
  onNew: () => void;
}

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false })
    : d.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" });
}

/** The app's conversations, newest first: search them, reopen one, or start a new one. */
export function ConversationList({ appId, currentId, onOpen, onNew }: Props) {
  const { sessions, summaries, error } = useConversations(appId);
  const [query, setQuery] = useState("");
  const search = useServerSearch(appId, query);
  // The server's answer decides; until it comes, what was read here already filters.
  const shown =
    sessions?.filter((s) => (search.ids ? search.ids.has(s.id) : matchesQuery(s, summaries[s.id], query))) ?? [];
  const reading =
    sessions === null || (query.trim() ? search.ids === null : sessions.some((s) => !summaries[s.id]));

  return (
    <div className="conversations" data-testid="conversations">
      <div className="conversations-bar">
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search conversations"
          aria-label="Search conversations"
          autoFocus
          data-testid="conversation-search"
        />
        <button className="primary" onClick={onNew} data-testid="conversation-new">
          New
        </button>
      </div>
      {(error ?? search.error) && <div className="notice error">{error ?? search.error}</div>}
      {sessions === null && !error && <div className="empty">Loading…</div>}
      {sessions !== null && shown.length === 0 && (
        <div className="empty" data-testid="conversations-empty">
          {query ? (reading ? "Searching…" : `No conversation mentions “${query}”.`) : "No conversations yet."}
        </div>
      )}
      <ul className="conversation-list" data-state={reading ? "reading" : "ready"} data-testid="conversation-list">
        {shown.map((s) => {
          const summary = summaries[s.id];
          const title = conversationTitle(s, summary);
          const usage = conversationUsage(s, summary);
          const current = s.id === currentId;
          return (
            <li key={s.id}>
              <button
                className={current ? "conversation active" : "conversation"}
                onClick={() => onOpen(s.id)}
                aria-current={current ? "true" : undefined}
                data-testid="conversation"
                data-session-id={s.id}
              >
                <span className="conversation-title">
                  {title ?? <span className="muted">{summary ? "No messages yet" : "…"}</span>}
                </span>
                <span className="conversation-meta">
                  {when(s.created_at)}
                  {summary && summary.runs > 0 && ` · ${summary.runs} message${summary.runs > 1 ? "s" : ""}`}
                  {usage && (
                    <span className="conversation-cost" title={tokenBreakdown(usage)} data-testid="conversation-cost">
                      {` · cost ${costLabel(usage.cost_usd)}`}
                    </span>
                  )}
                  {current && " · open"}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

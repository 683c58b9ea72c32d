import { useEffect, useState } from "react";
import { api, type SessionSummary } from "../lib/api";
import { type ConversationSummary, emptySummary, summarise } from "../lib/conversations";
import { mapLimit } from "../lib/parallel";

const PARALLEL_READS = 2;

/**
 * Summaries already read, by session id (ids are unique across apps). They outlive the list
 * being closed, and each is brought up to date by reading only the events after its `lastSeq`.
 */
const summaries = new Map<string, ConversationSummary>();

export interface Conversations {
  /** Newest first; null while loading. */
  sessions: SessionSummary[] | null;
  summaries: Record<string, ConversationSummary>;
  error: string | null;
}

/**
 * The app's conversations, read when the list opens: the listing (titles and usage), then
 * each session's log (only what is new since it was last read) for its search text.
 */
export function useConversations(appId: string): Conversations {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [known, setKnown] = useState<Record<string, ConversationSummary>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const list = await api.listSessions(appId);
      if (!live) return;
      setSessions(list);
      setKnown(Object.fromEntries(list.flatMap((s) => (summaries.has(s.id) ? [[s.id, summaries.get(s.id)!]] : []))));
      await mapLimit(list, PARALLEL_READS, async (s) => {
        if (!live) return;
        const before = summaries.get(s.id) ?? emptySummary;
        const { events } = await api.events({ name: "session", id: s.id }, before.lastSeq);
        const after = summarise(summaries.get(s.id) ?? before, events);
        summaries.set(s.id, after);
        if (live) setKnown((k) => ({ ...k, [s.id]: after }));
      });
    })().catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, [appId]);

  return { sessions, summaries: known, error };
}

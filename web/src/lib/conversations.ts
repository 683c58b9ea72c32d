/**
 * What the conversation list shows about a session, and how it is searched.
 *
 * The session listing gives each session's title (its first message) and usage; the search
 * text, and the title and usage for a server that does not list them, are folded from each
 * session's own log: the title is its first message (`run.started` text), the usage adds up
 * the runs' `usage`, and the search text is every message and answer. A summary carries the
 * last `seq` it read, so it is brought up to date by reading only what came after.
 *
 * The server's `title` and `usage` win when it gives them: `conversationTitle` and
 * `conversationUsage` are the one place that choice is made.
 */
import type { AppwrightEvent } from "../generated/events";
import type { SessionInfo, SessionSummary } from "./apiTypes";
import { addUsage, type RunUsage } from "./usage";

/** A session as listed; a server older than the listing's `title` and `usage` leaves them out. */
export type ListedSession = SessionInfo & Partial<Pick<SessionSummary, "title" | "usage">>;

export interface ConversationSummary {
  /** The first message, on one line; null while the session has no run. */
  title: string | null;
  /** Lower-cased messages and answers, for search (bounded). */
  haystack: string;
  runs: number;
  /** The finished runs' usage added up; null before the first. */
  usage: RunUsage | null;
  lastSeq: number;
}

const TITLE_CHARS = 80;
const HAYSTACK_CHARS = 100_000;

export const emptySummary: ConversationSummary = { title: null, haystack: "", runs: 0, usage: null, lastSeq: 0 };

/** A message as a title: its first non-empty line, spaces collapsed, cut at a word. */
export function titleOf(text: string, max = TITLE_CHARS): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "";
  const flat = line.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Folds more of a session's log (events after `prev.lastSeq`) into its summary. */
export function summarise(prev: ConversationSummary, events: readonly AppwrightEvent[]): ConversationSummary {
  let { title, haystack, runs, usage, lastSeq } = prev;
  for (const ev of events) {
    if (ev.seq <= lastSeq) continue;
    lastSeq = ev.seq;
    if (ev.type === "run.started") {
      title ??= titleOf(ev.text);
      runs += 1;
      haystack += `\n${ev.text.toLowerCase()}\n`;
    } else if (ev.type === "text.delta") {
      haystack += ev.text.toLowerCase();
    } else if (ev.type === "run.finished" && ev.usage) {
      usage = usage ? addUsage(usage, ev.usage) : ev.usage;
    }
  }
  if (haystack.length > HAYSTACK_CHARS) haystack = haystack.slice(0, HAYSTACK_CHARS);
  return { title, haystack, runs, usage, lastSeq };
}

/** The server's title when it gives one, else the first message; null when neither exists (yet). */
export function conversationTitle(info: ListedSession, summary: ConversationSummary | undefined): string | null {
  return info.title ?? summary?.title ?? null;
}

/** The server's usage when it lists one (null: no model call yet), else the runs' from the log. */
export function conversationUsage(info: ListedSession, summary: ConversationSummary | undefined): RunUsage | null {
  return info.usage !== undefined ? info.usage : (summary?.usage ?? null);
}

/** Every word of the query appears in the title, the messages or the answers. */
export function matchesQuery(info: ListedSession, summary: ConversationSummary | undefined, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${conversationTitle(info, summary) ?? ""}\n${summary?.haystack ?? ""}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

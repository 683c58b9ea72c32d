/**
 * What the conversation list shows about a session, and how it is searched.
 *
 * The session listing gives ids and dates only, so the rest is folded from each session's own
 * log: the title is its first message (`run.started` text), the cost adds up the runs'
 * `usage.cost_usd`, and the search text is every message and answer. A summary carries the
 * last `seq` it read, so it is brought up to date by reading only what came after.
 *
 * When the server gives a `title` or `cost_usd` with the session (`SessionInfo`), that wins:
 * `conversationTitle` and `conversationCost` are the one place that choice is made.
 */
import type { AppwrightEvent } from "../generated/events";
import type { SessionInfo } from "./apiTypes";

export interface ConversationSummary {
  /** The first message, on one line; null while the session has no run. */
  title: string | null;
  /** Lower-cased messages and answers, for search (bounded). */
  haystack: string;
  runs: number;
  /** Sum of the runs' known costs; null while no run has a price. */
  costUsd: number | null;
  lastSeq: number;
}

const TITLE_CHARS = 80;
const HAYSTACK_CHARS = 100_000;

export const emptySummary: ConversationSummary = { title: null, haystack: "", runs: 0, costUsd: null, lastSeq: 0 };

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
  let { title, haystack, runs, costUsd, lastSeq } = prev;
  for (const ev of events) {
    if (ev.seq <= lastSeq) continue;
    lastSeq = ev.seq;
    if (ev.type === "run.started") {
      title ??= titleOf(ev.text);
      runs += 1;
      haystack += `\n${ev.text.toLowerCase()}\n`;
    } else if (ev.type === "text.delta") {
      haystack += ev.text.toLowerCase();
    } else if (ev.type === "run.finished" && ev.usage.cost_usd != null) {
      costUsd = (costUsd ?? 0) + ev.usage.cost_usd;
    }
  }
  if (haystack.length > HAYSTACK_CHARS) haystack = haystack.slice(0, HAYSTACK_CHARS);
  return { title, haystack, runs, costUsd, lastSeq };
}

/** The server's title when it gives one, else the first message; null when neither exists (yet). */
export function conversationTitle(info: SessionInfo, summary: ConversationSummary | undefined): string | null {
  return info.title ?? summary?.title ?? null;
}

export function conversationCost(info: SessionInfo, summary: ConversationSummary | undefined): number | null {
  return info.cost_usd ?? summary?.costUsd ?? null;
}

/** Every word of the query appears in the title, the messages or the answers. */
export function matchesQuery(info: SessionInfo, summary: ConversationSummary | undefined, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${conversationTitle(info, summary) ?? ""}\n${summary?.haystack ?? ""}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

export function formatCost(usd: number | null): string | null {
  if (usd == null) return null;
  return usd < 0.01 ? "< $0.01" : `$${usd.toFixed(2)}`;
}

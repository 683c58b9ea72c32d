/**
 * The preview's errors as the console panel shows them: those of the document on screen
 * only (a reload or another page starts afresh, as a browser's console does), so after a fix
 * the count falls to what is still wrong.
 */
import type { ConsoleLevel } from "./previewAgent";

export interface ConsoleEntry {
  level: ConsoleLevel;
  message: string;
  source: string;
  page: string;
  /** How many times in a row it came (an error in a loop shows once). */
  count: number;
}

export interface PreviewConsole {
  doc: string | null;
  entries: ConsoleEntry[];
}

export const EMPTY_CONSOLE: PreviewConsole = { doc: null, entries: [] };
const MAX_ENTRIES = 100;

/** A message from the preview's document `doc` (any message: a new document clears). */
export function seenDocument(c: PreviewConsole, doc: string | undefined): PreviewConsole {
  if (!doc || doc === c.doc) return c;
  return { doc, entries: [] };
}

export function logged(c: PreviewConsole, doc: string, entry: Omit<ConsoleEntry, "count">): PreviewConsole {
  const base = seenDocument(c, doc);
  const last = base.entries[base.entries.length - 1];
  if (last && last.level === entry.level && last.message === entry.message && last.source === entry.source) {
    const entries = base.entries.slice(0, -1).concat({ ...last, count: last.count + 1 });
    return { ...base, entries };
  }
  if (base.entries.length >= MAX_ENTRIES) return base;
  return { ...base, entries: [...base.entries, { ...entry, count: 1 }] };
}

export function errorCount(c: PreviewConsole): number {
  return c.entries.reduce((n, e) => n + e.count, 0);
}

const LABEL: Record<ConsoleLevel, string> = {
  error: "console error",
  exception: "uncaught exception",
  rejection: "unhandled rejection",
};

export function levelLabel(level: ConsoleLevel): string {
  return LABEL[level] ?? level;
}

/** The chat message "Fix with AI" sends: every error, where it happened, and the ask. */
export function fixRequest(entries: ConsoleEntry[]): string {
  const lines = entries.map((e, i) => {
    const where = [e.page && `page ${e.page}`, e.source && `at ${e.source}`].filter(Boolean).join(", ");
    const times = e.count > 1 ? ` (${e.count} times)` : "";
    return `${i + 1}. ${levelLabel(e.level)}${times}${where ? ` (${where})` : ""}:\n${indent(e.message)}`;
  });
  const noun = entries.length === 1 ? "this error" : "these errors";
  return `The preview shows ${noun}:\n\n${lines.join("\n\n")}\n\nPlease find the cause and fix it.`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .slice(0, 12)
    .map((line) => `    ${line}`)
    .join("\n");
}

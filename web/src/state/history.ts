/**
 * The history slice: versions (newest first) from the app log's `version.created`, their
 * commit and push state from `commit.updated`, and the numbers and messages only the HTTP
 * listing has.
 */
import type { AppwrightEvent } from "../generated/events";
import type { VersionRecord } from "../lib/apiTypes";
import type { CommitState } from "../lib/apiTypes";
import type { CommitView, HistoryState, VersionView } from "./types";

export const initialHistory: HistoryState = { versions: [], commits: {} };

export function applyHistoryEvent(history: HistoryState, ev: AppwrightEvent): HistoryState {
  switch (ev.type) {
    case "version.created": {
      if (history.versions.some((v) => v.id === ev.version_id)) return history;
      const version: VersionView = {
        id: ev.version_id,
        source: ev.source,
        paths: ev.paths,
        number: null,
        createdAt: ev.ts,
        message: null,
        parentId: history.versions[0]?.id ?? null,
        runId: ev.run_id ?? null,
      };
      return { ...history, versions: [version, ...history.versions] };
    }
    case "commit.updated": {
      const commit = { state: ev.state, sha: ev.sha ?? null, error: ev.error ?? null, seq: ev.seq };
      return { ...history, commits: { ...history.commits, [ev.version_id]: commit } };
    }
    default:
      return history;
  }
}

/**
 * Folds an HTTP version listing (newest first) into the log-built list: the listing adds
 * numbers and messages; a commit state that came from the log is newer and is kept.
 */
export function versionsListed(history: HistoryState, records: VersionRecord[]): HistoryState {
  const known = new Map(history.versions.map((v) => [v.id, v]));
  const listed = new Set(records.map((r) => r.id));
  const fromRecords: VersionView[] = records.map((r) => ({
    id: r.id,
    source: r.source,
    paths: r.paths,
    number: r.number,
    createdAt: known.get(r.id)?.createdAt ?? r.created_at,
    message: r.message,
    parentId: r.parent_id ?? known.get(r.id)?.parentId ?? null,
    runId: known.get(r.id)?.runId ?? r.run_id,
    acceptedAt: r.accepted_at ?? null,
  }));
  // Versions the log reported after the listing was taken are newer than all of it.
  const newer = history.versions.filter((v) => !listed.has(v.id));
  const commits = { ...history.commits };
  for (const r of records) {
    if (commits[r.id]?.seq) continue;
    commits[r.id] = { state: r.commit.state, sha: r.commit.sha, error: r.commit.error, seq: 0 };
  }
  return { versions: [...newer, ...fromRecords], commits };
}

export function headVersionId(history: HistoryState): string | null {
  return history.versions[0]?.id ?? null;
}

export interface PushSummary {
  /** Versions by commit state (of those the history holds). */
  counts: Record<CommitState, number>;
  /** The newest version whose commit or push failed, with its error. */
  failed: { version: VersionView; commit: CommitView } | null;
}

/** Where the app's versions stand with git, for the publishing panel and the top bar. */
export function pushSummary(history: HistoryState): PushSummary {
  const counts: Record<CommitState, number> = { pending: 0, committed: 0, pushed: 0, failed: 0 };
  let failed: PushSummary["failed"] = null;
  for (const version of history.versions) {
    const commit = history.commits[version.id];
    if (!commit) continue;
    counts[commit.state] += 1;
    if (commit.state === "failed" && !failed) failed = { version, commit };
  }
  return { counts, failed };
}

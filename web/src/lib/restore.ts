/**
 * Restoring an old version: making the app's files what they were right after it, once the
 * vendor has seen what that changes and how it looks.
 *
 * What changes is worked out here: starting from the files as they are now, every newer
 * version is taken back in turn, newest first, with its diff's `before` side (`rewind`).
 * Only paths those versions touched can differ, so only they are read. How it looks is the
 * server's: a preview link scoped to that version (`versionPreviewUrl`), read-only. The
 * restore itself is one route, so one version: one undo takes it back.
 */
import { api, readText } from "./api";
import type { VersionDiff } from "./apiTypes";
import { mapLimit } from "./parallel";
import type { Contents } from "./rejectPlan";

export interface RestoreChange {
  path: string;
  /** The file now (null: absent). */
  current: string | null;
  /** The file as the version left it (null: it did not exist then, so restoring removes it). */
  restored: string | null;
}

export interface RestorePlan {
  versionId: string;
  /** How many newer versions the restore takes back. */
  newer: number;
  /** Every file that differs, by path. */
  changes: RestoreChange[];
}

const PARALLEL_READS = 4;

/** The files as they were before `newerDiffs` (newest first) were made, from the files now. */
export function rewind(current: Contents, newerDiffs: readonly Pick<VersionDiff, "files">[]): Contents {
  const state = { ...current };
  for (const diff of newerDiffs) for (const f of diff.files) state[f.path] = f.before;
  return state;
}

/** The paths whose content differs between now and the restored state. */
export function restoreChanges(current: Contents, restored: Contents): RestoreChange[] {
  const paths = [...new Set([...Object.keys(current), ...Object.keys(restored)])].sort();
  return paths
    .map((path) => ({ path, current: current[path] ?? null, restored: restored[path] ?? null }))
    .filter((c) => c.current !== c.restored);
}

/**
 * What restoring `versionId` would change. `newestFirst` is the app's history, newest first,
 * as far back as the version (ids only are needed).
 */
export async function planRestore(
  appId: string,
  newestFirst: readonly { id: string }[],
  versionId: string,
): Promise<RestorePlan> {
  const index = newestFirst.findIndex((v) => v.id === versionId);
  if (index < 0) throw new Error("That version is not in the history shown.");
  const newer = newestFirst.slice(0, index);
  const diffs = await mapLimit(newer, PARALLEL_READS, (v) => api.versionDiff(appId, v.id));
  const paths = [...new Set(diffs.flatMap((d) => d.files.map((f) => f.path)))];
  const texts = await mapLimit(paths, PARALLEL_READS, (p) => readText(appId, p));
  const current: Contents = Object.fromEntries(paths.map((p, i) => [p, texts[i]]));
  return { versionId, newer: newer.length, changes: restoreChanges(current, rewind(current, diffs)) };
}

/** Restores the version on the server, as one version. */
export async function applyRestore(appId: string, versionId: string): Promise<void> {
  await api.restoreVersion(appId, versionId);
}

/** A page that shows the old version as visitors would see it (read-only). */
export async function versionPreviewUrl(appId: string, versionId: string): Promise<string> {
  return (await api.preview(appId, versionId)).url;
}

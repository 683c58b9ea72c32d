/**
 * Restoring an old version: making the app's files what they were right after it, once the
 * vendor has seen what that changes.
 *
 * No route serves an old version's files yet, so they are worked out here: starting from the
 * files as they are now, every newer version is taken back in turn, newest first, with its
 * diff's `before` side (`rewind`). Only paths those versions touched can differ, so only they
 * are read.
 *
 * Two seams for routes that may come:
 * - `versionPreviewUrl`: a page that shows the old version as visitors would see it. The
 *   restore view shows it above the diff as soon as this returns a URL.
 * - `applyRestore`: today one write per changed file, so one version per file (undo steps
 *   back through them one at a time). A restore route would make it one version.
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

/** Writes the restored files, one version per file (see the module note). */
export async function applyRestore(appId: string, changes: readonly RestoreChange[]): Promise<void> {
  for (const [done, c] of changes.entries()) {
    try {
      if (c.restored === null) await api.deleteFile(appId, c.path);
      else await api.writeFile(appId, c.path, c.restored);
    } catch (err) {
      const note = done ? `${done} of ${changes.length} files were restored; ` : "";
      throw new Error(`${note}${c.path} could not be: ${(err as Error).message}`);
    }
  }
}

/** Where the old version can be seen as a page; null until a route serves one. */
export function versionPreviewUrl(_appId: string, _versionId: string): string | null {
  return null;
}

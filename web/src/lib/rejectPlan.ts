/**
 * What rejecting a version (or some of its hunks) does to the files as they are now.
 *
 * A version may be old: its files may have changed since. So a rejection never writes the
 * version's `before` blindly over later work; it takes back, from each file's current
 * content, the parts of the version that are still there (`editor/rebase.ts`), and names
 * the rest. The plan is what the confirmation shows and exactly what `POST .../revert`
 * receives in `files` (one new version), so the vendor confirms what will happen.
 */
import { type HunkState, revertOnto } from "../editor/rebase";
import { type LineChange, toLineChanges } from "../editor/textDiff";
import type { VersionDiff } from "./apiTypes";

export type FileDiff = VersionDiff["files"][number];

/** Why part of a version cannot be taken back any more. */
export type SkipReason =
  /** the file was changed since, on the lines this version changed */
  | "changed"
  /** the file was deleted since */
  | "deleted"
  /** the file this version deleted exists again */
  | "recreated";

export interface RejectPlan {
  /** New contents to send (`null` deletes); empty when there is nothing left to take back. */
  files: Record<string, string | null>;
  /** Files the rejection deletes (the version created them). */
  removes: string[];
  /** Of `removes`, those edited since the version: deleting them drops those edits too. */
  editedSince: string[];
  /** Files (or parts of them) left as they are, and why. */
  skipped: { path: string; reason: SkipReason; partly: boolean }[];
}

/** The current content of each path (`null`: no such file now). */
export type Contents = Record<string, string | null>;

function empty(): RejectPlan {
  return { files: {}, removes: [], editedSince: [], skipped: [] };
}

function planFile(plan: RejectPlan, f: FileDiff, current: string | null, changes?: readonly LineChange[]): void {
  const { path, before, after } = f;
  if (after === null) {
    // The version deleted it: bring it back, unless it exists again.
    if (before === null) return;
    if (current === null) plan.files[path] = before;
    else if (current !== before) plan.skipped.push({ path, reason: "recreated", partly: false });
    return;
  }
  if (current === null) {
    if (before !== null) plan.skipped.push({ path, reason: "deleted", partly: false });
    return; // a file it created is gone already
  }
  if (before === null) {
    plan.files[path] = null;
    plan.removes.push(path);
    if (current !== after) plan.editedSince.push(path);
    return;
  }
  const hunks = changes ?? toLineChanges(before, after);
  const rebased = revertOnto(before, after, current, hunks);
  const applies = rebased.states.filter((s: HunkState) => s === "applies").length;
  const conflicts = rebased.states.filter((s: HunkState) => s === "conflict").length;
  if (applies > 0) plan.files[path] = rebased.content;
  if (conflicts > 0) plan.skipped.push({ path, reason: "changed", partly: applies > 0 });
}

/** Rejecting every change of a version. */
export function planRejectVersion(diff: readonly FileDiff[], current: Contents): RejectPlan {
  const plan = empty();
  for (const f of diff) planFile(plan, f, current[f.path] ?? null);
  return plan;
}

/** Rejecting some hunks (as the diff editor numbered them) of one file of a version. */
export function planRejectHunks(f: FileDiff, current: string | null, hunks: readonly LineChange[]): RejectPlan {
  const plan = empty();
  planFile(plan, f, current, hunks);
  return plan;
}

/** One skipped file in words. */
export function describeSkip(skip: RejectPlan["skipped"][number]): string {
  switch (skip.reason) {
    case "changed":
      return skip.partly
        ? `${skip.path}: some of these lines were edited since; those stay as they are.`
        : `${skip.path}: these lines were edited since, so this change no longer applies.`;
    case "deleted":
      return `${skip.path} was deleted since.`;
    case "recreated":
      return `${skip.path} exists again since; it stays as it is.`;
  }
}

/** Whether the plan changes anything at all. */
export function hasWork(plan: RejectPlan): boolean {
  return Object.keys(plan.files).length > 0;
}

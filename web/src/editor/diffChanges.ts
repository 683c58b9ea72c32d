/**
 * Following the hunks of a Monaco diff editor. Monaco computes a diff asynchronously (in a
 * worker) as soon as the models are set, and `onDidUpdateDiff` only reports diffs computed
 * after one subscribes. @monaco-editor/react calls `onMount` an effect later than it set the
 * models, so the first diff may already be there: it has to be read, not waited for.
 */
import type { LineChange } from "./textDiff";

/** The part of Monaco's diff editor that reports hunks. */
export interface DiffSource {
  onDidUpdateDiff(listener: () => void): { dispose(): void };
  /** null while the diff is being computed. */
  getLineChanges(): LineChange[] | null;
}

/**
 * Calls `onChanges` with the current hunks (null while they are being computed) now, and
 * again whenever Monaco's diff changes. Dispose the result to stop.
 */
export function followLineChanges(
  editor: DiffSource,
  onChanges: (changes: LineChange[] | null) => void,
): { dispose(): void } {
  const subscription = editor.onDidUpdateDiff(() => onChanges(editor.getLineChanges()));
  onChanges(editor.getLineChanges());
  return subscription;
}

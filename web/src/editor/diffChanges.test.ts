import { describe, expect, it } from "vitest";
import { type DiffSource, followLineChanges } from "./diffChanges";
import type { LineChange } from "./textDiff";

const hunk = (line: number): LineChange => ({
  originalStartLineNumber: line,
  originalEndLineNumber: line,
  modifiedStartLineNumber: line,
  modifiedEndLineNumber: line,
});

/** A stand-in for Monaco's diff editor: `finish` sets the diff and fires the event. */
function fakeDiffEditor() {
  let diff: LineChange[] | null = null;
  const listeners = new Set<() => void>();
  const editor: DiffSource = {
    onDidUpdateDiff(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    getLineChanges: () => diff,
  };
  const finish = (changes: LineChange[] | null) => {
    diff = changes;
    for (const l of listeners) l();
  };
  return { editor, finish, listeners };
}

describe("followLineChanges", () => {
  it("reports a diff that was computed before it subscribed", () => {
    const { editor, finish } = fakeDiffEditor();
    finish([hunk(5), hunk(10)]); // the worker answered before onMount ran
    const seen: (LineChange[] | null)[] = [];
    followLineChanges(editor, (c) => seen.push(c));
    expect(seen).toEqual([[hunk(5), hunk(10)]]);
  });

  it("reports null while computing, then each new diff, until disposed", () => {
    const { editor, finish, listeners } = fakeDiffEditor();
    const seen: (LineChange[] | null)[] = [];
    const sub = followLineChanges(editor, (c) => seen.push(c));
    finish([hunk(5)]);
    finish([hunk(5), hunk(10)]);
    sub.dispose();
    finish([]);
    expect(seen).toEqual([null, [hunk(5)], [hunk(5), hunk(10)]]);
    expect(listeners.size).toBe(0);
  });
});

/**
 * Taking back hunks of a version from the file as it is now, which may have changed since.
 *
 * A version turned `before` into `after`; the file is now `current`. A hunk of that version
 * (lines of `after` that replaced lines of `before`) can be taken back exactly when `current`
 * still holds those lines untouched: we diff `after` against `current`, and if no later change
 * overlaps the hunk, the hunk's lines sit in `current` at a known offset and are swapped back
 * for the lines of `before`. If a later change overlaps them, the hunk no longer applies,
 * unless what is there now is exactly the hunk taken back (it was already rejected).
 *
 * Lines are split on line breaks (a trailing one leaves an empty last line, as Monaco counts
 * lines), so Monaco's 1-based hunks index them.
 */
import { diffLines, type LineChange, type LineHunk } from "./textDiff";

/** A hunk against the file now: can be taken back, was already, or was changed since. */
export type HunkState = "applies" | "rejected" | "conflict";

export interface Rebased {
  /** `current` with every hunk whose state is `applies` taken back. */
  content: string;
  /** One per hunk, in the order given. */
  states: HunkState[];
}

/** A hunk in 0-based, half-open line ranges: `after[a0, a1)` replaced `before[b0, b1)`. */
interface Span {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

function spanOf(c: LineChange): Span {
  const a0 = c.modifiedEndLineNumber === 0 ? c.modifiedStartLineNumber : c.modifiedStartLineNumber - 1;
  const a1 = c.modifiedEndLineNumber === 0 ? a0 : c.modifiedEndLineNumber;
  const b0 = c.originalEndLineNumber === 0 ? c.originalStartLineNumber : c.originalStartLineNumber - 1;
  const b1 = c.originalEndLineNumber === 0 ? b0 : c.originalEndLineNumber;
  return { a0, a1, b0, b1 };
}

/** Does the later change `l` (after → current) touch lines [a0, a1) of `after`? */
function overlaps(l: LineHunk, a0: number, a1: number): boolean {
  if (l.aStart === l.aEnd) return a0 < l.aStart && l.aStart < a1; // an insertion inside
  if (a0 === a1) return l.aStart < a0 && l.aEnd > a0; // a replacement around an insertion point
  return l.aStart < a1 && l.aEnd > a0;
}

/** How many lines the later changes entirely above `a0` added (or removed). */
function shiftAbove(later: readonly LineHunk[], a0: number, inside: ReadonlySet<LineHunk>): number {
  let shift = 0;
  for (const l of later) {
    if (l.aEnd <= a0 && !inside.has(l)) shift += l.bEnd - l.bStart - (l.aEnd - l.aStart);
  }
  return shift;
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

interface Splice {
  at: number;
  remove: number;
  insert: string[];
}

/** Where `span` stands against `current`, and the splice that takes it back if it applies. */
function locate(
  span: Span,
  after: readonly string[],
  before: readonly string[],
  current: readonly string[],
  later: readonly LineHunk[],
): { state: HunkState; splice?: Splice } {
  const restored = before.slice(span.b0, span.b1);
  const touching = new Set(later.filter((l) => overlaps(l, span.a0, span.a1)));
  if (touching.size === 0) {
    const at = span.a0 + shiftAbove(later, span.a0, touching);
    const remove = span.a1 - span.a0;
    if (!sameLines(current.slice(at, at + remove), after.slice(span.a0, span.a1))) return { state: "conflict" };
    return { state: "applies", splice: { at, remove, insert: restored } };
  }
  // Later changes overlap the hunk: widen to the region they cover, and see whether that
  // region now reads as the hunk taken back.
  let r0 = span.a0;
  let r1 = span.a1;
  for (let size = -1; size !== touching.size; ) {
    size = touching.size;
    for (const l of touching) {
      r0 = Math.min(r0, l.aStart);
      r1 = Math.max(r1, l.aEnd);
    }
    for (const l of later) if (overlaps(l, r0, r1)) touching.add(l);
  }
  const c0 = r0 + shiftAbove(later, r0, touching);
  let length = r1 - r0;
  for (const l of touching) length += l.bEnd - l.bStart - (l.aEnd - l.aStart);
  const expected = [...after.slice(r0, span.a0), ...restored, ...after.slice(span.a1, r1)];
  return { state: sameLines(current.slice(c0, c0 + length), expected) ? "rejected" : "conflict" };
}

/**
 * Takes back `changes` (hunks of `before` → `after`, as Monaco or `toLineChanges` reports
 * them) from `current`: each that still applies is taken back, the others are left alone.
 */
export function revertOnto(
  before: string,
  after: string,
  current: string,
  changes: readonly LineChange[],
): Rebased {
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const a = after.split(/\r?\n/);
  const b = before.split(/\r?\n/);
  const c = current.split(/\r?\n/);
  const later = diffLines(a, c);
  const located = changes.map((change) => locate(spanOf(change), a, b, c, later));
  const lines = c.slice();
  const splices = located.flatMap((l) => (l.splice ? [l.splice] : [])).sort((p, q) => q.at - p.at);
  for (const s of splices) lines.splice(s.at, s.remove, ...s.insert);
  return { content: lines.join(eol), states: located.map((l) => l.state) };
}

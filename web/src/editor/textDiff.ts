/**
 * Pure text diffing for the editor: `minimalEdits` turns "the file is now X" into the few
 * small replacements that make the open model equal X, so Monaco can keep the cursor,
 * selection, scroll and undo stack; `toLineChanges` numbers a diff's hunks as Monaco does
 * (`rebase.ts` takes chosen ones back).
 */

export interface LineHunk {
  /** Replace lines [aStart, aEnd) of the old text by lines [bStart, bEnd) of the new. */
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/** A replacement of old-text offsets [start, end) by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Myers' O(ND) diff over lines; past `maxD` edits it gives up and returns one hunk. */
export function diffLines(a: readonly string[], b: readonly string[], maxD = 1500): LineHunk[] {
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo] === b[lo]) lo++;
  let aHi = a.length;
  let bHi = b.length;
  while (aHi > lo && bHi > lo && a[aHi - 1] === b[bHi - 1]) {
    aHi--;
    bHi--;
  }
  if (lo === aHi && lo === bHi) return [];
  const matches = middleMatches(a.slice(lo, aHi), b.slice(lo, bHi), maxD);
  const hunks: LineHunk[] = [];
  let ai = 0;
  let bi = 0;
  for (const [ma, mb] of [...matches, [aHi - lo, bHi - lo] as const]) {
    if (ma > ai || mb > bi) hunks.push({ aStart: lo + ai, aEnd: lo + ma, bStart: lo + bi, bEnd: lo + mb });
    ai = ma + 1;
    bi = mb + 1;
  }
  return hunks;
}

/** Matched index pairs, ascending; [] when the diff is too large to be worth aligning. */
function middleMatches(a: readonly string[], b: readonly string[], maxD: number): [number, number][] {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  let end = -1;
  for (let d = 0; d <= Math.min(n + m, maxD) && end < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) end = d;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (end < 0) return [];
  const matches: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = end; d > 0; d--) {
    const prev = trace[d - 1];
    const at = (k: number) => prev[k + d - 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const snakeStart = prevK === k + 1 ? prevX : prevX + 1;
    while (x > snakeStart) {
      matches.push([--x, --y]);
    }
    x = prevX;
    y = prevX - prevK;
  }
  while (x > 0 && y > 0) matches.push([--x, --y]);
  return matches.reverse();
}

/** Splits keeping each line's terminator, so the pieces join back to the text. */
export function splitKeepingEnds(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

/** The smallest replacements (in old-text offsets, ascending) that turn `before` into `after`. */
export function minimalEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  const a = splitKeepingEnds(before);
  const b = splitKeepingEnds(after);
  const aOffsets = lineOffsets(a);
  const bOffsets = lineOffsets(b);
  return diffLines(a, b).map((h) => {
    const start = aOffsets[h.aStart];
    const oldText = before.slice(start, aOffsets[h.aEnd]);
    const newText = after.slice(bOffsets[h.bStart], bOffsets[h.bEnd]);
    return trimEdit(start, oldText, newText);
  });
}

function lineOffsets(lines: readonly string[]): number[] {
  const offsets = [0];
  for (const line of lines) offsets.push(offsets[offsets.length - 1] + line.length);
  return offsets;
}

/** Narrows one replacement to the characters that actually differ. */
function trimEdit(start: number, oldText: string, newText: string): TextEdit {
  let p = 0;
  const max = Math.min(oldText.length, newText.length);
  while (p < max && oldText[p] === newText[p]) p++;
  let s = 0;
  while (s < max - p && oldText[oldText.length - 1 - s] === newText[newText.length - 1 - s]) s++;
  return {
    start: start + p,
    end: start + oldText.length - s,
    text: newText.slice(p, newText.length - s),
  };
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = "";
  let pos = 0;
  for (const e of edits) {
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/**
 * One hunk as Monaco's diff reports it (1-based lines; an end of 0 means the side is empty
 * and the hunk sits after line `start`).
 */
export interface LineChange {
  originalStartLineNumber: number;
  originalEndLineNumber: number;
  modifiedStartLineNumber: number;
  modifiedEndLineNumber: number;
}

/** Our own hunks in Monaco's shape (for when no diff editor has computed them). */
export function toLineChanges(original: string, modified: string): LineChange[] {
  return diffLines(original.split(/\r?\n/), modified.split(/\r?\n/)).map((h) => ({
    originalStartLineNumber: h.aEnd > h.aStart ? h.aStart + 1 : h.aStart,
    originalEndLineNumber: h.aEnd > h.aStart ? h.aEnd : 0,
    modifiedStartLineNumber: h.bEnd > h.bStart ? h.bStart + 1 : h.bStart,
    modifiedEndLineNumber: h.bEnd > h.bStart ? h.bEnd : 0,
  }));
}

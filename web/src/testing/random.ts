/** Seeded randomness for property tests: the same seed, the same cases. */
export function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** A few random deletions, insertions and replacements of lines. */
export function mutate(lines: string[], rand: () => number): string[] {
  const out = lines.slice();
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.33) out.splice(at, 1);
    else if (op < 0.66) out.splice(at, 0, `new ${Math.floor(rand() * 100)}`);
    else out.splice(at, 1, `changed ${Math.floor(rand() * 100)}`);
  }
  return out;
}

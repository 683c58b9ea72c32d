/**
 * The preview's own back/forward list. The browser's history of a cross-origin frame cannot
 * be read from the workspace, and moving it would move the workspace's history too; so the
 * address bar keeps the pages the preview showed, and goes back or forward by replacing the
 * frame's location (which adds no entry anywhere).
 */

export interface PreviewHistory {
  entries: string[];
  index: number;
  /** The workspace sent the frame somewhere: the next page it reports takes this entry's
   * place (a folder's redirect to its slash, say) instead of adding one. */
  navigating: boolean;
}

export const EMPTY_HISTORY: PreviewHistory = { entries: [], index: -1, navigating: false };

export function current(h: PreviewHistory): string | null {
  return h.entries[h.index] ?? null;
}

/** The frame reports that it shows `path` (its agent's `ready` or `location`). */
export function shown(h: PreviewHistory, path: string): PreviewHistory {
  if (h.navigating) {
    const entries = h.entries.slice();
    entries[h.index] = path;
    return { entries, index: h.index, navigating: false };
  }
  if (current(h) === path) return h;
  return push(h, path, false);
}

/** The vendor asks for `path` (typed, or picked from the pages). */
export function open(h: PreviewHistory, path: string): PreviewHistory {
  return push(h, path, true);
}

export function canGo(h: PreviewHistory, delta: -1 | 1): boolean {
  const to = h.index + delta;
  return to >= 0 && to < h.entries.length;
}

export function go(h: PreviewHistory, delta: -1 | 1): PreviewHistory {
  if (!canGo(h, delta)) return h;
  return { ...h, index: h.index + delta, navigating: true };
}

function push(h: PreviewHistory, path: string, navigating: boolean): PreviewHistory {
  const entries = [...h.entries.slice(0, h.index + 1), path];
  return { entries, index: entries.length - 1, navigating };
}

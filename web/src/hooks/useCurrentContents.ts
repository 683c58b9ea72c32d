import { useEffect, useState } from "react";
import { readText } from "../lib/api";
import { mapLimit } from "../lib/parallel";
import type { Contents } from "../lib/rejectPlan";
import type { FileEntry } from "../state/types";

export interface CurrentContents {
  /** Null while a read is due, so nothing is ever judged against stale text. */
  contents: Contents | null;
  error: string | null;
}

/**
 * The current text of `paths` (null: no such file), read again whenever the app log says one
 * of them changed.
 */
export function useCurrentContents(
  appId: string,
  paths: readonly string[] | null,
  entries: Record<string, FileEntry>,
): CurrentContents {
  // Names the paths and their revisions: the effect reads again exactly when it changes.
  const key = paths ? paths.map((p) => `${p}\u0000${entries[p]?.rev ?? "-"}`).join("\u0001") : null;
  const [read, setRead] = useState<{ key: string; contents: Contents | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!paths || key === null) return undefined;
    let live = true;
    mapLimit(paths, 4, (p) => readText(appId, p)).then(
      (texts) => live && setRead({ key, contents: Object.fromEntries(paths.map((p, i) => [p, texts[i]])), error: null }),
      (err: Error) => live && setRead({ key, contents: null, error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [appId, key]);
  return read?.key === key ? { contents: read.contents, error: read.error } : { contents: null, error: null };
}

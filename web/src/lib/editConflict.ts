/**
 * A save refused because the file changed since the text being saved started from it
 * (409 `edit_conflict`): the server's answer carries the file as it is now.
 */
export interface EditConflict {
  /** The file's text now; null when it was deleted. */
  content: string | null;
  /** The version that last changed it: a save based on it is no longer a conflict. */
  versionId: string;
}

/** The conflict an error reports, or null for any other error. Duck-typed on purpose: the
 * error may come from any client of the route. */
export function editConflictOf(err: unknown): EditConflict | null {
  const e = err as { status?: number; code?: string; detail?: { current?: unknown } } | null;
  if (!e || e.status !== 409 || e.code !== "edit_conflict") return null;
  const current = e.detail?.current as { content?: unknown; version_id?: unknown } | undefined;
  if (!current || typeof current.version_id !== "string") return null;
  return { content: typeof current.content === "string" ? current.content : null, versionId: current.version_id };
}

/**
 * The files slice: the app's paths from the HTTP listing, kept current by the app log's
 * `file.updated`. Each path's `rev` counts its changes, so the editor knows what to refetch.
 */
import type { AppwrightEvent } from "../generated/events";
import type { FileInfo } from "../lib/apiTypes";
import type { FilesState } from "./types";

export const initialFiles: FilesState = { entries: {}, loaded: false };

export function applyFileEvent(files: FilesState, ev: AppwrightEvent): FilesState {
  if (ev.type !== "file.updated") return files;
  const entries = { ...files.entries };
  if (ev.deleted) delete entries[ev.path];
  else {
    const entry = { path: ev.path, versionId: ev.version_id, rev: (entries[ev.path]?.rev ?? 0) + 1 };
    entries[ev.path] = ev.binary ? { ...entry, binary: true } : entry;
  }
  return { ...files, entries };
}

/** The HTTP listing adds what the log has not mentioned; what the log said stands. */
export function filesListed(files: FilesState, listed: FileInfo[]): FilesState {
  const entries = { ...files.entries };
  for (const f of listed) {
    entries[f.path] ??= { path: f.path, versionId: null, rev: 0 };
    if (f.binary) entries[f.path] = { ...entries[f.path], binary: true };
  }
  return { entries, loaded: true };
}

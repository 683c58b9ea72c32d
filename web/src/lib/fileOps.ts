/**
 * Creating and renaming files from the file tree, through the file routes (deleting is the
 * plain `api.deleteFile`). A rename is one route, so one version: one undo takes it back.
 */
import { api, ApiError } from "./api";

function refuseExisting(path: string, existing: readonly string[]): void {
  if (existing.includes(path)) throw new ApiError(409, "file_exists", `${path} exists already.`);
}

/** A new, empty text file (the server validates the path). */
export async function createFile(appId: string, path: string, existing: readonly string[]): Promise<void> {
  refuseExisting(path, existing);
  await api.writeFile(appId, path, "");
}

export async function renameFile(appId: string, from: string, to: string, existing: readonly string[]): Promise<void> {
  if (from === to) return;
  refuseExisting(to, existing);
  await api.renameFile(appId, from, to);
}

/**
 * Creating and renaming files from the file tree, through the file routes (deleting is the
 * plain `api.deleteFile`).
 *
 * A rename is a new file plus a delete today, so it makes two versions (undo takes back the
 * delete first). `renameFile` is the one place that knows: a one-version rename route, when
 * it exists, replaces its body and nothing else changes.
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
  const file = await api.readFile(appId, from);
  if (file.base64 !== undefined) await api.writeBinary(appId, to, file.base64);
  else await api.writeFile(appId, to, file.content ?? "");
  try {
    await api.deleteFile(appId, from);
  } catch (err) {
    throw new Error(`${to} was made, but ${from} could not be deleted: ${(err as Error).message}`);
  }
}

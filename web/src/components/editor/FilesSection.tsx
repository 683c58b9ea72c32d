import { useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import { api } from "../../lib/api";
import { createFile, renameFile } from "../../lib/fileOps";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { FileTree } from "./FileTree";
import { PathInput } from "./PathInput";

interface Props {
  appId: string;
  paths: string[];
  open: string | null;
  statuses: Record<string, DocStatus>;
  sync: DocumentSync;
  onOpen: (path: string) => void;
  notify: (text: string, tone?: "info" | "error") => void;
}

/** The file tree with its actions: new file, rename, and delete (after a confirmation). */
export function FilesSection({ appId, paths, open, statuses, sync, onOpen, notify }: Props) {
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (path: string) => {
    await createFile(appId, path, paths);
    setCreating(false);
    onOpen(path);
    notify(`Created ${path}`);
  };

  const rename = async (from: string, to: string) => {
    await sync.flush(); // unsaved typing goes with the file
    await renameFile(appId, from, to, paths);
    if (open === from) onOpen(to);
    notify(`Renamed ${from} to ${to}`);
  };

  const remove = async (path: string) => {
    setBusy(true);
    try {
      await api.deleteFile(appId, path);
      notify(`Deleted ${path}`);
      setDeleting(null);
    } catch (err) {
      notify(`Could not delete ${path}: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="pane-head">
        <span>Files</span>
        <span className="spacer" />
        <button className="link" onClick={() => setCreating(true)} title="New file" data-testid="new-file">
          + New
        </button>
      </header>
      {creating && (
        <PathInput initial="" label="New file name" onSubmit={create} onCancel={() => setCreating(false)} testId="new-file-input" />
      )}
      <FileTree paths={paths} open={open} statuses={statuses} onOpen={onOpen} onRename={rename} onDelete={setDeleting} />
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          confirmLabel="Delete file"
          busy={busy}
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>
            <strong>{deleting}</strong> is removed from the app, and from the preview.
          </p>
          <p className="muted">Deleting makes a new version; Undo brings the file back.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

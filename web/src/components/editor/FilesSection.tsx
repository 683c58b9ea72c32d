import { useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import { api } from "../../lib/api";
import { toBase64 } from "../../lib/binary";
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

/** The file tree with its actions: new file, upload (the button, or files dropped on the
 * tree), rename, and delete (after a confirmation). */
export function FilesSection({ appId, paths, open, statuses, sync, onOpen, notify }: Props) {
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dropping, setDropping] = useState(false);

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

  const upload = async (picked: File[]) => {
    for (const file of picked) {
      try {
        await api.writeBinary(appId, file.name, await toBase64(file));
        notify(`Uploaded ${file.name}`);
      } catch (err) {
        notify(`Could not upload ${file.name}: ${(err as Error).message}`, "error");
      }
    }
    if (picked.length === 1) onOpen(picked[0].name);
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
        <label className="link upload" title="Upload files (images too), or drop them on the file list">
          ⇪ Upload
          <input
            type="file"
            multiple
            hidden
            data-testid="upload-input"
            onChange={(e) => {
              const picked = Array.from(e.target.files ?? []);
              e.target.value = "";
              void upload(picked);
            }}
          />
        </label>
      </header>
      {creating && (
        <PathInput initial="" label="New file name" onSubmit={create} onCancel={() => setCreating(false)} testId="new-file-input" />
      )}
      <div
        className={dropping ? "tree-drop dropping" : "tree-drop"}
        data-testid="tree-drop"
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes("Files")) return;
          e.preventDefault();
          setDropping(true);
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDropping(false);
          void upload(Array.from(e.dataTransfer.files));
        }}
      >
        <FileTree paths={paths} open={open} statuses={statuses} onOpen={onOpen} onRename={rename} onDelete={setDeleting} />
      </div>
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

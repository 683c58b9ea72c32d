import { useState } from "react";
import type { DocStatus } from "../../editor/documentSync";
import { PathInput } from "./PathInput";

interface Props {
  paths: string[];
  open: string | null;
  statuses: Record<string, DocStatus>;
  onOpen: (path: string) => void;
  /** Resolves once renamed; a rejection is shown under the name field. */
  onRename: (from: string, to: string) => Promise<void>;
  onDelete: (path: string) => void;
}

/**
 * The app's files, folders shown by indentation (static sites are shallow). Each row renames
 * (its ✎ button or F2) and deletes (its ✕ button or Delete) in place.
 */
export function FileTree({ paths, open, statuses, onOpen, onRename, onDelete }: Props) {
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <ul className="file-tree" data-testid="file-tree">
      {paths.map((path) => {
        const parts = path.split("/");
        const status = statuses[path];
        if (renaming === path) {
          return (
            <li key={path} className="file-row">
              <PathInput
                initial={path}
                label={`New name for ${path}`}
                onSubmit={async (to) => {
                  await onRename(path, to);
                  setRenaming(null);
                }}
                onCancel={() => setRenaming(null)}
                testId="rename-input"
              />
            </li>
          );
        }
        return (
          <li key={path} className="file-row">
            <button
              className={path === open ? "file active" : "file"}
              style={{ paddingLeft: 10 + (parts.length - 1) * 12 }}
              onClick={() => onOpen(path)}
              onKeyDown={(e) => {
                if (e.key === "F2") {
                  e.preventDefault();
                  setRenaming(path);
                } else if (e.key === "Delete") {
                  e.preventDefault();
                  onDelete(path);
                }
              }}
              data-testid="file"
              data-path={path}
              title={path}
            >
              {parts.length > 1 && <span className="dir">{parts.slice(0, -1).join("/")}/</span>}
              {parts[parts.length - 1]}
              {status?.conflict != null ? <span className="badge warn">conflict</span> : status?.dirty ? <span className="dot" title="unsaved" /> : null}
            </button>
            <span className="file-actions">
              <button className="icon" title={`Rename ${path} (F2)`} aria-label={`Rename ${path}`} onClick={() => setRenaming(path)} data-testid="rename-file">
                ✎
              </button>
              <button className="icon" title={`Delete ${path} (Delete)`} aria-label={`Delete ${path}`} onClick={() => onDelete(path)} data-testid="delete-file">
                ✕
              </button>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

import { useEffect, useMemo, useRef, useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import type { WorkspaceState } from "../../state/types";
import { VersionList } from "../versions/VersionList";
import { CodeEditor } from "./CodeEditor";
import { DiffView } from "./DiffView";
import { FileTree } from "./FileTree";

interface Props {
  appId: string;
  state: WorkspaceState;
  sync: DocumentSync;
  statuses: Record<string, DocStatus>;
  notify: (text: string, tone?: "info" | "error") => void;
}

function defaultFile(paths: string[]): string | null {
  return paths.find((p) => p === "index.html") ?? paths[0] ?? null;
}

/** File tree and version history beside Monaco (or the diff of a chosen version). */
export function EditorPanel({ appId, state, sync, statuses, notify }: Props) {
  const paths = useMemo(() => Object.keys(state.files).sort(), [state.files]);
  const [open, setOpen] = useState<string | null>(null);
  const [diffId, setDiffId] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<Set<string>>(new Set());
  const seenRevs = useRef<Record<string, number>>({});

  const current = open && state.files[open] ? open : defaultFile(paths);

  // The editor follows the app log: every change to an opened file is fetched and merged.
  useEffect(() => {
    const seen = seenRevs.current;
    for (const [path, entry] of Object.entries(state.files)) {
      if (seen[path] !== undefined && seen[path] !== entry.rev) void sync.remoteChanged(path);
      seen[path] = entry.rev;
    }
    for (const path of Object.keys(seen)) {
      if (state.files[path]) continue;
      delete seen[path];
      sync.remoteDeleted(path);
    }
  }, [state.files, sync]);

  const diffVersion = state.versions.find((v) => v.id === diffId) ?? null;

  return (
    <section className="pane editor-pane">
      <aside className="sidebar">
        <header className="pane-head">Files</header>
        <FileTree
          paths={paths}
          open={diffVersion ? null : current}
          statuses={statuses}
          onOpen={(p) => {
            setOpen(p);
            setDiffId(null);
          }}
        />
        <header className="pane-head">History</header>
        <VersionList versions={state.versions} commits={state.commits} selected={diffId} onSelect={setDiffId} />
      </aside>
      <div className="editor-main">
        <div className={diffVersion ? "hidden" : "fill"}>
          <CodeEditor sync={sync} path={current} status={current ? statuses[current] : undefined} />
        </div>
        {diffVersion && (
          <DiffView
            key={diffVersion.id} // a fresh diff, hunks and rejections for each version
            appId={appId}
            version={diffVersion}
            accepted={accepted.has(diffVersion.id)}
            onAccept={() => {
              setAccepted((s) => new Set(s).add(diffVersion.id));
              setDiffId(null);
            }}
            onClose={() => setDiffId(null)}
            notify={notify}
          />
        )}
      </div>
    </section>
  );
}

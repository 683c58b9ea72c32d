import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import { useRenderCount } from "../../hooks/useRenderCount";
import type { FilesState, HistoryState } from "../../state/types";
import { VersionList } from "../versions/VersionList";
import { CodeEditor } from "./CodeEditor";
import { DiffView } from "./DiffView";
import { FileTree } from "./FileTree";

interface Props {
  appId: string;
  files: FilesState;
  history: HistoryState;
  sync: DocumentSync;
  statuses: Record<string, DocStatus>;
  notify: (text: string, tone?: "info" | "error") => void;
}

function defaultFile(paths: string[]): string | null {
  return paths.find((p) => p === "index.html") ?? paths[0] ?? null;
}

/** File tree and version history beside Monaco (or the diff of a chosen version). */
export const EditorPanel = memo(function EditorPanel({ appId, files, history, sync, statuses, notify }: Props) {
  useRenderCount("editor");
  const entries = files.entries;
  const paths = useMemo(() => Object.keys(entries).sort(), [entries]);
  const [open, setOpen] = useState<string | null>(null);
  const [diffId, setDiffId] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<Set<string>>(new Set());
  const seenRevs = useRef<Record<string, number>>({});

  const current = open && entries[open] ? open : defaultFile(paths);

  // The editor follows the app log: every change to an opened file is fetched and merged.
  useEffect(() => {
    const seen = seenRevs.current;
    for (const [path, entry] of Object.entries(entries)) {
      if (seen[path] !== undefined && seen[path] !== entry.rev) void sync.remoteChanged(path);
      seen[path] = entry.rev;
    }
    for (const path of Object.keys(seen)) {
      if (entries[path]) continue;
      delete seen[path];
      sync.remoteDeleted(path);
    }
  }, [entries, sync]);

  const diffVersion = history.versions.find((v) => v.id === diffId) ?? null;

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
        <VersionList versions={history.versions} commits={history.commits} selected={diffId} onSelect={setDiffId} />
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
});

import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import { useRenderCount } from "../../hooks/useRenderCount";
import { api } from "../../lib/api";
import type { FilesState, HistoryState } from "../../state/types";
import { RestoreView } from "../versions/RestoreView";
import { VersionList } from "../versions/VersionList";
import { isImagePath } from "../../lib/binary";
import { BinaryView } from "./BinaryView";
import { CodeEditor } from "./CodeEditor";
import { DiffView } from "./DiffView";
import { FilesSection } from "./FilesSection";

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

/** File tree and version history beside Monaco (or the diff of a chosen version, or its restore). */
export const EditorPanel = memo(function EditorPanel({ appId, files, history, sync, statuses, notify }: Props) {
  useRenderCount("editor");
  const entries = files.entries;
  const paths = useMemo(() => Object.keys(entries).sort(), [entries]);
  const [open, setOpen] = useState<string | null>(null);
  const [diffId, setDiffId] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  const [accepted, setAccepted] = useState<Set<string>>(new Set());
  const seenRevs = useRef<Record<string, number>>({});

  const current = open && entries[open] ? open : defaultFile(paths);
  const binary = current !== null && (isImagePath(current) || entries[current]?.binary === true);

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
  const select = (id: string | null) => {
    setDiffId(id);
    setRestoring(false);
  };

  return (
    <section className="pane editor-pane">
      <aside className="sidebar">
        <FilesSection
          appId={appId}
          paths={paths}
          open={diffVersion ? null : current}
          statuses={statuses}
          sync={sync}
          onOpen={(p) => {
            setOpen(p);
            select(null);
          }}
          notify={notify}
        />
        <header className="pane-head">History</header>
        <VersionList
          versions={history.versions}
          commits={history.commits}
          accepted={accepted}
          selected={diffId}
          onSelect={select}
        />
      </aside>
      <div className="editor-main">
        <div className={diffVersion || binary ? "hidden" : "fill"}>
          <CodeEditor sync={sync} path={binary ? null : current} status={current && !binary ? statuses[current] : undefined} />
        </div>
        {binary && current && !diffVersion && (
          <div className="fill">
            <BinaryView appId={appId} path={current} rev={entries[current]?.rev ?? 0} />
          </div>
        )}
        {diffVersion && restoring && (
          <RestoreView
            key={diffVersion.id}
            appId={appId}
            version={diffVersion}
            versions={history.versions}
            onClose={() => select(null)}
            notify={notify}
          />
        )}
        {diffVersion && !restoring && (
          <DiffView
            key={diffVersion.id} // a fresh diff and hunks for each version
            appId={appId}
            version={diffVersion}
            isHead={diffVersion.id === history.versions[0]?.id}
            entries={entries}
            accepted={accepted.has(diffVersion.id) || !!diffVersion.acceptedAt}
            onAccept={() => {
              const id = diffVersion.id;
              // Stored with the version: the mark survives a reload and shows on every tab.
              api.acceptVersion(appId, id).then(
                () => {
                  setAccepted((s) => new Set(s).add(id));
                  select(null);
                },
                (err: Error) => notify(`Accept failed: ${err.message}`, "error"),
              );
            }}
            onClose={() => select(null)}
            onRestore={() => setRestoring(true)}
            notify={notify}
          />
        )}
      </div>
    </section>
  );
});

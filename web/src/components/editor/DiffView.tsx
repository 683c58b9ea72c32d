import { DiffEditor } from "@monaco-editor/react";
import type * as Monaco from "monaco-editor";
import { useEffect, useRef, useState } from "react";
import { languageFor } from "../../editor/monacoSetup";
import { followLineChanges } from "../../editor/diffChanges";
import { type LineChange, revertLineChanges } from "../../editor/textDiff";
import { api, type VersionDiff } from "../../lib/api";
import type { VersionView } from "../../state/types";
import { HunkList } from "./HunkList";

interface Props {
  appId: string;
  version: VersionView;
  accepted: boolean;
  onAccept: () => void;
  onClose: () => void;
  notify: (text: string, tone?: "info" | "error") => void;
}

type FileDiff = VersionDiff["files"][number];

/** A version against its parent, with accept, reject, and reject-per-hunk. */
export function DiffView({ appId, version, accepted, onAccept, onClose, notify }: Props) {
  const [diff, setDiff] = useState<VersionDiff | null>(null);
  const [active, setActive] = useState<string | null>(null);
  // The hunks Monaco computed, and for which diff editor (`version:path`); null while computing.
  const [hunks, setHunks] = useState<{ key: string; changes: LineChange[] | null }>({ key: "", changes: null });
  const [rejected, setRejected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const subscription = useRef<Monaco.IDisposable | null>(null);

  useEffect(() => {
    let live = true;
    setDiff(null);
    api.versionDiff(appId, version.id).then(
      (d) => {
        if (!live) return;
        setDiff(d);
        setActive(d.files[0]?.path ?? null);
      },
      (err: Error) => live && notify(`Could not load the diff: ${err.message}`, "error"),
    );
    return () => {
      live = false;
    };
  }, [appId, version.id, notify]);

  useEffect(() => () => subscription.current?.dispose(), []);

  const file = diff?.files.find((f) => f.path === active) ?? null;
  const editorKey = file ? `${version.id}:${file.path}` : "";
  // Hunks of another file (the tab just switched) are not this file's: wait for Monaco.
  const changes = hunks.key === editorKey ? hunks.changes : null;

  async function revert(body: { paths?: string[]; files?: Record<string, string> }, done: string) {
    setBusy(true);
    try {
      await api.revert(appId, version.id, body);
      notify(done);
    } catch (err) {
      notify(`Reject failed: ${(err as Error).message}`, "error");
      throw err;
    } finally {
      setBusy(false);
    }
  }

  async function rejectHunk(f: FileDiff, hunkChanges: readonly LineChange[], index: number) {
    if (f.before === null || f.after === null) return;
    // Busy from the first read to the write: a second reject must see this one's result.
    setBusy(true);
    try {
      // Hunks already rejected here are part of the expected current content.
      const done = hunkChanges.filter((_, i) => rejected.has(`${f.path}:${i}`));
      const expected = revertLineChanges(f.before, f.after, done);
      const current = await api.readFile(appId, f.path).then((r) => r.content, () => null);
      if (current !== expected) {
        notify(`${f.path} has changed since this version; reject from a newer version instead.`, "error");
        return;
      }
      const content = revertLineChanges(f.before, f.after, [...done, hunkChanges[index]]);
      await api.revert(appId, version.id, { files: { [f.path]: content } });
      notify(`Rejected one change in ${f.path}`);
      setRejected((s) => new Set(s).add(`${f.path}:${index}`));
    } catch (err) {
      notify(`Reject failed: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="diff-view" data-testid="diff-view">
      <div className="editor-bar">
        <span className="editor-path">
          Version {version.number ?? version.id.slice(0, 8)} · {version.source} vs. its parent
        </span>
        <span className="spacer" />
        {version.source === "ai" && !accepted && (
          <button className="primary" onClick={onAccept} disabled={busy} data-testid="accept-version">Accept</button>
        )}
        {accepted && <span className="badge ok">accepted</span>}
        <button
          className="danger"
          disabled={busy || !diff}
          onClick={() => revert({ paths: version.paths }, "Rejected the whole version").then(onClose, () => {})}
          data-testid="reject-version"
        >
          Reject version
        </button>
        <button onClick={onClose} data-testid="close-diff">Close</button>
      </div>
      {diff && diff.files.length > 1 && (
        <div className="tabs">
          {diff.files.map((f) => (
            <button key={f.path} className={f.path === active ? "tab active" : "tab"} onClick={() => setActive(f.path)}>
              {f.path}
            </button>
          ))}
        </div>
      )}
      {file && (
        <HunkList
          file={file}
          changes={changes}
          rejected={rejected}
          busy={busy}
          onReject={(i) => {
            if (changes) void rejectHunk(file, changes, i);
          }}
        />
      )}
      <div className="editor-host">
        {file ? (
          <DiffEditor
            key={editorKey}
            theme="vs-dark"
            original={file.before ?? ""}
            modified={file.after ?? ""}
            language={languageFor(file.path)}
            options={{ readOnly: true, automaticLayout: true, renderSideBySide: false, minimap: { enabled: false } }}
            keepCurrentOriginalModel
            keepCurrentModifiedModel
            onMount={(editor) => {
              subscription.current?.dispose();
              // Monaco may have finished the diff before this runs: read it, then follow it.
              const key = editorKey;
              subscription.current = followLineChanges(editor, (c) => setHunks({ key, changes: c }));
              // The wrapper would dispose the models before the editor (Monaco complains);
              // we keep them and dispose them once the editor is gone.
              const models = editor.getModel();
              editor.onDidDispose(() => {
                models?.original.dispose();
                models?.modified.dispose();
              });
            }}
          />
        ) : (
          <div className="empty">{diff ? "This version changed no file." : "Loading diff…"}</div>
        )}
      </div>
    </div>
  );
}

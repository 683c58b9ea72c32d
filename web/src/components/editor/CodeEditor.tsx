import Editor from "@monaco-editor/react";
import type * as Monaco from "monaco-editor";
import { useEffect, useRef, useState } from "react";
import type { DocStatus, DocumentSync } from "../../editor/documentSync";
import { counters } from "../../lib/tracked";
import { ConflictView } from "./ConflictView";

interface Props {
  sync: DocumentSync;
  path: string | null;
  status: DocStatus | undefined;
  onMounted?: (editor: Monaco.editor.IStandaloneCodeEditor) => void;
}

const OPTIONS: Monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  tabSize: 2,
  renderWhitespace: "selection",
};

/** Monaco over the DocumentSync's models; switching files keeps each file's view state. */
export function CodeEditor({ sync, path, status, onMounted }: Props) {
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const placeholder = useRef<Monaco.editor.ITextModel | null>(null);
  const viewStates = useRef(new Map<string, Monaco.editor.ICodeEditorViewState | null>());
  const [mounted, setMounted] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !path) return undefined;
    let live = true;
    setError(null);
    sync.open(path).then(
      (model) => {
        if (!live || !model || editor.getModel() === model) return;
        const previous = editor.getModel();
        const prevPath = previous?.uri.path.split("/").slice(2).join("/");
        if (prevPath) viewStates.current.set(prevPath, editor.saveViewState());
        editor.setModel(model);
        const view = viewStates.current.get(path);
        if (view) editor.restoreViewState(view);
        if (previous && previous === placeholder.current) {
          previous.dispose();
          placeholder.current = null;
        }
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [sync, path, mounted]);

  useEffect(
    () => () => {
      sync.attach(null);
      placeholder.current?.dispose();
      counters.editor = null;
    },
    [sync],
  );

  const inConflict = status?.conflict != null && path !== null;

  return (
    <div className="code-editor">
      <div className="editor-bar">
        <span className="editor-path" data-testid="editor-path">{path ?? "No file open"}</span>
        <span className="editor-state" data-testid="editor-state">
          {status?.error ? `Save failed: ${status.error}` : status?.saving ? "Saving…" : status?.dirty ? "Unsaved" : path ? "Saved" : ""}
        </span>
      </div>
      {inConflict && path && <ConflictView sync={sync} path={path} theirs={status?.conflict ?? ""} />}
      {error && <div className="notice error">{error}</div>}
      <div className={inConflict ? "editor-host hidden" : "editor-host"}>
        <Editor
          theme="vs-dark"
          keepCurrentModel
          options={OPTIONS}
          loading={<div className="empty">Loading editor…</div>}
          onMount={(editor) => {
            editorRef.current = editor;
            placeholder.current = editor.getModel();
            sync.attach(editor);
            counters.editor = editor;
            onMounted?.(editor);
            setMounted(true);
          }}
        />
      </div>
    </div>
  );
}

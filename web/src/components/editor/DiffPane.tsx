import { DiffEditor } from "@monaco-editor/react";
import type * as Monaco from "monaco-editor";
import { useEffect, useRef } from "react";
import { followLineChanges } from "../../editor/diffChanges";
import { languageFor } from "../../editor/monacoSetup";
import type { LineChange } from "../../editor/textDiff";

interface Props {
  /** Changes of identity make a fresh editor (one per version and file). */
  id: string;
  path: string;
  original: string;
  modified: string;
  /** The hunks Monaco computes (null while computing), for a view that acts on them. */
  onLineChanges?: (id: string, changes: LineChange[] | null) => void;
}

const OPTIONS: Monaco.editor.IDiffEditorConstructionOptions = {
  readOnly: true,
  automaticLayout: true,
  renderSideBySide: false,
  minimap: { enabled: false },
};

/** A read-only inline diff of two texts in Monaco. */
export function DiffPane({ id, path, original, modified, onLineChanges }: Props) {
  const subscription = useRef<Monaco.IDisposable | null>(null);
  const report = useRef(onLineChanges);
  report.current = onLineChanges;
  useEffect(() => () => subscription.current?.dispose(), []);
  return (
    <DiffEditor
      key={id}
      theme="vs-dark"
      original={original}
      modified={modified}
      language={languageFor(path)}
      options={OPTIONS}
      keepCurrentOriginalModel
      keepCurrentModifiedModel
      onMount={(editor) => {
        subscription.current?.dispose();
        // Monaco may have finished the diff before this runs: read it, then follow it.
        subscription.current = followLineChanges(editor, (c) => report.current?.(id, c));
        // The wrapper would dispose the models before the editor (Monaco complains);
        // we keep them and dispose them once the editor is gone.
        const models = editor.getModel();
        editor.onDidDispose(() => {
          models?.original.dispose();
          models?.modified.dispose();
        });
      }}
    />
  );
}

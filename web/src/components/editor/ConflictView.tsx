import { useEffect, useRef, useState } from "react";
import type { DocumentSync } from "../../editor/documentSync";
import { languageFor, monaco } from "../../editor/monacoSetup";

interface Props {
  sync: DocumentSync;
  path: string;
  /** The file as it is on the server now. */
  theirs: string;
}

/**
 * A file changed on the server while the vendor's own edits to it were not saved (another
 * tab, the model, an undo): both shown side by side, the server's read-only on the left, the
 * vendor's own text on the right. The right side is the editor's own model, so merging is
 * editing it; "Save merged" (or "Keep mine") saves it on top of the server's version, "Take
 * theirs" replaces it. Nothing is saved until the vendor chooses.
 */
export function ConflictView({ sync, path, theirs }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [edited, setEdited] = useState(false);

  useEffect(() => {
    const mine = sync.modelOf(path);
    if (!host.current || !mine) return undefined;
    const original = monaco.editor.createModel(theirs, languageFor(path));
    const editor = monaco.editor.createDiffEditor(host.current, {
      automaticLayout: true,
      renderSideBySide: true,
      originalEditable: false,
      minimap: { enabled: false },
      fontSize: 13,
    });
    editor.setModel({ original, modified: mine });
    const start = mine.getValue();
    setEdited(false);
    const typing = mine.onDidChangeContent(() => setEdited(mine.getValue() !== start));
    return () => {
      typing.dispose();
      editor.dispose(); // the right side is the editor's model: it stays
      original.dispose();
    };
  }, [sync, path, theirs]);

  return (
    <div className="conflict-view" data-testid="conflict-view">
      <div className="conflict" data-testid="conflict">
        <span>
          <strong>{path}</strong> was changed elsewhere while you were editing it. Nothing was overwritten: compare,
          merge on the right if you like, then choose.
        </span>
        <button className="primary" onClick={() => sync.resolveConflict(path, "mine")} data-testid="keep-mine">
          {edited ? "Save merged" : "Keep mine"}
        </button>
        <button onClick={() => sync.resolveConflict(path, "theirs")} data-testid="take-theirs">
          Take theirs
        </button>
      </div>
      <div className="conflict-sides">
        <span>Theirs: on the server now</span>
        <span>Yours: edit here to merge</span>
      </div>
      <div className="conflict-diff" ref={host} data-testid="conflict-diff" />
    </div>
  );
}

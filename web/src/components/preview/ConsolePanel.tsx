import { memo } from "react";
import { type ConsoleEntry, levelLabel } from "../../lib/previewConsole";

interface Props {
  entries: ConsoleEntry[];
  onFix: () => void;
  onClear: () => void;
  onClose: () => void;
}

/** The preview's errors (console errors, uncaught exceptions, unhandled rejections, files
 * that failed to load), and "Fix with AI", which asks the model about all of them. */
export const ConsolePanel = memo(function ConsolePanel({ entries, onFix, onClear, onClose }: Props) {
  return (
    <section className="preview-console" aria-label="Preview console" data-testid="preview-console">
      <header className="preview-console-head">
        <span>Console</span>
        <span className="spacer" />
        <button className="small primary" onClick={onFix} disabled={entries.length === 0} data-testid="preview-console-fix">
          Fix with AI
        </button>
        <button className="small" onClick={onClear} disabled={entries.length === 0} data-testid="preview-console-clear">
          Clear
        </button>
        <button className="link" onClick={onClose} aria-label="Close the console">
          ×
        </button>
      </header>
      {entries.length === 0 ? (
        <div className="empty">No errors on this page.</div>
      ) : (
        <ol className="preview-console-list">
          {entries.map((e, i) => (
            <li key={i} className={`console-${e.level}`} data-testid="preview-console-entry" data-level={e.level}>
              <div className="console-meta">
                {levelLabel(e.level)}
                {e.count > 1 && <span className="badge">×{e.count}</span>}
                {e.source && <span className="muted"> {e.source}</span>}
                {e.page && <span className="muted"> on {e.page}</span>}
              </div>
              <pre>{e.message}</pre>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});

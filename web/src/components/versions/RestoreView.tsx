import { useEffect, useState } from "react";
import { applyRestore, planRestore, type RestoreChange, type RestorePlan, versionPreviewUrl } from "../../lib/restore";
import type { VersionView } from "../../state/types";
import { DiffPane } from "../editor/DiffPane";

interface Props {
  appId: string;
  version: VersionView;
  /** The history, newest first, as far back as `version`. */
  versions: VersionView[];
  onClose: () => void;
  notify: (text: string, tone?: "info" | "error") => void;
}

function kind(c: RestoreChange): { label: string; tone: string } {
  if (c.restored === null) return { label: "removed", tone: "warn" };
  if (c.current === null) return { label: "brought back", tone: "ok" };
  return { label: "changed", tone: "" };
}

/**
 * Restoring an old version, previewed before anything is written: every file that would
 * change, removals first in words, and each file's diff from now to then. Restore is the
 * confirmation. When a route serves old versions as pages, `versionPreviewUrl` shows it here.
 */
export function RestoreView({ appId, version, versions, onClose, notify }: Props) {
  const [plan, setPlan] = useState<RestorePlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = `version #${version.number ?? version.id.slice(0, 8)}`;
  const [preview, setPreview] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  // The plan is taken when the view opens; a version arriving meanwhile asks for a fresh look.
  const [head] = useState(versions[0]?.id);
  const moved = versions[0]?.id !== head;

  useEffect(() => {
    let live = true;
    versionPreviewUrl(appId, version.id).then(
      (url) => live && setPreview(url),
      (err: Error) => live && setPreviewError(err.message),
    );
    planRestore(appId, versions, version.id).then(
      (p) => {
        if (!live) return;
        setPlan(p);
        setActive(p.changes[0]?.path ?? null);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
    // Planned once per opening (not again per new version): `moved` says when that happened.
  }, [appId, version.id]);

  const removes = plan?.changes.filter((c) => c.restored === null) ?? [];
  const file = plan?.changes.find((c) => c.path === active) ?? null;

  async function restore() {
    if (!plan) return;
    setBusy(true);
    try {
      await applyRestore(appId, plan.versionId);
      notify(`Restored ${label}`);
      onClose();
    } catch (err) {
      notify(`Restore failed: ${(err as Error).message}`, "error");
      setBusy(false);
    }
  }

  return (
    <div className="restore-view" data-testid="restore-view">
      <div className="editor-bar">
        <span className="editor-path">Restore {label}</span>
        <span className="spacer" />
        <button
          className="primary"
          disabled={!plan || plan.changes.length === 0 || busy || moved}
          onClick={() => void restore()}
          data-testid="confirm-restore"
        >
          {busy ? "Restoring…" : removes.length > 0 ? `Restore (deletes ${removes.length})` : "Restore"}
        </button>
        <button onClick={onClose} data-testid="cancel-restore">Cancel</button>
      </div>
      <div className="restore-summary">
        {error && <div className="notice error">Could not work out that version: {error}</div>}
        {!plan && !error && <span className="muted">Working out the files as {label} left them…</span>}
        {moved && (
          <div className="notice error" data-testid="restore-stale">
            A new version arrived while this was open: close and open Restore again to see what it changes now.
          </div>
        )}
        {plan && plan.changes.length === 0 && (
          <span data-testid="restore-nothing">The files are already as {label} left them.</span>
        )}
        {plan && plan.changes.length > 0 && (
          <>
            <p>
              Restoring takes back the {plan.newer} newer version{plan.newer === 1 ? "" : "s"}:{" "}
              <strong>{plan.changes.length} file{plan.changes.length === 1 ? "" : "s"} change</strong>
              {removes.length > 0 && (
                <>
                  , and <strong className="warn-text" data-testid="restore-removes">{removes.map((c) => c.path).join(", ")}</strong>{" "}
                  {removes.length === 1 ? "is" : "are"} deleted
                </>
              )}
              . The restore is one new version: one Undo takes it back.
            </p>
            <ul className="restore-files" data-testid="restore-files">
              {plan.changes.map((c) => {
                const k = kind(c);
                return (
                  <li key={c.path}>
                    <button
                      className={c.path === active ? "tab active" : "tab"}
                      onClick={() => setActive(c.path)}
                      data-testid="restore-file"
                      data-path={c.path}
                      data-kind={k.label}
                    >
                      {c.path} <span className={`badge ${k.tone}`}>{k.label}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </>
        )}
        {preview && (
          <div className="restore-preview-box">
            <span className="muted small">How {label} looks (read-only):</span>
            <iframe
              className="restore-preview"
              title={`Preview of ${label}`}
              src={preview}
              sandbox="allow-scripts"
              data-testid="restore-preview"
            />
          </div>
        )}
        {previewError && <div className="notice error">Could not show {label}: {previewError}</div>}
      </div>
      <div className="editor-host">
        {file && (
          <DiffPane
            id={`restore:${version.id}:${file.path}`}
            path={file.path}
            original={file.current ?? ""}
            modified={file.restored ?? ""}
          />
        )}
      </div>
    </div>
  );
}

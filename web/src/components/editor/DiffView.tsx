import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { revertOnto } from "../../editor/rebase";
import type { LineChange } from "../../editor/textDiff";
import { useCurrentContents } from "../../hooks/useCurrentContents";
import { api, readText, readVersioned, type VersionDiff } from "../../lib/api";
import { editConflictOf } from "../../lib/editConflict";
import { mapLimit } from "../../lib/parallel";
import {
  type Contents,
  describeSkip,
  hasWork,
  planRejectHunks,
  planRejectVersion,
  type RejectPlan,
} from "../../lib/rejectPlan";
import type { FileEntry, VersionView } from "../../state/types";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { BinaryDiff } from "./BinaryDiff";
import { DiffPane } from "./DiffPane";
import { HunkList } from "./HunkList";

interface Props {
  appId: string;
  version: VersionView;
  /** The newest version: restoring it would change nothing. */
  isHead: boolean;
  /** The app's files, to read a file again when it changes. */
  entries: Record<string, FileEntry>;
  accepted: boolean;
  onAccept: () => void;
  onClose: () => void;
  onRestore: () => void;
  notify: (text: string, tone?: "info" | "error") => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The removals and skips of a plan: what the vendor confirmed must still be what happens. */
const sameOutcome = (a: RejectPlan, b: RejectPlan) =>
  JSON.stringify([a.removes, a.editedSince, a.skipped]) === JSON.stringify([b.removes, b.editedSince, b.skipped]);

/**
 * A version against its parent, with accept, reject (all of it, or hunk by hunk) and restore.
 *
 * The version may be old: each hunk's state is judged against the file as it is now
 * (`rebase.ts`), so a hunk can be rejected whenever it still applies, and says so when it no
 * longer does. Every action reads the files again before it writes, and rejecting a version
 * that would delete files asks first, naming them.
 */
export function DiffView({ appId, version, isHead, entries, accepted, onAccept, onClose, onRestore, notify }: Props) {
  const [diff, setDiff] = useState<VersionDiff | null>(null);
  const [active, setActive] = useState<string | null>(null);
  // The hunks Monaco computed, and for which diff editor (`version:path`); null while computing.
  const [hunks, setHunks] = useState<{ key: string; changes: LineChange[] | null }>({ key: "", changes: null });
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<RejectPlan | null>(null);

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

  const paths = useMemo(() => diff?.files.map((f) => f.path) ?? null, [diff]);
  const { contents: current, error: readError } = useCurrentContents(appId, paths, entries);

  const file = diff?.files.find((f) => f.path === active) ?? null;
  const editorKey = file ? `${version.id}:${file.path}` : "";
  // Hunks of another file (the tab just switched) are not this file's: wait for Monaco.
  const changes = hunks.key === editorKey ? hunks.changes : null;
  const onLineChanges = useCallback((key: string, c: LineChange[] | null) => setHunks({ key, changes: c }), []);
  const fileNow = file && current ? (current[file.path] ?? null) : undefined;
  const states = useMemo(() => {
    if (!file || file.before === null || file.after === null || !changes || fileNow === undefined) return null;
    return revertOnto(file.before, file.after, fileNow ?? "", changes).states;
  }, [file, changes, fileNow]);

  /** The newest version, read before the files: a save landing after it makes the
   * rejection a conflict (never an overwrite), one landing during the reads a harmless one. */
  const base = useRef<string | undefined>(undefined);
  const readNow = async (): Promise<Contents> => {
    base.current = (await api.listVersions(appId, 1))[0]?.id;
    const list = paths ?? [];
    const texts = await mapLimit(list, 4, (p) => readText(appId, p));
    return Object.fromEntries(list.map((p, i) => [p, texts[i]]));
  };

  async function run(work: () => Promise<void>) {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      if (editConflictOf(err)) notify("The files changed meanwhile, so nothing was rejected: look again.", "error");
      else notify(`Reject failed: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  }

  const send = (plan: RejectPlan) => api.revert(appId, version.id, { files: plan.files, base_version: base.current });
  const label = `version ${version.number ?? version.id.slice(0, 8)}`;

  const rejectHunk = (index: number) =>
    run(async () => {
      if (!file || !changes) return;
      const now = await readVersioned(appId, file.path);
      const plan = planRejectHunks(file, now?.content ?? null, [changes[index]]);
      if (!hasWork(plan)) {
        notify(plan.skipped.map(describeSkip).join(" ") || "That change was rejected already.", "error");
        return;
      }
      try {
        // Computed from the file as read just now: if it changes before this lands, nothing is written.
        await api.revert(appId, version.id, { files: plan.files, base_version: now?.versionId });
      } catch (err) {
        if (!editConflictOf(err)) throw err;
        notify(`${file.path} changed meanwhile, so nothing was rejected: look at the change again.`, "error");
        return;
      }
      notify(`Rejected change ${index + 1} in ${file.path}`);
    });

  const rejectVersion = () =>
    run(async () => {
      if (!diff) return;
      if (diff.files.some((f) => f.binary)) {
        // A binary file has no lines to rebase: the version's changes are taken back whole.
        await api.revert(appId, version.id, {});
        notify(`Rejected ${label}`);
        onClose();
        return;
      }
      const plan = planRejectVersion(diff.files, await readNow());
      if (!hasWork(plan)) {
        notify(plan.skipped.map(describeSkip).join(" ") || `Nothing of ${label} is left to reject.`, "error");
      } else if (plan.removes.length > 0 || plan.skipped.length > 0) {
        setConfirming(plan);
      } else {
        await send(plan);
        notify(`Rejected ${label}`);
        onClose();
      }
    });

  const confirmReject = (shown: RejectPlan) =>
    run(async () => {
      if (!diff) return;
      const plan = planRejectVersion(diff.files, await readNow());
      if (!sameOutcome(plan, shown)) {
        setConfirming(hasWork(plan) ? plan : null);
        notify("The files changed meanwhile: check what rejecting does now.", "error");
        return;
      }
      await send(plan);
      setConfirming(null);
      notify(`Rejected ${label}`);
      onClose();
    });

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
        {!isHead && (
          <button onClick={onRestore} disabled={busy} title="See what restoring this version changes, then confirm" data-testid="restore-version">
            Restore…
          </button>
        )}
        <button className="danger" disabled={busy || !diff} onClick={() => void rejectVersion()} data-testid="reject-version">
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
      {readError && <div className="notice error">Could not read the current files: {readError}</div>}
      {file && !file.binary && (
        <HunkList
          file={file}
          changes={changes}
          states={states}
          fileGone={fileNow === null}
          busy={busy}
          onReject={(i) => void rejectHunk(i)}
        />
      )}
      <div className="editor-host">
        {file?.binary ? (
          <BinaryDiff file={file} />
        ) : file ? (
          <DiffPane
            id={editorKey}
            path={file.path}
            original={file.before ?? ""}
            modified={file.after ?? ""}
            onLineChanges={onLineChanges}
          />
        ) : (
          <div className="empty">{diff ? "This version changed no file." : "Loading diff…"}</div>
        )}
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Reject ${label}?`}
          confirmLabel={
            confirming.removes.length > 0
              ? `Reject and delete ${plural(confirming.removes.length, "file")}`
              : "Reject what still applies"
          }
          busy={busy}
          onConfirm={() => void confirmReject(confirming)}
          onCancel={() => setConfirming(null)}
        >
          {confirming.removes.length > 0 && (
            <>
              <p>
                This version created {confirming.removes.length === 1 ? "this file" : "these files"}, so rejecting it{" "}
                <strong>deletes {plural(confirming.removes.length, "file")}</strong>:
              </p>
              <ul className="file-list" data-testid="confirm-removes">
                {confirming.removes.map((p) => (
                  <li key={p}>
                    {p}
                    {confirming.editedSince.includes(p) && <span className="muted"> (edited since: those edits go too)</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
          {confirming.skipped.length > 0 && (
            <>
              <p>Left as they are:</p>
              <ul className="file-list" data-testid="confirm-skipped">
                {confirming.skipped.map((s) => (
                  <li key={s.path}>{describeSkip(s)}</li>
                ))}
              </ul>
            </>
          )}
          <p className="muted">Rejecting makes a new version; Undo brings everything back.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

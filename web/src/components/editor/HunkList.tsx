import type { HunkState } from "../../editor/rebase";
import type { LineChange } from "../../editor/textDiff";
import type { VersionDiff } from "../../lib/api";

interface Props {
  file: VersionDiff["files"][number];
  /** null while Monaco is still computing the diff. */
  changes: LineChange[] | null;
  /** Each hunk against the file as it is now; null while that is being read. */
  states: HunkState[] | null;
  /** The file was deleted since. */
  fileGone: boolean;
  busy: boolean;
  onReject: (index: number) => void;
}

function lines(start: number, end: number): string {
  if (end === 0) return `after line ${start}`;
  return start === end ? `line ${start}` : `lines ${start}–${end}`;
}

/** The hunks of one file's diff, each with its own reject button while it still applies. */
export function HunkList({ file, changes, states, fileGone, busy, onReject }: Props) {
  if (file.before === null) return <div className="hunks">New file</div>;
  if (file.after === null) return <div className="hunks">Deleted file</div>;
  const ready = changes !== null && states !== null;
  return (
    <div className="hunks" data-testid="hunks" data-state={ready ? "ready" : "computing"}>
      {!ready && <span className="muted">Comparing…</span>}
      {changes?.length === 0 && <span className="muted">No line changes</span>}
      {changes?.map((c, i) => {
        const state = states?.[i];
        return (
          <div className="hunk" key={i} data-testid="hunk" data-hunk-state={state ?? "unknown"}>
            <span>
              Change {i + 1}: {lines(c.modifiedStartLineNumber, c.modifiedEndLineNumber)}
            </span>
            {state === "rejected" ? (
              <span className="badge">rejected</span>
            ) : state === "conflict" ? (
              <span
                className="badge warn"
                title={
                  fileGone
                    ? `${file.path} was deleted since.`
                    : `These lines of ${file.path} were edited since, so this change can no longer be taken back here.`
                }
                data-testid="hunk-conflict"
              >
                {fileGone ? "file deleted since" : "edited since"}
              </span>
            ) : (
              <button className="small" disabled={busy || !state} onClick={() => onReject(i)} data-testid="reject-hunk">
                Reject
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}

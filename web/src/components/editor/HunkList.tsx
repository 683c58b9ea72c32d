import type { LineChange } from "../../editor/textDiff";
import type { VersionDiff } from "../../lib/api";

interface Props {
  file: VersionDiff["files"][number];
  /** null while Monaco is still computing the diff. */
  changes: LineChange[] | null;
  rejected: Set<string>;
  busy: boolean;
  onReject: (index: number) => void;
}

function lines(start: number, end: number): string {
  if (end === 0) return `after line ${start}`;
  return start === end ? `line ${start}` : `lines ${start}–${end}`;
}

/** The hunks of one file's diff, each with its own reject button. */
export function HunkList({ file, changes, rejected, busy, onReject }: Props) {
  if (file.before === null) return <div className="hunks">New file</div>;
  if (file.after === null) return <div className="hunks">Deleted file</div>;
  return (
    <div className="hunks" data-testid="hunks" data-state={changes ? "ready" : "computing"}>
      {changes === null && <span className="muted">Comparing…</span>}
      {changes?.length === 0 && <span className="muted">No line changes</span>}
      {changes?.map((c, i) => {
        const done = rejected.has(`${file.path}:${i}`);
        return (
          <div className="hunk" key={i} data-testid="hunk">
            <span>
              Change {i + 1}: {lines(c.modifiedStartLineNumber, c.modifiedEndLineNumber)}
            </span>
            {done ? (
              <span className="badge">rejected</span>
            ) : (
              <button className="small" disabled={busy} onClick={() => onReject(i)} data-testid="reject-hunk">
                Reject
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}

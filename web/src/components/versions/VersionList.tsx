import { describeError, errorInWords } from "../../lib/sentences";
import type { CommitView, VersionView } from "../../state/types";
import { CommitBadge } from "./CommitBadge";

interface Props {
  versions: VersionView[];
  commits: Record<string, CommitView>;
  /** Accepted in this page since the listing was read (the listing has the rest). */
  accepted?: ReadonlySet<string>;
  selected: string | null;
  onSelect: (id: string) => void;
}

export const SOURCE_LABELS: Record<string, string> = {
  initial: "Created",
  ai: "AI edit",
  manual: "Your edit",
  undo: "Undo",
  redo: "Redo",
  revert: "Rejected",
};

function time(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
}

/** Newest first; each with its source, files, time, accepted mark, and commit/push state. */
export function VersionList({ versions, commits, accepted, selected, onSelect }: Props) {
  return (
    <ol className="version-list" data-testid="versions">
      {versions.map((v, i) => (
        <li key={v.id}>
          <button
            className={v.id === selected ? "version active" : "version"}
            onClick={() => onSelect(v.id)}
            data-testid="version"
            data-source={v.source}
            data-version-id={v.id}
          >
            <span className="version-top">
              <span className="version-no">{v.number != null ? `#${v.number}` : "#…"}</span>
              <span className={`source source-${v.source}`}>{SOURCE_LABELS[v.source] ?? v.source}</span>
              {i === 0 && <span className="badge head">current</span>}
              {(v.acceptedAt || accepted?.has(v.id)) && (
                <span className="badge ok" data-testid="version-accepted">
                  accepted
                </span>
              )}
              <span className="spacer" />
              <span className="version-time" title={v.createdAt ? new Date(v.createdAt).toLocaleString() : undefined}>
                {time(v.createdAt)}
              </span>
            </span>
            <span className="version-bottom">
              <span className="version-paths" title={v.paths.join(", ")}>{v.paths.join(", ")}</span>
              <CommitBadge commit={commits[v.id]} />
            </span>
            {commits[v.id]?.error && (
              <span className="version-error" data-testid="version-error" title={errorInWords(commits[v.id].error!)}>
                {describeError(commits[v.id].error!).problem}
              </span>
            )}
          </button>
        </li>
      ))}
    </ol>
  );
}

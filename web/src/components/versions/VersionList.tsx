import type { CommitView, VersionView } from "../../state/types";

interface Props {
  versions: VersionView[];
  commits: Record<string, CommitView>;
  selected: string | null;
  onSelect: (id: string) => void;
}

const SOURCE_LABELS: Record<string, string> = {
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
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

function CommitBadge({ commit }: { commit: CommitView | undefined }) {
  if (!commit) return <span className="badge muted">…</span>;
  const title = commit.error ?? (commit.sha ? `commit ${commit.sha}` : commit.state);
  return (
    <span className={`badge commit-${commit.state}`} title={title} data-testid="commit-state">
      {commit.state}
      {commit.sha && commit.state !== "failed" ? ` ${commit.sha.slice(0, 7)}` : ""}
    </span>
  );
}

/** Newest first; each with its source, files, time, and commit/push state. */
export function VersionList({ versions, commits, selected, onSelect }: Props) {
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
              <span className="spacer" />
              <span className="version-time">{time(v.createdAt)}</span>
            </span>
            <span className="version-bottom">
              <span className="version-paths" title={v.paths.join(", ")}>{v.paths.join(", ")}</span>
              <CommitBadge commit={commits[v.id]} />
            </span>
            {commits[v.id]?.error && <span className="version-error">{commits[v.id].error}</span>}
          </button>
        </li>
      ))}
    </ol>
  );
}

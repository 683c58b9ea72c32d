import { errorInWords } from "../../lib/sentences";
import type { CommitView } from "../../state/types";

/** A version's commit/push state, with its short sha (or its error, in words, on hover). */
export function CommitBadge({ commit }: { commit: CommitView | undefined }) {
  if (!commit) return <span className="badge muted">…</span>;
  const title = commit.error ? errorInWords(commit.error) : commit.sha ? `commit ${commit.sha}` : commit.state;
  return (
    <span className={`badge commit-${commit.state}`} title={title} data-testid="commit-state">
      {commit.state}
      {commit.sha && commit.state !== "failed" ? ` ${commit.sha.slice(0, 7)}` : ""}
    </span>
  );
}

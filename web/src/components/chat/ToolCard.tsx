import { useNow } from "../../hooks/useNow";
import type { ToolCard as Card } from "../../state/types";

const LABELS: Record<string, string> = {
  get_current_code: "Read",
  apply_edit: "Edit",
  delete_file: "Delete",
  rename_file: "Rename",
  list_files: "List files",
  search_code: "Search code",
  web_search: "Search the web",
};

export function target(card: Pick<Card, "input">): string {
  const input = card.input;
  if (typeof input.from === "string" && typeof input.to === "string") return `${input.from} → ${input.to}`;
  const value = input.filepath ?? input.path ?? input.query ?? input.pattern;
  return typeof value === "string" ? value : "";
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One tool call: running with its elapsed time, then ok / error / timeout / cancelled. */
export function ToolCard({ card }: { card: Card }) {
  const running = card.status === "running";
  const now = useNow(running);
  const elapsed = running ? Math.max(0, now - Date.parse(card.startedAt)) : (card.durationMs ?? 0);
  const failed = card.status === "error" || card.status === "timeout";
  return (
    <div className={`tool-card tool-${card.status}`} data-testid="tool-card" data-status={card.status} data-tool={card.name}>
      <div className="tool-head">
        <span className="tool-icon" aria-hidden>
          {running ? <span className="spinner" /> : card.status === "ok" ? "✓" : card.status === "cancelled" ? "⊘" : "!"}
        </span>
        <span className="tool-name">{LABELS[card.name] ?? card.name}</span>
        <span className="tool-target">{target(card)}</span>
        <span className="tool-time" data-testid="tool-time">
          {card.status === "timeout" ? "timed out · " : ""}
          {formatDuration(elapsed)}
        </span>
      </div>
      {!running && card.summary && (
        <div className={failed ? "tool-summary tool-error-text" : "tool-summary"} data-testid="tool-summary">
          {card.summary}
        </div>
      )}
    </div>
  );
}

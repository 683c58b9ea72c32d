import { memo } from "react";
import type { RunView } from "../../state/types";
import { Markdown } from "./Markdown";
import { ToolCard } from "./ToolCard";

const ENDINGS: Record<string, string> = {
  cancelled: "Cancelled",
  failed: "Failed",
  timed_out: "Timed out",
};

const RESUMED_REASONS: Record<string, string> = {
  server_restarted: "The server running this stopped and another took over",
};

/**
 * One run: the vendor's message, then the model's text, tool cards and notices (retry,
 * resumed). Memoised: a streamed delta re-renders the run it belongs to, not the ones before.
 */
export const RunBlock = memo(function RunBlock({ run, onRetry }: { run: RunView; onRetry: (text: string) => void }) {
  const ending = ENDINGS[run.status];
  return (
    <div className="run" data-testid="run" data-status={run.status} data-run-id={run.id}>
      <div className="msg user">{run.text}</div>
      <div className="assistant">
        {run.items.map((item, i) => {
          if (item.kind === "text") return <Markdown key={i} text={item.text} />;
          if (item.kind === "tool") return <ToolCard key={item.toolId} card={item} />;
          if (item.kind === "resumed") {
            return (
              <div key={i} className="notice quiet" data-testid="resumed-notice" data-turn={item.turn}>
                {RESUMED_REASONS[item.reason] ?? "The run was interrupted"}; it picked up again at turn {item.turn}.
              </div>
            );
          }
          return (
            <div key={i} className="notice quiet" data-testid="retry-notice">
              The model call failed ({item.reason}); retrying (attempt {item.attempt})…
            </div>
          );
        })}
        {run.status === "running" && run.items.length === 0 && <div className="thinking">Thinking…</div>}
        {ending && (
          <div className={`run-end run-${run.status}`} data-testid="run-error">
            <strong>{ending}</strong>
            {run.error && <span className="run-error-message">: {run.error.message}</span>}
            {run.status !== "cancelled" && (
              <button className="link" onClick={() => onRetry(run.text)} data-testid="retry">
                Retry
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
});

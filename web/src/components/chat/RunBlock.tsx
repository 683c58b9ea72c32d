import { memo } from "react";
import { describeError } from "../../lib/sentences";
import { compactedText, costLabel, tokenBreakdown, totalTokens } from "../../lib/usage";
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

const RETRY_REASONS: Record<string, string> = {
  model_context_exceeded: "The request was longer than the model's window; it was condensed and is sent again",
};

/**
 * One run: the vendor's message, then the model's text, tool cards and notices (retry,
 * resumed, condensed), how it ended, and once it has ended what it cost. Memoised: a streamed
 * delta re-renders the run it belongs to, not the ones before.
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
          if (item.kind === "compacted") {
            return (
              <div key={i} className="notice quiet" data-testid="compacted-notice">
                {compactedText(item.tokensBefore, item.tokensAfter)}
              </div>
            );
          }
          return (
            <div key={i} className="notice quiet" data-testid="retry-notice">
              {RETRY_REASONS[item.reason] ?? `The model call failed (${item.reason}); retrying`} (attempt {item.attempt})…
            </div>
          );
        })}
        {run.status === "running" && run.items.length === 0 && <div className="thinking">Thinking…</div>}
        {ending && <RunEnd run={run} ending={ending} onRetry={onRetry} />}
        {run.usage && totalTokens(run.usage) > 0 && (
          <details className="run-usage" data-testid="run-cost" data-cost={run.usage.cost_usd ?? "unknown"}>
            <summary>Cost {costLabel(run.usage.cost_usd)}</summary>
            <div className="run-usage-detail" data-testid="run-tokens">
              {tokenBreakdown(run.usage)}
              {run.usage.cost_usd == null && " (this model's price is unknown; set it with APPWRIGHT_MODEL_PRICES)"}
            </div>
          </details>
        )}
      </div>
    </div>
  );
});

function RunEnd({ run, ending, onRetry }: { run: RunView; ending: string; onRetry: (text: string) => void }) {
  const sentence = run.error ? describeError(run.error) : null;
  return (
    <div className={`run-end run-${run.status}`} data-testid="run-error" data-code={run.error?.code}>
      <strong>{ending}</strong>
      {sentence && <span className="run-error-message">: {sentence.problem}</span>}
      {sentence?.fix && <span className="run-error-fix"> {sentence.fix}</span>}
      {run.status !== "cancelled" && (
        <button className="link" onClick={() => onRetry(run.text)} data-testid="retry">
          Retry
        </button>
      )}
    </div>
  );
}

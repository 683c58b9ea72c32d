import { memo } from "react";
import { costLabel, formatTokens, meterLevel, meterText, tokenBreakdown } from "../../lib/usage";
import type { MeterState } from "../../state/types";

const CONDENSED =
  "When a request would not fit, older parts of the conversation are condensed first (your own instructions are kept word for word).";

/**
 * Under the chat: how much of the model's context window the conversation's latest request
 * took (amber from 70%, red from 90%; the whole sentence in its tooltip), and what the
 * session's model calls cost so far (their tokens in its tooltip).
 */
export const ContextMeter = memo(function ContextMeter({ meter }: { meter: MeterState }) {
  const { tokens, window } = meter.context;
  const { usage } = meter;
  if (window == null && usage == null) return null;
  return (
    <div className="chat-meter" data-testid="chat-meter">
      {window != null && <Gauge tokens={tokens} window={window} />}
      {usage && (
        <span
          className="session-cost"
          title={`This conversation so far: ${tokenBreakdown(usage)}`}
          data-testid="session-cost"
          data-cost={usage.cost_usd ?? "unknown"}
        >
          Session cost {costLabel(usage.cost_usd)}
        </span>
      )}
    </div>
  );
});

function Gauge({ tokens, window }: { tokens: number | null; window: number }) {
  const used = tokens ?? 0;
  const level = meterLevel(used, window);
  const percent = Math.min(100, (used / Math.max(1, window)) * 100);
  const text = tokens == null ? "not measured yet" : meterText(tokens, window);
  return (
    <span
      className={`meter meter-${level}`}
      title={`Context window: ${text}. ${CONDENSED}`}
      data-testid="context-meter"
      data-level={level}
      data-tokens={tokens ?? ""}
      data-window={window}
    >
      <span className="meter-label">Context</span>
      <span
        className="meter-bar"
        role="meter"
        aria-label="Context window used"
        aria-valuemin={0}
        aria-valuemax={window}
        aria-valuenow={used}
        aria-valuetext={text}
      >
        <span className="meter-fill" style={{ width: `${percent}%` }} />
      </span>
      <span className="meter-text">
        {tokens == null ? "—" : formatTokens(tokens)} / {formatTokens(window)}
      </span>
      {level !== "ok" && <span className="meter-warning">{level === "full" ? "nearly full" : "filling up"}</span>}
    </span>
  );
}

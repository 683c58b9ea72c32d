/**
 * The meter slice from the session log: how full the model's context window is, and what
 * the session's model calls used and cost so far. Its own slice, so a `model.usage` event
 * re-renders what shows it (the chat) and nothing else.
 *
 * The session's HTTP record (`GET /api/sessions/{s}`: `context`, `usage`) is the starting
 * point, shown until the log says more: an event of the log always wins, since the log is
 * read from its start and is never older than the record. The context is the latest of a
 * turn's expected request length (`turn.started`), a turn's counted prompt (`model.usage`;
 * a call that condenses the conversation measures its own request, not the conversation),
 * and what condensing left (`context.compacted`).
 */
import type { AppwrightEvent } from "../generated/events";
import type { SessionDetail } from "../lib/apiTypes";
import { addUsage, noUsage, totalTokens } from "../lib/usage";
import type { MeterState } from "./types";

export const initialMeter: MeterState = {
  context: { tokens: null, window: null, fromLog: false },
  usage: null,
  usageFromLog: false,
};

export function applyMeterEvent(meter: MeterState, ev: AppwrightEvent): MeterState {
  switch (ev.type) {
    case "turn.started":
      if (ev.context_tokens == null && ev.context_window == null) return meter;
      return withContext(meter, ev.context_tokens ?? meter.context.tokens, ev.context_window ?? meter.context.window);
    case "context.compacted":
      return withContext(meter, ev.tokens_after, meter.context.window);
    case "model.usage": {
      const usage = addUsage(meter.usageFromLog && meter.usage ? meter.usage : noUsage, ev);
      const counted = { ...meter, usage, usageFromLog: true };
      return ev.purpose === "turn" ? withContext(counted, ev.context_tokens, ev.context_window) : counted;
    }
    default:
      return meter;
  }
}

/** The session's record over HTTP: used for whatever the log has not said yet. */
export function sessionLoaded(meter: MeterState, detail: SessionDetail): MeterState {
  const context = meter.context.fromLog
    ? meter.context
    : { tokens: detail.context.tokens ?? null, window: detail.context.window, fromLog: false };
  const usage = meter.usageFromLog ? meter.usage : totalTokens(detail.usage) > 0 ? detail.usage : null;
  if (context === meter.context && usage === meter.usage) return meter;
  return { ...meter, context, usage };
}

function withContext(meter: MeterState, tokens: number | null, window: number | null): MeterState {
  return { ...meter, context: { tokens, window, fromLog: true } };
}

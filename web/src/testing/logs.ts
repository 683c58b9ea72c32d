/** Builders for unit tests: event logs as the server numbers them, and actions applied in turn. */
import type { AppwrightEvent } from "../generated/events";
import { reducer } from "../state/reducer";
import type { Action, LogName, WorkspaceState } from "../state/types";

/** An event without its `seq` (given by `log`) and with an optional `ts`. */
export type Body<E = AppwrightEvent> = E extends AppwrightEvent ? Omit<E, "seq" | "ts"> & { ts?: string } : never;

export const TS = "2025-01-01T00:00:00.000Z";

/** Numbers events `from`, `from + 1`, ... on one log, like the server does. */
export function log(name: LogName, bodies: Body[], from = 1): Action {
  const events = bodies.map((b, i) => ({ ts: TS, ...b, seq: from + i }) as AppwrightEvent);
  return { type: "events", log: name, events };
}

export function apply(state: WorkspaceState, ...actions: Action[]): WorkspaceState {
  return actions.reduce(reducer, state);
}

export const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: null };

export const RUN = "run-1";

/** A run that has streamed two deltas and started a tool (seq 1-5 on the session log). */
export const startedRun: Body[] = [
  { type: "run.started", run_id: RUN, text: "make the title red" },
  { type: "turn.started", run_id: RUN, turn: 1 },
  { type: "text.delta", run_id: RUN, text: "Sure, " },
  { type: "text.delta", run_id: RUN, text: "reading the file." },
  { type: "tool.started", run_id: RUN, tool_id: "t1", name: "get_current_code", input: { filepath: "index.html" } },
];

import { describe, expect, it } from "vitest";
import type { SessionDetail } from "../lib/apiTypes";
import { apply, type Body, log, RUN, startedRun, usage } from "../testing/logs";
import { initialState } from "./reducer";

const R = RUN;

const call = (turn: number, context_tokens: number, cost_usd: number | null, purpose: "turn" | "summary" = "turn"): Body => ({
  type: "model.usage",
  run_id: R,
  turn,
  purpose,
  input_tokens: 1000,
  output_tokens: 100,
  cache_read_tokens: 5000,
  cache_write_tokens: 10,
  cost_usd,
  context_tokens,
  context_window: 32_000,
});

const detail = (tokens: number | null, input_tokens: number): SessionDetail => ({
  id: "s1",
  app_id: "a1",
  created_at: "2025-01-01T00:00:00Z",
  usage: { ...usage, input_tokens, cost_usd: input_tokens ? 0.5 : 0 },
  context: { tokens, window: 200_000 },
});

describe("the meter: the context window's fill and the session's usage", () => {
  it("starts from the session's record and follows the log live", () => {
    let s = apply(initialState, { type: "session-loaded", detail: detail(null, 0) });
    expect(s.meter.context).toMatchObject({ tokens: null, window: 200_000 });
    expect(s.meter.usage).toBeNull();

    s = apply(s, log("session", [{ type: "run.started", run_id: R, text: "go" }, { type: "turn.started", run_id: R, turn: 1, context_tokens: 2100, context_window: 32_000 }]));
    expect(s.meter.context).toMatchObject({ tokens: 2100, window: 32_000 });

    s = apply(s, log("session", [call(1, 2300, 0.01)], 3));
    expect(s.meter.context).toMatchObject({ tokens: 2300, window: 32_000 });
    expect(s.meter.usage).toMatchObject({ input_tokens: 1000, cache_read_tokens: 5000, cost_usd: 0.01 });
  });

  it("a record read after the log changes nothing the log has said", () => {
    let s = apply(initialState, log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 2300, 0.01)]));
    const before = s.meter;
    s = apply(s, { type: "session-loaded", detail: detail(1000, 1000) });
    expect(s.meter).toBe(before);
  });

  it("the record's usage shows until the log's first call, then the log's sum replaces it (never both)", () => {
    let s = apply(initialState, { type: "session-loaded", detail: detail(9000, 1000) });
    expect(s.meter.usage).toMatchObject({ input_tokens: 1000, cost_usd: 0.5 });
    expect(s.meter.context.tokens).toBe(9000);
    s = apply(s, log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 2300, 0.01), call(2, 2600, 0.02)]));
    expect(s.meter.usage).toMatchObject({ input_tokens: 2000, output_tokens: 200 });
    expect(s.meter.usage!.cost_usd).toBeCloseTo(0.03);
  });

  it("a summary call is counted in the session's usage but does not move the context", () => {
    const s = apply(initialState, log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 20_000, 0.01), call(2, 800, 0.01, "summary")]));
    expect(s.meter.context.tokens).toBe(20_000);
    expect(s.meter.usage!.input_tokens).toBe(2000);
  });

  it("condensing lowers the context to what is left", () => {
    const s = apply(
      initialState,
      log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 31_200, 0.01), { type: "context.compacted", run_id: R, tokens_before: 31_200, tokens_after: 12_400 }]),
    );
    expect(s.meter.context).toMatchObject({ tokens: 12_400, window: 32_000 });
  });

  it("one call without a price makes the session's cost unknown", () => {
    const s = apply(initialState, log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 2000, 0.01), call(2, 2500, null), call(3, 2700, 0.01)]));
    expect(s.meter.usage).toMatchObject({ input_tokens: 3000, cost_usd: null });
  });

  it("a usage event changes the meter alone: the chat, files and history keep their identity", () => {
    const before = apply(initialState, log("session", startedRun));
    const after = apply(before, log("session", [call(1, 2300, 0.01)], 6));
    expect(after.meter).not.toBe(before.meter);
    expect(after.chat).toBe(before.chat);
    expect(after.files).toBe(before.files);
    expect(after.history).toBe(before.history);
  });

  it("another conversation starts from nothing", () => {
    const s = apply(initialState, log("session", [{ type: "run.started", run_id: R, text: "go" }, call(1, 2300, 0.01)]), { type: "session-reset" });
    expect(s.meter.usage).toBeNull();
    expect(s.meter.context.tokens).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import type { AppwrightEvent } from "../generated/events";
import { log, usage } from "../testing/logs";
import {
  conversationCost,
  conversationTitle,
  emptySummary,
  formatCost,
  matchesQuery,
  summarise,
  titleOf,
} from "./conversations";

const events = (action: ReturnType<typeof log>): AppwrightEvent[] =>
  action.type === "events" ? action.events : [];

const session = { id: "s1", app_id: "a1", created_at: "2025-01-01T00:00:00Z" };

const first = events(
  log("session", [
    { type: "run.started", run_id: "r1", text: "\n  Make the   heading blue\nand add a footer" },
    { type: "text.delta", run_id: "r1", text: "Done: the HEADING is blue." },
    { type: "run.finished", run_id: "r1", status: "completed", edited_paths: [], usage: { ...usage, cost_usd: 0.012 } },
    { type: "run.started", run_id: "r2", text: "Now a contact form" },
    { type: "run.finished", run_id: "r2", status: "completed", edited_paths: [], usage: { ...usage, cost_usd: 0.02 } },
  ]),
);

describe("a conversation's title and search text, from its log", () => {
  it("the title is the first message's first line, spaces collapsed", () => {
    const s = summarise(emptySummary, first);
    expect(s.title).toBe("Make the heading blue");
    expect(s.runs).toBe(2);
    expect(s.costUsd).toBeCloseTo(0.032);
    expect(s.lastSeq).toBe(5);
  });

  it("a long first message is cut at a word with an ellipsis", () => {
    const title = titleOf("word ".repeat(40), 30);
    expect(title.length).toBeLessThanOrEqual(30);
    expect(title.endsWith("word…")).toBe(true);
  });

  it("reads only what is new: events at or below lastSeq are ignored", () => {
    const once = summarise(emptySummary, first);
    expect(summarise(once, first)).toEqual(once);
    const more = events(log("session", [{ type: "run.started", run_id: "r3", text: "third" }], 6));
    const s = summarise(once, more);
    expect(s.title).toBe("Make the heading blue");
    expect(s.runs).toBe(3);
  });

  it("no run yet: no title, no cost", () => {
    expect(conversationTitle(session, emptySummary)).toBeNull();
    expect(conversationCost(session, emptySummary)).toBeNull();
  });

  it("the server's title and cost win when it gives them", () => {
    const s = summarise(emptySummary, first);
    expect(conversationTitle({ ...session, title: "Blue heading" }, s)).toBe("Blue heading");
    expect(conversationCost({ ...session, cost_usd: 1.5 }, s)).toBe(1.5);
    expect(conversationTitle(session, s)).toBe("Make the heading blue");
  });

  it("search matches every word, in any message or answer, case-insensitively", () => {
    const s = summarise(emptySummary, first);
    expect(matchesQuery(session, s, "contact FORM")).toBe(true);
    expect(matchesQuery(session, s, "heading blue")).toBe(true);
    expect(matchesQuery(session, s, "heading red")).toBe(false);
    expect(matchesQuery(session, undefined, "anything")).toBe(false);
    expect(matchesQuery(session, undefined, "  ")).toBe(true);
  });

  it("costs read as money", () => {
    expect(formatCost(null)).toBeNull();
    expect(formatCost(0.004)).toBe("< $0.01");
    expect(formatCost(0.032)).toBe("$0.03");
  });
});

import { describe, expect, it } from "vitest";
import type { AppwrightEvent } from "../generated/events";
import { log, usage } from "../testing/logs";
import { conversationTitle, conversationUsage, emptySummary, matchesQuery, summarise, titleOf } from "./conversations";

const events = (action: ReturnType<typeof log>): AppwrightEvent[] =>
  action.type === "events" ? action.events : [];

const session = { id: "s1", app_id: "a1", created_at: "2025-01-01T00:00:00Z" };

const first = events(
  log("session", [
    { type: "run.started", run_id: "r1", text: "\n  Make the   heading blue\nand add a footer" },
    { type: "text.delta", run_id: "r1", text: "Done: the HEADING is blue." },
    { type: "run.finished", run_id: "r1", status: "completed", edited_paths: [], usage: { ...usage, input_tokens: 1000, cost_usd: 0.012 } },
    { type: "run.started", run_id: "r2", text: "Now a contact form" },
    { type: "run.finished", run_id: "r2", status: "completed", edited_paths: [], usage: { ...usage, input_tokens: 500, cost_usd: 0.02 } },
  ]),
);

describe("a conversation's title and search text, from its log", () => {
  it("the title is the first message's first line, spaces collapsed", () => {
    const s = summarise(emptySummary, first);
    expect(s.title).toBe("Make the heading blue");
    expect(s.runs).toBe(2);
    expect(s.usage?.input_tokens).toBe(1500);
    expect(s.usage?.cost_usd).toBeCloseTo(0.032);
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

  it("no run yet: no title, no usage", () => {
    expect(conversationTitle(session, emptySummary)).toBeNull();
    expect(conversationUsage(session, emptySummary)).toBeNull();
  });

  it("one run without a price makes the conversation's cost unknown, its tokens still counted", () => {
    const unpriced = events(
      log("session", [{ type: "run.finished", run_id: "r3", status: "completed", edited_paths: [], usage: { ...usage, input_tokens: 7 } }], 6),
    );
    const s = summarise(summarise(emptySummary, first), unpriced);
    expect(s.usage).toMatchObject({ input_tokens: 1507, cost_usd: null });
  });

  it("the server's title and usage win when it gives them, even when it says there is none", () => {
    const s = summarise(emptySummary, first);
    const listed = { ...session, title: "Blue heading", usage: { ...usage, output_tokens: 9, cost_usd: 1.5 } };
    expect(conversationTitle(listed, s)).toBe("Blue heading");
    expect(conversationUsage(listed, s)).toBe(listed.usage);
    expect(conversationUsage({ ...session, title: null, usage: null }, s)).toBeNull();
    expect(conversationTitle({ ...session, title: null, usage: null }, s)).toBe("Make the heading blue");
    // An older server lists neither: the log's.
    expect(conversationTitle(session, s)).toBe("Make the heading blue");
    expect(conversationUsage(session, s)?.cost_usd).toBeCloseTo(0.032);
  });

  it("search matches every word, in any message or answer, case-insensitively", () => {
    const s = summarise(emptySummary, first);
    expect(matchesQuery(session, s, "contact FORM")).toBe(true);
    expect(matchesQuery(session, s, "heading blue")).toBe(true);
    expect(matchesQuery(session, s, "heading red")).toBe(false);
    expect(matchesQuery(session, undefined, "anything")).toBe(false);
    expect(matchesQuery(session, undefined, "  ")).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppwrightEvent } from "../generated/events";
import type { ConnState } from "../state/types";

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;

  constructor(readonly url: string) {
    super();
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = "") {
    this.serverClose(code, reason);
  }
  // ---- test side ----
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  deliver(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number, reason = "") {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason });
    this.dispatchEvent(new Event("close"));
  }
}

const ev = (seq: number, text = `t${seq}`): AppwrightEvent => ({
  seq,
  ts: "2025-01-01T00:00:00Z",
  type: "text.delta",
  run_id: "r",
  text,
});

/** An event of a type this client does not know, as a newer server would send it. */
const unknown = (seq: number) => ({ seq, ts: "2025-01-01T00:00:00Z", type: "brand.new", run_id: "r", detail: 1 });

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe("LogConnection", () => {
  let backlog: object[];

  beforeEach(() => {
    FakeSocket.all = [];
    backlog = [];
    const win = new EventTarget() as EventTarget & { location: object };
    win.location = { protocol: "http:", host: "localhost:1" };
    vi.stubGlobal("window", win);
    vi.stubGlobal("localStorage", { getItem: () => "tok" });
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => ({ ok: true, status: 200, text: async () => JSON.stringify({ events: backlog }) })),
    );
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  async function start() {
    const { LogConnection } = await import("./logConnection");
    const seen: number[] = [];
    const through: number[] = [];
    const states: ConnState[] = [];
    const conn = new LogConnection({
      log: { name: "app", id: "a1" },
      after: 0,
      onEvents: (events, last) => {
        seen.push(...events.map((e) => e.seq));
        through.push(last);
      },
      onState: (s) => states.push(s),
    });
    await settle();
    return { conn, seen, through, states };
  }

  it("catches up over HTTP, then resumes the socket after the last seq", async () => {
    backlog = [ev(1), ev(2)];
    const { conn, seen } = await start();
    expect(seen).toEqual([1, 2]);
    const ws = FakeSocket.all[0];
    expect(ws.url).toBe("ws://localhost:1/api/apps/a1/ws?token=tok");
    ws.open();
    expect(ws.sent).toEqual([{ type: "resume", after: 2 }]);
    ws.deliver(ev(2));
    ws.deliver(ev(3));
    expect(seen).toEqual([1, 2, 3]);
    conn.dispose();
  });

  it("reconnects with backoff and resumes from where it stopped", async () => {
    const { conn, seen, states } = await start();
    const first = FakeSocket.all[0];
    first.open();
    first.deliver(ev(1));
    first.serverClose(1006);
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", attempt: 1 });
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    const second = FakeSocket.all[1];
    second.open();
    expect(second.sent).toEqual([{ type: "resume", after: 1 }]);
    second.deliver(ev(1));
    second.deliver(ev(2));
    expect(seen).toEqual([1, 2]);
    expect(states.at(-1)).toMatchObject({ status: "open" });
    // Each socket is a new epoch: the outbox sends again on it what the old one may have lost.
    expect(states.filter((s) => s.status === "open").map((s) => s.epoch)).toEqual([1, 2]);
    conn.dispose();
  });

  it("treats 4401 and 4404 as final", async () => {
    const { conn, states } = await start();
    FakeSocket.all[0].serverClose(4404, "no such app");
    expect(states.at(-1)).toMatchObject({ status: "closed", error: { code: "4404", message: "no such app" } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    conn.dispose();
  });

  it("heals a gap in seq by resuming from the last event it holds", async () => {
    const { conn, seen } = await start();
    const first = FakeSocket.all[0];
    first.open();
    first.deliver(ev(1));
    first.deliver(ev(3));
    expect(seen).toEqual([1]);
    await vi.advanceTimersByTimeAsync(400);
    const second = FakeSocket.all[1];
    second.open();
    expect(second.sent).toEqual([{ type: "resume", after: 1 }]);
    conn.dispose();
  });

  it("skips an event of an unknown type but moves past it: no gap, no reconnect", async () => {
    const { conn, seen, through, states } = await start();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.deliver(ev(1));
    ws.deliver(unknown(2));
    ws.deliver(ev(3));
    expect(seen).toEqual([1, 3]);
    expect(through).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ status: "open" });
    conn.dispose();
  });

  it("resumes after an unknown event it read, so the server does not send it again and again", async () => {
    // The server's log; every socket resumes where the client says and gets the rest.
    const server = [ev(1), unknown(2), unknown(3), ev(4)];
    backlog = [ev(1), unknown(2)];
    const { conn, seen, through } = await start();
    expect(seen).toEqual([1]);
    expect(through).toEqual([2]);
    for (let i = 0; i < 3; i++) {
      const ws = FakeSocket.all[i];
      ws.open();
      const resume = ws.sent[0] as { after: number };
      expect(resume.after).toBe(i === 0 ? 2 : 4);
      for (const entry of server.filter((e) => e.seq > resume.after)) ws.deliver(entry);
      ws.serverClose(1006); // a network drop, not a gap
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(seen).toEqual([1, 4]);
    expect(through.at(-1)).toBe(4);
    conn.dispose();
  });

  it("leaves no timer, listener or socket behind when disposed", async () => {
    const { counters } = await import("../lib/tracked");
    const before = { timers: counters.timers, listeners: counters.listeners, sockets: counters.sockets };
    const { conn } = await start();
    FakeSocket.all[0].serverClose(1006); // a reconnect timer is now pending
    expect(counters.timers).toBe(before.timers + 1);
    conn.dispose();
    expect({ timers: counters.timers, listeners: counters.listeners, sockets: counters.sockets }).toEqual(before);
  });
});

/**
 * Follows one event log (a session's or an app's): an HTTP catch-up first, then a WebSocket
 * that resumes after the last `seq` seen. Any close other than 4401/4404 reconnects with
 * backoff and resumes from where it stopped, so every event arrives once and in order.
 * A gap in `seq` (which a healthy server never sends) is healed the same way.
 *
 * Every frame with a `seq` is an entry of the log (the contract's control frames have none).
 * An entry of a type this client does not know (a newer server's event) is skipped, but it
 * still moves the last `seq` on: were it dropped, the next event would look like a gap, and
 * the resume after it would send the same entry again, for ever.
 */
import { type AppwrightEvent, type ErrorInfo, isEvent } from "../generated/events";
import { api, type LogAddress, socketUrl } from "../lib/api";
import { listen, openTrackedSocket, releaseSocket, setTrackedTimeout } from "../lib/tracked";
import type { ConnState, ConnStatus } from "../state/types";

export interface LogConnectionOptions {
  log: LogAddress;
  after: number;
  /** Events of known types, and `through`, the last `seq` read (past them when the log ended on unknown ones). */
  onEvents: (events: AppwrightEvent[], through: number) => void;
  onState: (state: ConnState) => void;
  /** After the HTTP catch-up (or its failure): from here on, events are live. */
  onCaughtUp?: () => void;
  /** Frames without `seq`: replies such as `accepted`, `cancelling` and `error`. */
  onControl?: (frame: ControlFrame) => void;
}

export interface ControlFrame {
  type: string;
  error?: ErrorInfo;
  run_id?: string | null;
  client_msg_id?: string | null;
  duplicate?: boolean;
}

/** An entry of the log, known type or not. */
function isLogEntry(value: unknown): value is { seq: number; type: string } {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { seq?: unknown; type?: unknown };
  return typeof v.seq === "number" && typeof v.type === "string";
}

const FATAL: Record<number, string> = {
  4401: "Not signed in, or the token is no longer valid.",
  4404: "Not found, or it belongs to another vendor.",
};
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

export class LogConnection {
  private ws: WebSocket | null = null;
  private lastSeq: number;
  private epoch = 0;
  private attempt = 0;
  private disposed = false;
  private cancelRetry: (() => void) | null = null;
  private readonly stopOnline: () => void;

  constructor(private readonly opts: LogConnectionOptions) {
    this.lastSeq = opts.after;
    this.stopOnline = listen(window, "online", () => this.retryNow());
    void this.catchUp();
  }

  /** Sends a frame if the socket is open; returns the epoch it went out on, else null. */
  send(frame: object): number | null {
    if (this.ws?.readyState !== WebSocket.OPEN) return null;
    this.ws.send(JSON.stringify(frame));
    return this.epoch;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelRetry?.();
    this.stopOnline();
    this.closeSocket();
  }

  private async catchUp(): Promise<void> {
    try {
      const { events } = await api.events(this.opts.log, this.lastSeq);
      if (this.disposed) return;
      this.accept(events);
    } catch {
      // The socket's resume delivers the same events; the backoff handles a down server.
    }
    if (this.disposed) return;
    this.opts.onCaughtUp?.();
    this.connect();
  }

  private connect(): void {
    this.cancelRetry = null;
    this.report(this.attempt ? "reconnecting" : "connecting", null);
    const ws = openTrackedSocket(socketUrl(this.opts.log));
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "resume", after: this.lastSeq }));
      this.attempt = 0;
      this.epoch += 1;
      this.report("open", null);
    };
    ws.onmessage = (msg) => this.onFrame(msg.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClosed(ev.code, ev.reason);
    };
  }

  private onFrame(data: unknown): void {
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (isLogEntry(frame)) {
      if (frame.seq > this.lastSeq + 1) {
        // A gap: drop this socket and resume from the last event we hold.
        this.closeSocket();
        this.onClosed(4000, "gap in seq");
        return;
      }
      this.accept([frame]);
      return;
    }
    if (frame && typeof frame === "object" && typeof (frame as ControlFrame).type === "string") {
      this.opts.onControl?.(frame as ControlFrame);
    }
  }

  private accept(entries: unknown[]): void {
    const fresh = entries.filter(isLogEntry).filter((e) => e.seq > this.lastSeq);
    if (!fresh.length) return;
    this.lastSeq = fresh[fresh.length - 1].seq;
    this.opts.onEvents(fresh.filter(isEvent), this.lastSeq);
  }

  private onClosed(code: number, reason: string): void {
    if (this.disposed) return;
    const fatal = FATAL[code];
    if (fatal) {
      this.report("closed", { code: String(code), message: reason || fatal });
      return;
    }
    this.attempt += 1;
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (this.attempt - 1)) * (0.75 + Math.random() * 0.5);
    this.report("reconnecting", { code: String(code), message: reason || "Connection lost" });
    this.cancelRetry = setTrackedTimeout(() => this.connect(), delay);
  }

  private report(status: ConnStatus, error: ErrorInfo | null): void {
    this.opts.onState({ status, attempt: this.attempt, error, epoch: this.epoch });
  }

  private retryNow(): void {
    if (!this.cancelRetry) return;
    this.cancelRetry();
    this.connect();
  }

  private closeSocket(): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    releaseSocket(ws);
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
  }
}

/**
 * Every timer, DOM listener, resize observer and WebSocket the workspace makes goes through
 * these helpers, so `window.__appwright_debug` can count the live ones: a leak shows up as a
 * count that grows with use (the browser tests compare the counts after 1 run and after 30).
 */

export interface DebugCounters {
  timers: number;
  listeners: number;
  sockets: number;
  /** Test hook: close every live WebSocket as if the network dropped it. */
  dropSockets: () => number;
  /** Test hook: the mounted code editor, to read its cursor and scroll. */
  editor: unknown;
  /** How long typing waits before it saves (tests raise it to hold edits unsaved). */
  saveDelayMs: number;
  /** Committed renders per pane (`useRenderCount`): shows which events re-render what. */
  renders: Record<string, number>;
}

type Dispose = () => void;

const liveSockets = new Set<WebSocket>();

export const counters: DebugCounters = {
  timers: 0,
  listeners: 0,
  sockets: 0,
  editor: null,
  saveDelayMs: 700,
  renders: {},
  dropSockets() {
    const n = liveSockets.size;
    for (const ws of liveSockets) ws.close(4000, "dropped by test hook");
    return n;
  },
};

if (typeof window !== "undefined") {
  (window as unknown as { __appwright_debug: DebugCounters }).__appwright_debug = counters;
}

/** A one-shot timer; the returned function clears it (safe to call after it fired). */
export function setTrackedTimeout(fn: () => void, ms: number): Dispose {
  let live = true;
  counters.timers += 1;
  const id = setTimeout(() => {
    live = false;
    counters.timers -= 1;
    fn();
  }, ms);
  return () => {
    if (!live) return;
    live = false;
    counters.timers -= 1;
    clearTimeout(id);
  };
}

/** A repeating timer, for on-screen clocks only (never to poll anything). */
export function setTrackedInterval(fn: () => void, ms: number): Dispose {
  let live = true;
  counters.timers += 1;
  const id = setInterval(fn, ms);
  return () => {
    if (!live) return;
    live = false;
    counters.timers -= 1;
    clearInterval(id);
  };
}

export function listen<K extends keyof WindowEventMap>(
  target: Window,
  type: K,
  fn: (ev: WindowEventMap[K]) => void,
  options?: AddEventListenerOptions,
): Dispose;
export function listen(
  target: EventTarget,
  type: string,
  fn: (ev: Event) => void,
  options?: AddEventListenerOptions,
): Dispose;
export function listen(
  target: EventTarget,
  type: string,
  fn: (ev: Event) => void,
  options?: AddEventListenerOptions,
): Dispose {
  let live = true;
  counters.listeners += 1;
  target.addEventListener(type, fn, options);
  return () => {
    if (!live) return;
    live = false;
    counters.listeners -= 1;
    target.removeEventListener(type, fn, options);
  };
}

/** Calls `fn` with the element's width whenever it changes (a listener, for the counts). */
export function observeWidth(el: Element, fn: (width: number) => void): Dispose {
  let live = true;
  counters.listeners += 1;
  const observer = new ResizeObserver((entries) => {
    const entry = entries[entries.length - 1];
    if (entry) fn(entry.contentRect.width);
  });
  observer.observe(el);
  return () => {
    if (!live) return;
    live = false;
    counters.listeners -= 1;
    observer.disconnect();
  };
}

/** Opens a WebSocket that counts as live until it has closed. */
export function openTrackedSocket(url: string): WebSocket {
  const ws = new WebSocket(url);
  liveSockets.add(ws);
  counters.sockets += 1;
  const onClose = () => {
    if (!liveSockets.delete(ws)) return;
    counters.sockets -= 1;
  };
  ws.addEventListener("close", onClose, { once: true });
  return ws;
}

/** Forgets a socket at once (its close event may come later, or never if the page is hidden). */
export function releaseSocket(ws: WebSocket): void {
  if (liveSockets.delete(ws)) counters.sockets -= 1;
}

/** A debounced call; `cancel` drops a pending call, `flush` runs it now. */
export function debounce(fn: () => void, ms: number | (() => number)) {
  let clear: Dispose | null = null;
  return {
    schedule() {
      clear?.();
      clear = setTrackedTimeout(
        () => {
          clear = null;
          fn();
        },
        typeof ms === "number" ? ms : ms(),
      );
    },
    cancel() {
      clear?.();
      clear = null;
    },
    flush() {
      if (!clear) return;
      clear();
      clear = null;
      fn();
    },
    get pending() {
      return clear !== null;
    },
  };
}

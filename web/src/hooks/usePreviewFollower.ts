import { type RefObject, useEffect, useRef, useState } from "react";
import { agentMessage } from "../lib/previewAgent";
import { debounce, listen } from "../lib/tracked";
import type { VersionView } from "../state/types";

const COALESCE_MS = 150;

export interface PreviewActivity {
  reloads: number;
  cssSwaps: number;
  last: string;
}

/**
 * Keeps the preview iframe in step with the app log, without ever recreating it: a version
 * that changed only CSS is hot-swapped; any other version reloads the page in place, once
 * (versions arriving close together are coalesced), and the scroll position is restored.
 */
export function usePreviewFollower(
  frame: RefObject<HTMLIFrameElement | null>,
  url: string | null,
  /** The preview's origin: messages from anywhere else are ignored. */
  origin: string | null,
  versions: VersionView[],
  /** Called instead of reloading when the preview link is about to expire. */
  renewLink: (() => boolean) | null = null,
): PreviewActivity {
  const rendered = useRef<string | null>(versions[0]?.id ?? null);
  const scroll = useRef({ x: 0, y: 0 });
  const restoreScroll = useRef(false);
  const agentReady = useRef(false);
  const latest = useRef(versions);
  latest.current = versions;
  const from = useRef(origin);
  from.current = origin;
  const [activity, setActivity] = useState<PreviewActivity>({ reloads: 0, cssSwaps: 0, last: "" });

  // Only to the preview's origin: if the frame was sent elsewhere, the message is dropped.
  const post = (message: object) => {
    if (from.current) frame.current?.contentWindow?.postMessage(message, from.current);
  };

  const reload = useRef(() => {});
  reload.current = () => {
    restoreScroll.current = true;
    if (renewLink?.()) agentReady.current = false; // a fresh link navigates the same element
    else if (agentReady.current) post({ appwright: "reload" });
    else if (frame.current && url) frame.current.src = url; // no agent (yet): navigate the same element
    agentReady.current = false;
    setActivity((a) => ({ ...a, reloads: a.reloads + 1, last: "reloaded" }));
  };

  // The agent inside the preview talks by postMessage only; trust nothing else.
  useEffect(
    () =>
      listen(window, "message", (ev) => {
        const data = agentMessage(ev, frame.current, from.current);
        if (!data || !frame.current) return;
        if (data.appwright === "ready") {
          agentReady.current = true;
          if (restoreScroll.current) post({ appwright: "scroll-to", ...scroll.current });
          restoreScroll.current = false;
        } else if (data.appwright === "scroll") {
          scroll.current = { x: data.x, y: data.y };
          frame.current.dataset.scrollY = String(data.y); // observable by tests
        } else if (data.appwright === "css-applied" && data.count === 0) {
          reload.current(); // the stylesheet is not a <link> we can swap: reload instead
        }
      }),
    [],
  );

  const apply = useRef(
    debounce(() => {
      const list = latest.current;
      const head = list[0]?.id ?? null;
      if (head === rendered.current) return;
      if (rendered.current === null) {
        rendered.current = head; // the first version we hear of is what the frame loaded
        return;
      }
      const since = list.findIndex((v) => v.id === rendered.current);
      const fresh = since < 0 ? null : list.slice(0, since);
      rendered.current = head;
      const paths = fresh ? [...new Set(fresh.flatMap((v) => v.paths))] : null;
      if (paths && paths.length > 0 && paths.every((p) => p.endsWith(".css")) && agentReady.current) {
        for (const path of paths) post({ appwright: "css", path });
        setActivity((a) => ({ ...a, cssSwaps: a.cssSwaps + 1, last: `hot-swapped ${paths.join(", ")}` }));
      } else {
        reload.current();
      }
    }, COALESCE_MS),
  );

  const head = versions[0]?.id ?? null;
  useEffect(() => {
    if (head !== rendered.current) apply.current.schedule();
  }, [head]);
  useEffect(() => {
    const pending = apply.current;
    return () => pending.cancel();
  }, []);

  return activity;
}

import { memo, useCallback, useEffect, useRef, useState } from "react";
import { usePreviewFollower } from "../../hooks/usePreviewFollower";
import { useRenderCount } from "../../hooks/useRenderCount";
import { api } from "../../lib/api";
import { DEVICE_WIDTHS, type Device } from "../../lib/layout";
import { agentMessage, entryAt, type PreviewLink, pathOf, urlOf } from "../../lib/previewAgent";
import { EMPTY_CONSOLE, errorCount, fixRequest, logged, seenDocument } from "../../lib/previewConsole";
import { canGo, current, EMPTY_HISTORY, go, open, shown } from "../../lib/previewHistory";
import { listen } from "../../lib/tracked";
import type { VersionView } from "../../state/types";
import { AddressBar } from "./AddressBar";
import { ConsolePanel } from "./ConsolePanel";

const RENEW_BEFORE_MS = 5 * 60 * 1000;

const DEVICES: { device: Device; label: string }[] = [
  { device: "phone", label: "Phone" },
  { device: "tablet", label: "Tablet" },
  { device: "desktop", label: "Desktop" },
];

interface Props {
  appId: string;
  versions: VersionView[];
  /** The app's pages (its HTML files), for the address bar. */
  pages: string[];
  device: Device;
  onDevice: (device: Device) => void;
  maximised: boolean;
  onToggleMaximised: () => void;
  /** Sends a chat message (the console's "Fix with AI"). */
  onAsk: (text: string) => void;
}

/**
 * The app as its visitors see it, in an iframe on the preview's own origin: its scripts have
 * storage, dialogs and their own files, and cannot reach the workspace or its token (another
 * origin). The element is created once and kept: a device width or a maximised pane only
 * restyles it, so the follower's reloads and CSS swaps go on. The address bar and the
 * console hear the preview's agent; every message is checked against the preview's origin.
 */
export const PreviewPanel = memo(function PreviewPanel(props: Props) {
  const { appId, versions, pages, device, onDevice, maximised, onToggleMaximised, onAsk } = props;
  useRenderCount("preview");
  const frame = useRef<HTMLIFrameElement>(null);
  const [link, setLink] = useState<PreviewLink | null>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [linkGeneration, setLinkGeneration] = useState(0);
  const [history, setHistory] = useState(EMPTY_HISTORY);
  const [errorLog, setErrorLog] = useState(EMPTY_CONSOLE);
  const [consoleOpen, setConsoleOpen] = useState(false);
  const expiresAt = useRef(Infinity);
  const linkRef = useRef(link);
  linkRef.current = link;
  const path = current(history);
  const pathRef = useRef(path);
  pathRef.current = path;

  // A link near its expiry is renewed on the next reload (setting `src` navigates in place).
  const renewLink = () => {
    if (Date.now() < expiresAt.current - RENEW_BEFORE_MS) return false;
    expiresAt.current = Infinity;
    setLinkGeneration((n) => n + 1);
    return true;
  };
  // Reloading a page without the agent (a JSON file, say) navigates to the page shown.
  const reloadUrl = link ? entryAt(link, path ?? "/") : src;
  const activity = usePreviewFollower(frame, reloadUrl, link?.origin ?? null, versions, renewLink);

  useEffect(() => {
    let live = true;
    api.preview(appId).then(
      (r) => {
        if (!live) return;
        expiresAt.current = r.expires_in ? Date.now() + r.expires_in * 1000 : Infinity;
        setLink(r);
        // A renewed link opens the page the preview was showing.
        setSrc(entryAt(r, pathRef.current ?? "/"));
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [appId, linkGeneration]);

  useEffect(
    () =>
      listen(window, "message", (ev) => {
        const data = agentMessage(ev, frame.current, linkRef.current?.origin ?? null);
        const root = linkRef.current?.root;
        if (!data || !root) return;
        if (data.appwright === "ready" || data.appwright === "location") {
          setErrorLog((c) => seenDocument(c, data.doc));
          const at = data.href ? pathOf(data.href, root) : null;
          if (at) setHistory((h) => shown(h, at));
        } else if (data.appwright === "console") {
          // Quoted as the app's own paths ("/js/app.js:3:5"): what the model and the vendor know.
          const local = (t: string) => t.split(root).join("/");
          const page = pathOf(new URL(data.page, root).href, root) ?? data.page;
          const entry = { level: data.level, message: local(data.message), source: local(data.source), page };
          setErrorLog((c) => logged(c, data.doc, entry));
        }
      }),
    [],
  );

  // Sent by replacing the frame's location: no entry in the workspace's own history.
  const visit = useCallback((to: string | null) => {
    const root = linkRef.current?.root;
    if (to === null || !root) return;
    frame.current?.contentWindow?.location.replace(urlOf(to, root));
  }, []);
  const onOpen = useCallback(
    (to: string) => {
      setHistory((h) => open(h, to));
      visit(to);
    },
    [visit],
  );
  const step = (delta: -1 | 1) => {
    const next = go(history, delta);
    setHistory(next);
    visit(current(next));
  };
  const onFix = useCallback(() => {
    if (errorLog.entries.length === 0) return;
    onAsk(fixRequest(errorLog.entries));
  }, [errorLog.entries, onAsk]);
  const onClear = useCallback(() => setErrorLog((c) => ({ ...c, entries: [] })), []);
  const onCloseConsole = useCallback(() => setConsoleOpen(false), []);
  const errors = errorCount(errorLog);
  // The frame may have allow-same-origin only because its origin is another.
  const sameOrigin = link !== null && link.origin === window.location.origin;

  return (
    <section className="pane preview" data-testid="preview">
      <header className="pane-head">
        <span>Preview</span>
        <span className="muted" data-testid="preview-activity" data-reloads={activity.reloads} data-css-swaps={activity.cssSwaps}>
          {activity.last}
        </span>
        <span className="spacer" />
        <span className="segmented" role="group" aria-label="Preview width">
          {DEVICES.map((d) => (
            <button
              key={d.device}
              className={d.device === device ? "active" : ""}
              aria-pressed={d.device === device}
              title={DEVICE_WIDTHS[d.device] ? `${d.label}: ${DEVICE_WIDTHS[d.device]} px wide` : `${d.label}: the pane's width`}
              onClick={() => onDevice(d.device)}
              data-testid={`preview-device-${d.device}`}
            >
              {d.label}
            </button>
          ))}
        </span>
        <button
          className="link"
          onClick={onToggleMaximised}
          aria-pressed={maximised}
          title={maximised ? "Show every pane again (Escape)" : "Give the preview the whole window"}
          data-testid="preview-maximise"
        >
          {maximised ? "Show all panes" : "Maximise"}
        </button>
        {link && (
          <a className="link" href={entryAt(link, path ?? "/")} target="_blank" rel="noopener noreferrer">
            Open ↗
          </a>
        )}
      </header>
      <div className="preview-tools">
        <AddressBar
          path={path}
          pages={pages}
          canBack={canGo(history, -1)}
          canForward={canGo(history, 1)}
          onBack={() => step(-1)}
          onForward={() => step(1)}
          onOpen={onOpen}
        />
        <button
          className={errors > 0 ? "small console-toggle has-errors" : "small console-toggle"}
          onClick={() => setConsoleOpen((o) => !o)}
          aria-pressed={consoleOpen}
          title={errors > 0 ? `${errors} error${errors === 1 ? "" : "s"} on this page` : "The preview's console"}
          data-testid="preview-console-toggle"
        >
          Console
          <span className={errors > 0 ? "badge warn" : "badge"} data-testid="preview-console-count">
            {errors}
          </span>
        </button>
      </div>
      {error && <div className="notice error">Preview unavailable: {error}</div>}
      {sameOrigin && (
        <div className="notice error">
          Preview not shown: its link is on the workspace's own origin, where the app's scripts could read your token.
        </div>
      )}
      <div className={`preview-stage device-${device}`}>
        {src && !sameOrigin && (
          <iframe
            ref={frame}
            className="preview-frame"
            title="App preview"
            src={src}
            style={{ width: DEVICE_WIDTHS[device] ?? "100%" }}
            // The preview's origin is not the workspace's, so allow-same-origin gives the app
            // an origin of its own (storage, cookies, its files) and nothing of ours.
            sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads"
            data-testid="preview-frame"
            data-device={device}
          />
        )}
      </div>
      {consoleOpen && (
        <ConsolePanel entries={errorLog.entries} onFix={onFix} onClear={onClear} onClose={onCloseConsole} />
      )}
    </section>
  );
});

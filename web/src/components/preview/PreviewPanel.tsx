import { memo, useEffect, useRef, useState } from "react";
import { usePreviewFollower } from "../../hooks/usePreviewFollower";
import { useRenderCount } from "../../hooks/useRenderCount";
import { api } from "../../lib/api";
import { DEVICE_WIDTHS, type Device } from "../../lib/layout";
import type { VersionView } from "../../state/types";

const RENEW_BEFORE_MS = 5 * 60 * 1000;

const DEVICES: { device: Device; label: string }[] = [
  { device: "phone", label: "Phone" },
  { device: "tablet", label: "Tablet" },
  { device: "desktop", label: "Desktop" },
];

interface Props {
  appId: string;
  versions: VersionView[];
  device: Device;
  onDevice: (device: Device) => void;
  maximised: boolean;
  onToggleMaximised: () => void;
}

/**
 * The app as its visitors see it, in a sandboxed iframe (no allow-same-origin: its scripts
 * can never reach the workspace or its token). The element is created once and kept: a device
 * width or a maximised pane only restyles it, so the follower's reloads and CSS swaps go on.
 */
export const PreviewPanel = memo(function PreviewPanel(props: Props) {
  const { appId, versions, device, onDevice, maximised, onToggleMaximised } = props;
  useRenderCount("preview");
  const frame = useRef<HTMLIFrameElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [linkGeneration, setLinkGeneration] = useState(0);
  const expiresAt = useRef(Infinity);

  // A link near its expiry is renewed on the next reload (setting `src` navigates in place).
  const renewLink = () => {
    if (Date.now() < expiresAt.current - RENEW_BEFORE_MS) return false;
    expiresAt.current = Infinity;
    setLinkGeneration((n) => n + 1);
    return true;
  };
  const activity = usePreviewFollower(frame, url, versions, renewLink);

  useEffect(() => {
    let live = true;
    api.preview(appId).then(
      (r) => {
        if (!live) return;
        expiresAt.current = r.expires_in ? Date.now() + r.expires_in * 1000 : Infinity;
        setUrl(r.url);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [appId, linkGeneration]);

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
        {url && (
          <a className="link" href={url} target="_blank" rel="noopener noreferrer">
            Open ↗
          </a>
        )}
      </header>
      {error && <div className="notice error">Preview unavailable: {error}</div>}
      <div className={`preview-stage device-${device}`}>
        {url && (
          <iframe
            ref={frame}
            className="preview-frame"
            title="App preview"
            src={url}
            style={{ width: DEVICE_WIDTHS[device] ?? "100%" }}
            sandbox="allow-scripts allow-forms allow-popups allow-modals"
            data-testid="preview-frame"
            data-device={device}
          />
        )}
      </div>
    </section>
  );
});

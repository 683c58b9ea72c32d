import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { DEFAULT_LAYOUT, type Device, fitPanes, type LayoutPrefs, type PaneSizes, paneRange, parseLayout } from "../lib/layout";
import { listen, observeWidth } from "../lib/tracked";

const KEY = "appwright.layout";

export interface PaneLayout {
  /** The sizes shown (the stored wishes fitted to the window). */
  shown: PaneSizes;
  ranges: Record<keyof PaneSizes, { min: number; max: number }>;
  device: Device;
  maximised: boolean;
  setPane: (pane: keyof PaneSizes, size: number) => void;
  resetPane: (pane: keyof PaneSizes) => void;
  setDevice: (device: Device) => void;
  toggleMaximised: () => void;
  /** The element the panes live in (its width is what they share). */
  container: RefObject<HTMLElement | null>;
}

/**
 * The workspace's layout: pane sizes and the preview's device width, remembered in this
 * browser's localStorage; and whether the preview is maximised (Escape restores it), which is
 * not remembered, so a reload always shows every pane.
 */
export function usePaneLayout(): PaneLayout {
  const [prefs, setPrefs] = useState<LayoutPrefs>(() => parseLayout(localStorage.getItem(KEY)));
  const [width, setWidth] = useState(() => window.innerWidth);
  const [maximised, setMaximised] = useState(false);
  const container = useRef<HTMLElement | null>(null);

  useEffect(() => {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  }, [prefs]);

  useEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    setWidth(el.clientWidth);
    return observeWidth(el, (w) => setWidth(Math.round(w)));
  }, []);

  useEffect(() => {
    if (!maximised) return undefined;
    return listen(window, "keydown", (e) => {
      if (e.key === "Escape" && !e.defaultPrevented) setMaximised(false);
    });
  }, [maximised]);

  const shown = useMemo(() => fitPanes(prefs, width), [prefs, width]);
  const ranges = useMemo(
    () => ({ chat: paneRange("chat", shown, width), preview: paneRange("preview", shown, width) }),
    [shown, width],
  );
  const setPane = useCallback((pane: keyof PaneSizes, size: number) => setPrefs((p) => ({ ...p, [pane]: size })), []);
  const resetPane = useCallback(
    (pane: keyof PaneSizes) => setPrefs((p) => ({ ...p, [pane]: DEFAULT_LAYOUT[pane] })),
    [],
  );
  const setDevice = useCallback((device: Device) => setPrefs((p) => ({ ...p, device })), []);
  const toggleMaximised = useCallback(() => setMaximised((m) => !m), []);

  return { shown, ranges, device: prefs.device, maximised, setPane, resetPane, setDevice, toggleMaximised, container };
}

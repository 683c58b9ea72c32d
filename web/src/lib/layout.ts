/**
 * The workspace's pane sizes and the preview's width, as the vendor set them.
 *
 * Three columns: chat | editor | preview, with a drag handle between each pair. The chat
 * and the preview have the widths the vendor chose (remembered per browser); the editor
 * takes what is left. `fitPanes` is the one rule for a window too narrow for those wishes:
 * the editor keeps its minimum, then the preview gives way, then the chat. What is stored is
 * the wish, so a window made wide again gets the chosen sizes back.
 */

export type Device = "phone" | "tablet" | "desktop";

/** The preview frame's width per device; null fills the pane. */
export const DEVICE_WIDTHS: Record<Device, number | null> = { phone: 390, tablet: 820, desktop: null };

export interface PaneSizes {
  chat: number;
  preview: number;
}

export interface LayoutPrefs extends PaneSizes {
  device: Device;
}

export const MIN = { chat: 240, editor: 360, preview: 320 } as const;
/** Width of each drag handle. */
export const HANDLE = 6;
/** The default preview is wide enough for a 600 px layout plus a scrollbar. */
export const DEFAULT_LAYOUT: LayoutPrefs = { chat: 300, preview: 640, device: "desktop" };

/** The sizes to show in a window `width` wide. */
export function fitPanes(wish: PaneSizes, width: number): PaneSizes {
  const room = width - 2 * HANDLE;
  let chat = Math.max(MIN.chat, Math.round(wish.chat));
  let preview = Math.max(MIN.preview, Math.round(wish.preview));
  let over = chat + preview + MIN.editor - room;
  if (over > 0) {
    const give = Math.min(over, preview - MIN.preview);
    preview -= give;
    over -= give;
  }
  if (over > 0) chat -= Math.min(over, chat - MIN.chat);
  return { chat, preview };
}

/** The range one pane may be dragged over, the other staying as shown. */
export function paneRange(pane: keyof PaneSizes, shown: PaneSizes, width: number): { min: number; max: number } {
  const other = pane === "chat" ? shown.preview : shown.chat;
  const max = Math.max(MIN[pane], width - 2 * HANDLE - MIN.editor - other);
  return { min: MIN[pane], max };
}

export function clamp(value: number, range: { min: number; max: number }): number {
  return Math.min(range.max, Math.max(range.min, Math.round(value)));
}

/**
 * What a key does to a focused handle: move it by a step (Shift: a bigger one), to an end,
 * or back to the default. `null` for keys it ignores.
 */
export type HandleKey = { move: number } | { to: "min" | "max" | "default" };

export function handleKey(key: string, shift: boolean): HandleKey | null {
  const step = shift ? 80 : 16;
  switch (key) {
    case "ArrowLeft":
      return { move: -step };
    case "ArrowRight":
      return { move: step };
    case "Home":
      return { to: "min" };
    case "End":
      return { to: "max" };
    case "Enter":
      return { to: "default" };
    default:
      return null;
  }
}

function isDevice(value: unknown): value is Device {
  return typeof value === "string" && value in DEVICE_WIDTHS;
}

function size(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value < 10_000 ? value : fallback;
}

/** Stored preferences, tolerating anything (an old format, hand edits): bad parts fall back. */
export function parseLayout(raw: string | null): LayoutPrefs {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === "object") data = parsed as Record<string, unknown>;
  } catch {
    // unreadable: defaults
  }
  return {
    chat: size(data.chat, DEFAULT_LAYOUT.chat),
    preview: size(data.preview, DEFAULT_LAYOUT.preview),
    device: isDevice(data.device) ? data.device : DEFAULT_LAYOUT.device,
  };
}

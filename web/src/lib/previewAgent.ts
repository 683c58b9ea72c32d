/**
 * The preview agent's messages (`src/appwright/api/preview_agent.js`, injected into every
 * page of the preview), and where the preview is. The preview runs on an origin of its own:
 * a message counts only when it comes from the preview's frame and from that origin, so
 * another window (or another page the frame was sent to) cannot pose as the app.
 */

export type ConsoleLevel = "error" | "exception" | "rejection";

export type AgentMessage =
  | { appwright: "ready"; href?: string; doc?: string }
  | { appwright: "location"; href: string; doc?: string }
  | { appwright: "scroll"; x: number; y: number; doc?: string }
  | { appwright: "css-applied"; path: string; count: number; doc?: string }
  | { appwright: "console"; level: ConsoleLevel; message: string; source: string; page: string; doc: string };

/** `ev`'s message when the preview's agent sent it, else null. */
export function agentMessage(
  ev: MessageEvent,
  frame: HTMLIFrameElement | null,
  origin: string | null,
): AgentMessage | null {
  if (!frame || !origin || ev.source !== frame.contentWindow || ev.origin !== origin) return null;
  const data: unknown = ev.data;
  if (!data || typeof data !== "object") return null;
  if (typeof (data as { appwright?: unknown }).appwright !== "string") return null;
  return data as AgentMessage;
}

/** Where one app's preview is: `GET /api/apps/{app}/preview`. */
export interface PreviewLink {
  /** Opens the preview (trades the link's credential for a cookie there) at the app's root. */
  url: string;
  /** The app's root on the preview's origin, ending in '/'. */
  root: string;
  origin: string;
}

/**
 * The path the address bar shows for a page of the preview: from the app's root, with a
 * leading '/', its query and hash kept. Null for a URL outside the app.
 */
export function pathOf(href: string, root: string): string | null {
  let url: URL;
  let base: URL;
  try {
    url = new URL(href);
    base = new URL(root);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return null;
  let rest = url.pathname.slice(base.pathname.length);
  try {
    rest = decodeURIComponent(rest);
  } catch {
    /* shown as it came */
  }
  return `/${rest}${url.search}${url.hash}`;
}

/** The URL of `path` (as typed in the address bar) in the preview: always inside the app. */
export function urlOf(path: string, root: string): string {
  const typed = path.trim().replace(/^\/+/, "");
  const [beforeHash, hash = ""] = splitOnce(typed, "#");
  const [pathname, query = ""] = splitOnce(beforeHash, "?");
  const segments = pathname.split("/").filter((s) => s !== "." && s !== "..");
  const encoded = segments.map((s) => encodeURIComponent(s)).join("/");
  return root + encoded + (query ? `?${query}` : "") + (hash ? `#${hash}` : "");
}

/** The link that opens the preview at `path` (the link's URL carries the path after it). */
export function entryAt(link: PreviewLink, path: string): string {
  return urlOf(path, link.url);
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** The app's pages, as the address bar lists them: its HTML files, index pages first. */
export function pagesOf(paths: string[]): string[] {
  const pages = paths.filter((p) => /\.html?$/i.test(p));
  const depth = (p: string) => p.split("/").length;
  return pages.sort((a, b) => {
    const ai = a.endsWith("index.html") ? 0 : 1;
    const bi = b.endsWith("index.html") ? 0 : 1;
    return ai - bi || depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

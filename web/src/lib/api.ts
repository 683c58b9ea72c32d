/**
 * The HTTP client. Every call names its route as the OpenAPI schema spells it; parameters,
 * bodies and answers are typed by `apiTypes.ts`, so the client cannot drift from the server
 * without `tsc` saying so.
 */
import type { ErrorInfo } from "../generated/events";
import type { LogName } from "../state/types";
import type { AppImported, Answer, Method, PathParams, QueryParams, RequestBody, Route, RouteFor } from "./apiTypes";
import { getToken } from "./auth";

export type {
  AppImported,
  AppInfo,
  DiffFile,
  CommitRecord,
  CommitState,
  DeletedApp,
  FileInfo,
  PushResult,
  RemoteInfo,
  SessionDetail,
  SessionInfo,
  SessionSummary,
  VersionDiff,
  VersionRecord,
} from "./apiTypes";

/** A 4xx/5xx answer, carrying the server's `{error: {code, message, ...}}` (`detail`: all of it). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** One of the two event logs: a session's (the conversation) or an app's. */
export interface LogAddress {
  name: LogName;
  id: string;
}

type Args<P extends Route, M extends Method> = (PathParams<P, M> extends undefined
  ? { path?: undefined }
  : { path: PathParams<P, M> }) & {
  query?: QueryParams<P, M>;
  body?: RequestBody<P, M>;
};

const enc = encodeURIComponent;

/**
 * FastAPI's `{path:path}` parameter keeps its slashes: only its segments are encoded. A ".."
 * segment cannot travel in a URL at all (the browser resolves it, escaped or not, and would
 * ask for another route), so it is refused here with the code the server gives it.
 */
function encodeParam(name: string, value: string): string {
  if (name !== "path") return enc(value);
  const segments = value.split("/");
  if (segments.includes("..")) {
    throw new ApiError(422, "path_traversal", `File paths cannot leave the app's folder; '${value}' contains '..'.`);
  }
  return segments.map(enc).join("/");
}

function routeUrl(route: string, path?: object, query?: object): string {
  const params = (path ?? {}) as Record<string, string>;
  const url = route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== "string") throw new Error(`${route}: missing path parameter ${name}`);
    return encodeParam(name, value);
  });
  const search = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
    .join("&");
  return search ? `${url}?${search}` : url;
}

function call<M extends Method, P extends RouteFor<M> & Route>(
  method: M,
  route: P,
  args: Args<P, M> = {} as Args<P, M>,
): Promise<Answer<P, M>> {
  let url: string;
  try {
    url = routeUrl(route, args.path as object | undefined, args.query as object | undefined);
  } catch (err) {
    return Promise.reject(err);
  }
  return request(method.toUpperCase(), url, args.body) as Promise<Answer<P, M>>;
}

async function request(method: string, url: string, body?: unknown, raw?: { blob: Blob; type: string }): Promise<unknown> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (raw) headers["Content-Type"] = raw.type;
  else if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: raw ? raw.blob : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached.");
  }
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : null;
  if (!res.ok) {
    const err = (data as { error?: ErrorInfo } | null)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      (err ?? {}) as Record<string, unknown>,
    );
  }
  return data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const api = {
  listApps: () => call("get", "/api/apps"),
  /** A file's value is its text, or `{base64}` for a binary file. */
  createApp: (name: string, files: Record<string, string | { base64: string }>) =>
    call("post", "/api/apps", { body: { name, files } }),
  /** An app from the tip of a git repository's branch (4xx in words when it cannot be read). */
  createAppFromGit: (body: { name: string; url: string; branch?: string | null }) =>
    call("post", "/api/apps/from-git", { body }),
  renameApp: (app_id: string, name: string) => call("patch", "/api/apps/{app_id}", { path: { app_id }, body: { name } }),
  /** The app answers 404 from now on; `restoreApp` brings it back until `restore_until`. */
  deleteApp: (app_id: string) => call("delete", "/api/apps/{app_id}", { path: { app_id } }),
  deletedApps: () => call("get", "/api/deleted-apps"),
  restoreApp: (app_id: string) => call("post", "/api/deleted-apps/{app_id}/restore", { path: { app_id } }),
  /** Marks a version accepted in review (stored: survives a reload). */
  acceptVersion: (app_id: string, version_id: string) =>
    call("post", "/api/apps/{app_id}/versions/{version_id}/accept", { path: { app_id, version_id } }),
  listFiles: (app_id: string) => call("get", "/api/apps/{app_id}/files", { path: { app_id } }),
  readFile: (app_id: string, path: string) => call("get", "/api/apps/{app_id}/files/{path}", { path: { app_id, path } }),
  /** With `base_version` (the version the text started from), a file changed since answers 409 `edit_conflict`. */
  writeFile: (app_id: string, path: string, content: string, base_version?: string | null) =>
    call("put", "/api/apps/{app_id}/files/{path}", {
      path: { app_id, path },
      body: base_version ? { content, base_version } : { content },
    }),
  /** Moves a file as one version; 409 `file_exists` when `to` is taken. */
  renameFile: (app_id: string, path: string, to: string) =>
    call("post", "/api/apps/{app_id}/files/{path}/rename", { path: { app_id, path }, body: { to } }),
  /** A binary file (an image, a font), as base64. */
  writeBinary: (app_id: string, path: string, base64: string) =>
    call("put", "/api/apps/{app_id}/files/{path}", { path: { app_id, path }, body: { base64 } }),
  deleteFile: (app_id: string, path: string) =>
    call("delete", "/api/apps/{app_id}/files/{path}", { path: { app_id, path } }),
  listVersions: (app_id: string, limit?: number) =>
    call("get", "/api/apps/{app_id}/versions", { path: { app_id }, query: limit ? { limit } : undefined }),
  versionDiff: (app_id: string, version_id: string) =>
    call("get", "/api/apps/{app_id}/versions/{version_id}/diff", { path: { app_id, version_id } }),
  /** `files` gives exact new contents (null deletes) for paths the version changed. */
  /** Takes back a version's changes: all, those to `paths`, or exactly `files` (null deletes). */
  revert: (
    app_id: string,
    version_id: string,
    body: { paths?: string[]; files?: Record<string, string | null>; base_version?: string },
  ) =>
    call("post", "/api/apps/{app_id}/versions/{version_id}/revert", { path: { app_id, version_id }, body }),
  undo: (app_id: string) => call("post", "/api/apps/{app_id}/undo", { path: { app_id } }),
  redo: (app_id: string) => call("post", "/api/apps/{app_id}/redo", { path: { app_id } }),
  /** A preview link: the app now, or (with `version`) an old version, read-only. */
  preview: (app_id: string, version?: string) =>
    call("get", "/api/apps/{app_id}/preview", { path: { app_id }, query: version ? { version } : undefined }),
  /** Makes the files what they were right after `version_id`, as one version. */
  restoreVersion: (app_id: string, version_id: string) =>
    call("post", "/api/apps/{app_id}/versions/{version_id}/restore", { path: { app_id, version_id } }),
  getRemote: (app_id: string) => call("get", "/api/apps/{app_id}/remote", { path: { app_id } }),
  /** No `token` keeps the one set (for the same URL); `token: null` removes it. */
  setRemote: (app_id: string, body: { url: string; branch?: string; token?: string | null }) =>
    call("put", "/api/apps/{app_id}/remote", { path: { app_id }, body }),
  deleteRemote: (app_id: string) =>
    call("delete", "/api/apps/{app_id}/remote", { path: { app_id } }).then(() => undefined),
  push: (app_id: string) => call("post", "/api/apps/{app_id}/push", { path: { app_id } }),
  /** Newest first; with `q`, only those whose messages or answers hold every word of it. */
  listSessions: (app_id: string, q?: string) =>
    call("get", "/api/apps/{app_id}/sessions", { path: { app_id }, query: q ? { q } : undefined }),
  createSession: (app_id: string) => call("post", "/api/apps/{app_id}/sessions", { path: { app_id } }),
  session: (session_id: string) => call("get", "/api/sessions/{session_id}", { path: { session_id } }),
  cancel: (session_id: string) => call("post", "/api/sessions/{session_id}/cancel", { path: { session_id } }),
  events: (log: LogAddress, after: number) =>
    log.name === "session"
      ? call("get", "/api/sessions/{session_id}/events", { path: { session_id: log.id }, query: { after } })
      : call("get", "/api/apps/{app_id}/events", { path: { app_id: log.id }, query: { after } }),
};

export function socketUrl(log: LogAddress): string {
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  const path = log.name === "session" ? `/api/sessions/${enc(log.id)}` : `/api/apps/${enc(log.id)}`;
  return `${proto}//${window.location.host}${path}/ws?token=${enc(getToken() ?? "")}`;
}

/** `POST /api/apps/import`: an app made from a zip archive (its body, sent as it is). */
export function importArchive(name: string, archive: Blob): Promise<AppImported> {
  const url = routeUrl("/api/apps/import", undefined, { name });
  return request("POST", url, undefined, { blob: archive, type: "application/zip" }) as Promise<AppImported>;
}

/** A file's text now and the version that last changed it, or null when there is no such file or it is binary. */
export async function readVersioned(app_id: string, path: string): Promise<{ content: string; versionId: string } | null> {
  try {
    const file = await api.readFile(app_id, path);
    return file.content === undefined || file.content === null ? null : { content: file.content, versionId: file.version_id };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** A file's text now, or null when there is no such file or it is binary (any other failure throws). */
export async function readText(app_id: string, path: string): Promise<string | null> {
  try {
    return (await api.readFile(app_id, path)).content ?? null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

import type { AppwrightEvent, ErrorInfo } from "../generated/events";
import { getToken } from "./auth";

/** A 4xx/5xx answer, carrying the server's `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AppInfo {
  id: string;
  name: string;
  created_at?: string;
}

export interface FileInfo {
  path: string;
  size?: number;
}

export type CommitState = "pending" | "committed" | "pushed" | "failed";

export interface VersionRecord {
  id: string;
  number?: number;
  parent_id?: string | null;
  source: string;
  paths: string[];
  created_at?: string;
  message?: string | null;
  run_id?: string | null;
  commit?: { state: CommitState; sha?: string | null; error?: ErrorInfo | string | null };
}

export interface VersionDiff {
  version_id: string;
  parent_id: string | null;
  files: { path: string; before: string | null; after: string | null }[];
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached.");
  }
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : null;
  if (!res.ok) {
    const err = (data as { error?: ErrorInfo } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const enc = encodeURIComponent;
const filePath = (path: string) => path.split("/").map(enc).join("/");

export const api = {
  listApps: () => request<AppInfo[]>("GET", "/api/apps"),
  createApp: (name: string, files: Record<string, string>) =>
    request<AppInfo>("POST", "/api/apps", { name, files }),
  listFiles: (app: string) => request<FileInfo[]>("GET", `/api/apps/${enc(app)}/files`),
  readFile: (app: string, path: string) =>
    request<{ path: string; content: string }>("GET", `/api/apps/${enc(app)}/files/${filePath(path)}`),
  writeFile: (app: string, path: string, content: string) =>
    request<unknown>("PUT", `/api/apps/${enc(app)}/files/${filePath(path)}`, { content }),
  listVersions: (app: string) => request<VersionRecord[]>("GET", `/api/apps/${enc(app)}/versions`),
  versionDiff: (app: string, version: string) =>
    request<VersionDiff>("GET", `/api/apps/${enc(app)}/versions/${enc(version)}/diff`),
  revert: (app: string, version: string, body: { paths?: string[]; files?: Record<string, string> }) =>
    request<VersionRecord>("POST", `/api/apps/${enc(app)}/versions/${enc(version)}/revert`, body),
  undo: (app: string) => request<VersionRecord>("POST", `/api/apps/${enc(app)}/undo`),
  redo: (app: string) => request<VersionRecord>("POST", `/api/apps/${enc(app)}/redo`),
  preview: (app: string) => request<{ url: string; expires_in?: number }>("GET", `/api/apps/${enc(app)}/preview`),
  listSessions: (app: string) => request<{ id: string }[]>("GET", `/api/apps/${enc(app)}/sessions`),
  createSession: (app: string) => request<{ id: string }>("POST", `/api/apps/${enc(app)}/sessions`),
  cancel: (session: string) => request<unknown>("POST", `/api/sessions/${enc(session)}/cancel`),
  events: (logPath: string, after: number) =>
    request<{ events: AppwrightEvent[] }>("GET", `${logPath}/events?after=${after}`),
};

export function socketUrl(logPath: string): string {
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${window.location.host}${logPath}/ws?token=${enc(getToken() ?? "")}`;
}

/**
 * The HTTP API's types as the client sees them: the one bridge between the generated OpenAPI
 * types (`src/generated/api.ts`, from the FastAPI app by `npm run gen`) and the client.
 *
 * Routes, methods, path and query parameters and request bodies come from the schema only, so
 * a renamed route or a changed body is a type error here and in `api.ts`. Most routes still
 * answer plain dicts, which the schema calls `unknown` (or, for `dict[str, Any]`, a record of
 * `unknown`); their answers are written once, in `Handwritten`, keyed by route. A route the
 * schema describes ignores its entry there: once
 * the server gains response models, `npm run gen` switches each route to its generated type,
 * and the entry is deleted.
 */
import type { components, paths } from "../generated/api";
import type { AppwrightEvent, CommitUpdated, ErrorInfo } from "../generated/events";

export type Method = "get" | "put" | "post" | "delete" | "patch";
export type Route = keyof paths;

type Operation<P extends Route, M extends Method> = NonNullable<paths[P][M]>;

/** "get /api/apps", ...: every route and method the schema has. */
export type RouteKey = {
  [P in Route]: { [M in Method]: [Operation<P, M>] extends [never] ? never : `${M} ${P}` }[Method];
}[Route];

/** The routes that answer `method`. */
export type RouteFor<M extends Method> = {
  [P in Route]: [Operation<P, M>] extends [never] ? never : P;
}[Route];

type Parameters<P extends Route, M extends Method> =
  Operation<P, M> extends { parameters: infer X } ? X : never;
export type PathParams<P extends Route, M extends Method> =
  Parameters<P, M> extends { path: infer X } ? X : undefined;
export type QueryParams<P extends Route, M extends Method> =
  Parameters<P, M> extends { query?: infer X } ? X : undefined;
export type RequestBody<P extends Route, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { "application/json": infer B } } } ? B : undefined;

type SuccessCode = 200 | 201 | 202 | 204;
type Json<R> = R extends { content: { "application/json": infer J } } ? J : never;
type SchemaAnswer<P extends Route, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? Json<R[Extract<keyof R, SuccessCode>]> : never;

/** An answer the schema leaves open: untyped, or a `dict[str, Any]` (`{[key: string]: unknown}`). */
type Vague<T> = unknown extends T ? true : string extends keyof T ? (unknown extends T[string & keyof T] ? true : false) : false;

/** What a route answers: the schema's type where it has one, else the `Handwritten` entry. */
export type Answer<P extends Route, M extends Method> =
  Vague<SchemaAnswer<P, M>> extends true
    ? `${M} ${P}` extends keyof Handwritten
      ? Handwritten[`${M} ${P}`]
      : unknown
    : SchemaAnswer<P, M>;

// ---- answers the schema does not describe yet ---------------------------------------------

export type CommitState = CommitUpdated["state"];

export interface AppInfo {
  id: string;
  name: string;
  created_at: string;
  version_count: number;
  total_bytes: number;
}

export interface FileInfo {
  path: string;
  size: number;
  version_id: string;
  updated_at: string;
  /** By the file's name ("image/png"); a binary file's bytes are served under it. */
  content_type?: string;
  /** Not text (an image, a font): read as `base64`, never opened in the text editor. */
  binary?: boolean;
}

/** A file with its content: `content` for a text file, `base64` for a binary one. */
export interface FileContent extends FileInfo {
  content?: string;
  base64?: string;
}

/** `POST /api/apps/import`: the app, and what the archive held that was left out, with why. */
export interface AppImported extends AppInfo {
  skipped: { path: string; reason: string }[];
}

/** One file of a version's diff. A binary file has no text sides: its sizes and bytes instead. */
export interface DiffFile {
  path: string;
  before: string | null;
  after: string | null;
  binary?: boolean;
  content_type?: string;
  before_size?: number | null;
  after_size?: number | null;
  before_base64?: string | null;
  after_base64?: string | null;
}

/** A renamed file at its new path, where it came `from`, and the version the move made. */
export interface FileRenamed extends FileInfo {
  from: string;
  version: VersionRecord | null;
}

/** A deleted file, and the version its deletion made. */
export interface FileDeleted {
  path: string;
  deleted: boolean;
  version: VersionRecord | null;
}

export interface CommitRecord {
  state: CommitState;
  sha: string | null;
  error: ErrorInfo | null;
}

export interface VersionRecord {
  id: string;
  number: number;
  parent_id: string | null;
  source: string;
  target_id: string | null;
  paths: string[];
  message: string;
  run_id: string | null;
  created_at: string;
  commit: CommitRecord;
  /** When it was accepted in review; null (or absent, from an older server) if not. */
  accepted_at?: string | null;
}

/** A manual write's answer: the file, and the version it made (null when nothing changed). */
export interface FileWritten extends FileInfo {
  version: VersionRecord | null;
}

export interface VersionDiff {
  version_id: string;
  parent_id: string | null;
  source: string;
  files: DiffFile[];
}

export interface SessionInfo {
  id: string;
  app_id: string;
  created_at: string;
}

// ---- answers the schema describes, under the names the client uses -----------------------

type Schema<N extends keyof components["schemas"]> = components["schemas"][N];

/** An app in the trash: restorable until `restore_until`, purged after. */
export type DeletedApp = Schema<"DeletedApp">;

/** A session in the app's list: its title (first message) and usage, null until it has them. */
export type SessionSummary = Schema<"SessionSummary">;
/** A session with its usage so far and how full the context window was at its latest request. */
export type SessionDetail = Schema<"SessionDetail">;

/** The app's git remote; the token is write-only (`has_token` says whether one is set). */
export interface RemoteInfo {
  url: string;
  branch: string;
  has_token: boolean;
  updated_at: string;
}

/** `POST /push`: the attempt it waited for, and the app's versions counted by commit state. */
export interface PushResult {
  remote: RemoteInfo;
  in_progress: boolean;
  versions: Record<CommitState, number>;
  latest: { version_id: string; commit: CommitRecord } | null;
}

export interface EventsPage {
  events: AppwrightEvent[];
}

/** Only keys that are routes of the schema are allowed (a renamed route fails to compile). */
type RoutesOnly<T extends { [K in keyof T]: K extends RouteKey ? unknown : never }> = T;

type Handwritten = RoutesOnly<{
  "get /api/apps": AppInfo[];
  "post /api/apps": AppInfo;
  "post /api/apps/import": AppImported;
  "get /api/apps/{app_id}/files": FileInfo[];
  "get /api/apps/{app_id}/files/{path}": FileContent;
  "put /api/apps/{app_id}/files/{path}": FileWritten;
  "delete /api/apps/{app_id}/files/{path}": FileDeleted;
  "post /api/apps/{app_id}/files/{path}/rename": FileRenamed;
  "get /api/apps/{app_id}/versions": VersionRecord[];
  "get /api/apps/{app_id}/versions/{version_id}/diff": VersionDiff;
  "post /api/apps/{app_id}/versions/{version_id}/revert": { version: VersionRecord | null };
  "post /api/apps/{app_id}/versions/{version_id}/accept": VersionRecord;
  "post /api/apps/{app_id}/versions/{version_id}/restore": { version: VersionRecord | null };
  "post /api/apps/{app_id}/undo": VersionRecord;
  "post /api/apps/{app_id}/redo": VersionRecord;
  "get /api/apps/{app_id}/events": EventsPage;
  "get /api/apps/{app_id}/remote": RemoteInfo;
  "put /api/apps/{app_id}/remote": RemoteInfo;
  "post /api/apps/{app_id}/push": PushResult;
  "post /api/apps/{app_id}/sessions": SessionInfo;
  "post /api/sessions/{session_id}/cancel": { run_id: string | null; cancelled: boolean };
  "get /api/sessions/{session_id}/events": EventsPage;
}>;

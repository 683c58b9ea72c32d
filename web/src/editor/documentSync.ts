/**
 * Keeps one Monaco model per opened file in step with the server, both ways.
 *
 * - A remote change (any `file.updated` on the app log) is fetched and applied as minimal
 *   edit operations, so cursor, selection and the local undo stack survive.
 * - The vendor's own typing is saved (debounced) as a manual version.
 * - A remote change to a file with unsaved local edits is a conflict: it is held and shown,
 *   never applied over the vendor's text, until the vendor chooses.
 * - Every save names the version its text started from (`baseVersion`): when the file
 *   changed on the server meanwhile (another tab, say) and the news has not arrived yet, the
 *   server refuses the save with the file as it is now, which becomes the same conflict.
 *
 * `base` is the last content known to be on the server, `baseVersion` the version that made
 * it; the model is dirty when it differs.
 */
import type * as Monaco from "monaco-editor";
import { api } from "../lib/api";
import type { FileContent } from "../lib/apiTypes";
import { editConflictOf } from "../lib/editConflict";
import { counters, debounce } from "../lib/tracked";
import { languageFor, monaco } from "./monacoSetup";
import { minimalEdits } from "./textDiff";

export interface DocStatus {
  dirty: boolean;
  saving: boolean;
  /** The server's content, held back because it arrived over unsaved local edits. */
  conflict: string | null;
  error: string | null;
}

interface Doc {
  path: string;
  model: Monaco.editor.ITextModel;
  base: string;
  /** The version that last changed the file as `base` has it (null: not known). */
  baseVersion: string | null;
  /** Content of a save in flight: its own `file.updated` echo is not a conflict. */
  saving: string | null;
  conflict: string | null;
  /** The version the held server content comes from: keeping mine saves on top of it. */
  conflictVersion: string | null;
  error: string | null;
  applyingRemote: boolean;
  fetchSeq: number;
  save: ReturnType<typeof debounce>;
  subscription: Monaco.IDisposable;
}

export class DocumentSync {
  private docs = new Map<string, Doc>();
  /** Files being loaded; `true` once a change arrived during the load (refetch after). */
  private opening = new Map<string, boolean>();
  private editor: Monaco.editor.IStandaloneCodeEditor | null = null;
  private disposed = false;

  constructor(
    private readonly appId: string,
    private readonly onStatus: (path: string, status: DocStatus) => void,
  ) {}

  attach(editor: Monaco.editor.IStandaloneCodeEditor | null): void {
    this.editor = editor;
  }

  /** Loads the file into a model (once); later calls return the same model. */
  async open(path: string): Promise<Monaco.editor.ITextModel | null> {
    const existing = this.docs.get(path);
    if (existing) return existing.model;
    this.opening.set(path, false);
    let content: string;
    let version: string | null;
    try {
      const file = await api.readFile(this.appId, path);
      content = textOf(file);
      version = file.version_id ?? null;
    } catch (err) {
      this.opening.delete(path);
      throw err;
    }
    const changedMeanwhile = this.opening.get(path) ?? false;
    this.opening.delete(path);
    if (this.disposed) return null;
    if (this.docs.has(path)) return this.docs.get(path)!.model;
    const uri = monaco.Uri.from({ scheme: "file", path: `/${this.appId}/${path}` });
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(content, languageFor(path), uri);
    if (model.getValue() !== content) model.setValue(content);
    const doc: Doc = {
      path,
      model,
      base: content,
      baseVersion: version,
      saving: null,
      conflict: null,
      conflictVersion: null,
      error: null,
      applyingRemote: false,
      fetchSeq: 0,
      save: debounce(() => void this.save(doc), () => counters.saveDelayMs),
      subscription: model.onDidChangeContent(() => this.onLocalEdit(doc)),
    };
    this.docs.set(path, doc);
    this.emit(doc);
    if (changedMeanwhile) void this.remoteChanged(path);
    return model;
  }

  /** The app log says `path` changed: fetch it and reconcile with the model. */
  async remoteChanged(path: string): Promise<void> {
    const doc = this.docs.get(path);
    if (!doc) {
      if (this.opening.has(path)) this.opening.set(path, true);
      return;
    }
    const seq = ++doc.fetchSeq;
    let remote: string;
    let version: string | null;
    try {
      const file = await api.readFile(this.appId, path);
      remote = textOf(file);
      version = file.version_id ?? null;
    } catch (err) {
      if (seq === doc.fetchSeq) this.fail(doc, err);
      return;
    }
    if (this.disposed || seq !== doc.fetchSeq || this.docs.get(path) !== doc) return;
    this.reconcile(doc, remote, version);
  }

  /** The file was deleted on the server. */
  remoteDeleted(path: string): void {
    const doc = this.docs.get(path);
    if (!doc) return;
    doc.save.cancel();
    doc.subscription.dispose();
    doc.model.dispose();
    this.docs.delete(path);
  }

  resolveConflict(path: string, keep: "mine" | "theirs"): void {
    const doc = this.docs.get(path);
    if (!doc || doc.conflict === null) return;
    const theirs = doc.conflict;
    doc.conflict = null;
    doc.base = theirs;
    doc.baseVersion = doc.conflictVersion ?? doc.baseVersion;
    doc.conflictVersion = null;
    if (keep === "theirs") this.applyRemote(doc, theirs);
    else void this.save(doc);
    this.emit(doc);
  }

  /** Saves every pending local edit now (before an undo, say). */
  async flush(): Promise<void> {
    await Promise.all([...this.docs.values()].map((d) => (d.conflict === null ? this.save(d) : undefined)));
  }

  dispose(): void {
    this.disposed = true;
    for (const doc of this.docs.values()) {
      doc.save.cancel();
      doc.subscription.dispose();
      doc.model.dispose();
    }
    this.docs.clear();
  }

  /** The text of this file, for a view of it beside another (the conflict's diff). */
  modelOf(path: string): Monaco.editor.ITextModel | null {
    return this.docs.get(path)?.model ?? null;
  }

  private reconcile(doc: Doc, remote: string, version: string | null): void {
    const current = doc.model.getValue();
    if (remote === current) {
      doc.base = remote;
      doc.baseVersion = version;
      doc.conflict = null;
      doc.conflictVersion = null;
    } else if (remote === doc.base || remote === doc.saving) {
      // Our own save coming back, or nothing new: local edits stand.
      doc.base = remote;
      doc.baseVersion = version;
    } else if (current === doc.base) {
      doc.base = remote;
      doc.baseVersion = version;
      this.applyRemote(doc, remote);
    } else {
      doc.save.cancel();
      this.hold(doc, remote, version);
    }
    this.emit(doc);
  }

  private hold(doc: Doc, theirs: string, version: string | null): void {
    doc.conflict = theirs;
    doc.conflictVersion = version;
  }

  private applyRemote(doc: Doc, remote: string): void {
    const { model } = doc;
    const edits = minimalEdits(model.getValue(), remote).map((e) => {
      const start = model.getPositionAt(e.start);
      const end = model.getPositionAt(e.end);
      return {
        range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column),
        text: e.text,
      };
    });
    const editor = this.editor?.getModel() === model ? this.editor : null;
    const scroll = editor ? { top: editor.getScrollTop(), left: editor.getScrollLeft() } : null;
    doc.applyingRemote = true;
    try {
      model.pushStackElement();
      model.pushEditOperations(editor?.getSelections() ?? [], edits, () => null);
      model.pushStackElement();
    } finally {
      doc.applyingRemote = false;
    }
    if (editor && scroll) {
      editor.setScrollTop(scroll.top);
      editor.setScrollLeft(scroll.left);
    }
  }

  private onLocalEdit(doc: Doc): void {
    if (doc.applyingRemote || this.disposed) return;
    if (doc.conflict === null) doc.save.schedule();
    this.emit(doc);
  }

  private async save(doc: Doc): Promise<void> {
    doc.save.cancel();
    const content = doc.model.getValue();
    if (content === doc.base || doc.saving !== null || doc.conflict !== null) return;
    doc.saving = content;
    this.emit(doc);
    try {
      const written = await api.writeFile(this.appId, doc.path, content, doc.baseVersion);
      if (doc.conflict === null) {
        doc.base = content;
        doc.baseVersion = written?.version_id ?? doc.baseVersion;
      }
      doc.error = null;
    } catch (err) {
      const conflict = editConflictOf(err);
      if (conflict) {
        // Changed on the server since this text began: nothing was saved; show both.
        this.hold(doc, conflict.content ?? "", conflict.versionId);
        doc.error = null;
      } else {
        this.fail(doc, err);
      }
    } finally {
      doc.saving = null;
    }
    if (this.disposed) return;
    // Typing went on while the save was in flight: save again.
    if (doc.model.getValue() !== doc.base && doc.conflict === null && doc.error === null) doc.save.schedule();
    this.emit(doc);
  }

  private fail(doc: Doc, err: unknown): void {
    doc.error = err instanceof Error ? err.message : String(err);
    this.emit(doc);
  }

  private emit(doc: Doc): void {
    if (this.disposed || doc.model.isDisposed()) return;
    this.onStatus(doc.path, {
      dirty: doc.model.getValue() !== doc.base,
      saving: doc.saving !== null,
      conflict: doc.conflict,
      error: doc.error,
    });
  }
}

/** A file's text; a binary file (an image) is never loaded into a text model. */
function textOf(file: FileContent): string {
  if (file.content === undefined) throw new Error(`${file.path} is a binary file (${file.content_type ?? "unknown type"}).`);
  return file.content;
}

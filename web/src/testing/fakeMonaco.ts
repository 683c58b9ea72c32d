/**
 * A stand-in for the slice of Monaco that `DocumentSync` uses, for unit tests in Node (the
 * real editor needs a DOM and workers). Text models keep their text, fire change events,
 * map offsets to positions as Monaco does (1-based lines and columns), and record every
 * `pushEditOperations` call so a test can tell minimal edits from a whole-text replace.
 */

interface Position {
  lineNumber: number;
  column: number;
}

class Range {
  constructor(
    readonly startLineNumber: number,
    readonly startColumn: number,
    readonly endLineNumber: number,
    readonly endColumn: number,
  ) {}
}

interface Uri {
  path: string;
  toString(): string;
}

/** An edit in offsets of the text it applied to. */
export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

const models = new Map<string, FakeModel>();

export class FakeModel {
  /** One entry per `pushEditOperations` call. */
  readonly pushed: OffsetEdit[][] = [];
  private listeners = new Set<() => void>();
  private disposed = false;

  constructor(
    private text: string,
    readonly uri: Uri,
  ) {}

  getValue(): string {
    return this.text;
  }

  setValue(text: string): void {
    this.text = text;
    this.fire();
  }

  onDidChangeContent(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => void this.listeners.delete(fn) };
  }

  getPositionAt(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length))).split("\n");
    return { lineNumber: before.length, column: before[before.length - 1].length + 1 };
  }

  getOffsetAt(pos: Position): number {
    const lines = this.text.split("\n");
    let offset = 0;
    for (let i = 0; i < pos.lineNumber - 1; i++) offset += lines[i].length + 1;
    return offset + pos.column - 1;
  }

  pushStackElement(): void {}

  pushEditOperations(_selections: unknown, ops: { range: Range; text: string }[], _cursor: unknown): null {
    const edits = ops.map(({ range, text }) => ({
      start: this.getOffsetAt({ lineNumber: range.startLineNumber, column: range.startColumn }),
      end: this.getOffsetAt({ lineNumber: range.endLineNumber, column: range.endColumn }),
      text,
    }));
    this.pushed.push(edits);
    let next = this.text;
    for (const e of [...edits].sort((a, b) => b.start - a.start)) next = next.slice(0, e.start) + e.text + next.slice(e.end);
    this.text = next;
    this.fire();
    return null;
  }

  /** The vendor types `text` at `offset` (the end by default). */
  type(text: string, offset = this.text.length): void {
    this.text = this.text.slice(0, offset) + text + this.text.slice(offset);
    this.fire();
  }

  isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    models.delete(this.uri.toString());
  }

  private fire(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

export const monaco = {
  Range,
  Uri: {
    from: ({ scheme, path }: { scheme: string; path: string }): Uri => ({ path, toString: () => `${scheme}://${path}` }),
  },
  editor: {
    getModel: (uri: Uri) => models.get(uri.toString()) ?? null,
    createModel(text: string, _language: string, uri: Uri): FakeModel {
      const model = new FakeModel(text, uri);
      models.set(uri.toString(), model);
      return model;
    },
  },
};

export function languageFor(): string {
  return "plaintext";
}

/** Every model still alive (a test checks that nothing leaks). */
export function liveModels(): FakeModel[] {
  return [...models.values()];
}

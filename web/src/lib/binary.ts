/**
 * Binary files on the client: which paths are shown as images, bytes to base64 (how the API
 * carries a binary file), and a dropped or picked folder read as an app's files.
 */

const IMAGE = /\.(png|jpe?g|gif|webp|avif|ico|bmp)$/i;

/** Shown as a picture rather than as text (an SVG is text, and opens in the editor). */
export const isImagePath = (path: string) => IMAGE.test(path);

export function dataUrl(contentType: string, base64: string): string {
  return `data:${contentType};base64,${base64}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  // In slices: one String.fromCharCode call per byte array would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** What the server leaves out of an import too: git's data and folder metadata. */
export function skippedByImport(path: string): boolean {
  const parts = path.split("/");
  const name = parts[parts.length - 1];
  return (
    parts.some((p) => p.toLowerCase() === ".git" || p === "__MACOSX") ||
    name === ".DS_Store" ||
    name === "Thumbs.db" ||
    name.startsWith("._")
  );
}

/** Relative paths with one top-level folder in common lose it (a folder dropped whole). */
export function stripCommonFolder(files: { path: string; file: File }[]): { path: string; file: File }[] {
  const first = new Set(files.map((f) => f.path.split("/")[0]));
  if (first.size !== 1 || files.some((f) => !f.path.includes("/"))) return files;
  return files.map((f) => ({ ...f, path: f.path.slice(f.path.indexOf("/") + 1) }));
}

/** Every file under a dropped folder (or the dropped files themselves), with relative paths. */
export async function filesOfDrop(items: DataTransferItemList): Promise<{ path: string; file: File }[]> {
  const entries = Array.from(items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const out: { path: string; file: File }[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches until it answers none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return out;
}

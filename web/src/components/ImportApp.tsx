import { useState } from "react";
import { navigate } from "../hooks/useRoute";
import { api, importArchive } from "../lib/api";
import { filesOfDrop, skippedByImport, stripCommonFolder, toBase64 } from "../lib/binary";

type Picked = { path: string; file: File }[];

const baseName = (name: string) => name.replace(/\.zip$/i, "").replace(/[/\\]+$/, "") || "Imported app";

/**
 * Import an existing site: a zip archive (sent as it is to `POST /api/apps/import`) or a
 * folder (its files sent with base64 values to `POST /api/apps`), picked or dropped here.
 * The new app opens when it is made; a refusal says which file and why.
 */
export function ImportApp({ name }: { name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);

  async function run(work: () => Promise<string>) {
    setBusy(true);
    setError(null);
    try {
      navigate(`/apps/${encodeURIComponent(await work())}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  const fromZip = (zip: File) => run(async () => (await importArchive(name.trim() || baseName(zip.name), zip)).id);

  const fromFolder = (picked: Picked) =>
    run(async () => {
      const kept = stripCommonFolder(picked.filter((f) => !skippedByImport(f.path)));
      if (kept.length === 0) throw new Error("That folder has no files to import.");
      const folder = picked[0]?.path.includes("/") ? picked[0].path.split("/")[0] : "Imported app";
      const files: Record<string, { base64: string }> = {};
      for (const f of kept) files[f.path] = { base64: await toBase64(f.file) };
      return (await api.createApp(name.trim() || folder, files)).id;
    });

  async function dropped(items: DataTransferItemList, plain: FileList) {
    const single = plain.length === 1 ? plain[0] : null;
    if (single && /\.zip$/i.test(single.name)) return fromZip(single);
    return fromFolder(await filesOfDrop(items));
  }

  return (
    <div
      className={dropping ? "card import-app dropping" : "card import-app"}
      data-testid="import-drop"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDropping(false);
        void dropped(e.dataTransfer.items, e.dataTransfer.files);
      }}
    >
      <h2>Import a site</h2>
      <p className="muted">Drop a zip archive or a folder here (images and all), or pick one.</p>
      <div className="row">
        <label className="button">
          Zip archive…
          <input
            type="file"
            accept=".zip,application/zip"
            hidden
            disabled={busy}
            data-testid="import-zip"
            onChange={(e) => {
              const zip = e.target.files?.[0];
              e.target.value = "";
              if (zip) void fromZip(zip);
            }}
          />
        </label>
        <label className="button">
          Folder…
          <input
            type="file"
            hidden
            disabled={busy}
            data-testid="import-folder"
            ref={(input) => input?.setAttribute("webkitdirectory", "")}
            onChange={(e) => {
              const picked = Array.from(e.target.files ?? []).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
              e.target.value = "";
              void fromFolder(picked);
            }}
          />
        </label>
        {busy && <span className="muted">Importing…</span>}
      </div>
      {error && (
        <div className="notice error" data-testid="import-error">
          {error}
        </div>
      )}
    </div>
  );
}

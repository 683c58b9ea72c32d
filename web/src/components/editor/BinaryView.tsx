import { useEffect, useState } from "react";
import { api } from "../../lib/api";
import type { FileContent } from "../../lib/apiTypes";
import { dataUrl, formatSize, isImagePath } from "../../lib/binary";

interface Props {
  appId: string;
  path: string;
  /** Bumped by every change to the file: it is read again. */
  rev: number;
}

/** A binary file opened from the tree: an image is shown as one, anything else described. */
export function BinaryView({ appId, path, rev }: Props) {
  const [file, setFile] = useState<FileContent | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api.readFile(appId, path).then(
      (f) => live && setFile(f),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [appId, path, rev]);

  const type = file?.content_type ?? "";
  return (
    <div className="binary-view" data-testid="binary-view">
      <div className="editor-bar">
        <span className="editor-path" data-testid="editor-path">{path}</span>
        <span className="spacer" />
        {file && (
          <span className="muted" data-testid="binary-info">
            {type} · {formatSize(file.size)}
          </span>
        )}
      </div>
      {error && <div className="notice error">Could not read {path}: {error}</div>}
      <div className="binary-body">
        {file?.base64 !== undefined && type.startsWith("image/") && (
          <img src={dataUrl(type, file.base64)} alt={path} data-testid="image-view" />
        )}
        {file?.base64 !== undefined && !type.startsWith("image/") && (
          <p className="muted">A binary file: it cannot be edited as text. Upload a new one to replace it.</p>
        )}
        {file?.content !== undefined && isImagePath(path) && <pre>{file.content}</pre>}
      </div>
    </div>
  );
}

import type { DiffFile } from "../../lib/api";
import { dataUrl, formatSize } from "../../lib/binary";

/** A binary file a version changed: no lines to compare, so its sizes and, for an image,
 * a thumbnail of each side. */
export function BinaryDiff({ file }: { file: DiffFile }) {
  const type = file.content_type ?? "application/octet-stream";
  const side = (label: string, base64: string | null | undefined, size: number | null | undefined, testId: string) => (
    <figure className="binary-side" data-testid={testId}>
      {base64 == null ? (
        <div className="empty">{label === "Before" ? "(absent: the file was added)" : "(deleted)"}</div>
      ) : type.startsWith("image/") ? (
        <img src={dataUrl(type, base64)} alt={`${file.path}, ${label.toLowerCase()}`} data-testid="diff-thumbnail" />
      ) : (
        <div className="empty">binary</div>
      )}
      <figcaption>
        {label}
        {size != null && ` · ${formatSize(size)}`}
      </figcaption>
    </figure>
  );
  return (
    <div className="binary-diff" data-testid="binary-diff">
      <p>
        <strong>Binary file changed</strong> <span className="muted">{file.path} · {type}</span>
      </p>
      <div className="binary-sides">
        {side("Before", file.before_base64, file.before_size, "diff-before")}
        {side("After", file.after_base64, file.after_size, "diff-after")}
      </div>
    </div>
  );
}

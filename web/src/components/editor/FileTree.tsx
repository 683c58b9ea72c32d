import type { DocStatus } from "../../editor/documentSync";

interface Props {
  paths: string[];
  open: string | null;
  statuses: Record<string, DocStatus>;
  onOpen: (path: string) => void;
}

/** The app's files, folders shown by indentation (static sites are shallow). */
export function FileTree({ paths, open, statuses, onOpen }: Props) {
  return (
    <ul className="file-tree" data-testid="file-tree">
      {paths.map((path) => {
        const parts = path.split("/");
        const status = statuses[path];
        return (
          <li key={path}>
            <button
              className={path === open ? "file active" : "file"}
              style={{ paddingLeft: 10 + (parts.length - 1) * 12 }}
              onClick={() => onOpen(path)}
              data-testid="file"
              data-path={path}
              title={path}
            >
              {parts.length > 1 && <span className="dir">{parts.slice(0, -1).join("/")}/</span>}
              {parts[parts.length - 1]}
              {status?.conflict != null ? <span className="badge warn">conflict</span> : status?.dirty ? <span className="dot" title="unsaved" /> : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

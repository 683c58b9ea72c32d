import { useState } from "react";
import { navigate } from "../../hooks/useRoute";
import type { AppInfo } from "../../lib/api";

interface Props {
  app: AppInfo;
  onRename: (name: string) => Promise<void>;
  onDelete: () => void;
}

/** One app: open it, rename it in place, or ask to delete it. */
export function AppCard({ app, onRename, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(app.name);
  const [error, setError] = useState<string | null>(null);
  const href = `/apps/${encodeURIComponent(app.id)}`;

  async function save() {
    const trimmed = name.trim();
    if (trimmed === app.name) {
      setEditing(false);
      return;
    }
    try {
      await onRename(trimmed);
      setEditing(false);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="card app-card" data-testid="app-card" data-app-id={app.id}>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <input
            value={name}
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setEditing(false);
                setName(app.name);
                setError(null);
              }
            }}
            aria-label="App name"
            data-testid="rename-app-input"
          />
          {error && (
            <div className="path-error" data-testid="rename-app-error">
              {error}
            </div>
          )}
        </form>
      ) : (
        <a
          href={href}
          onClick={(e) => {
            e.preventDefault();
            navigate(href);
          }}
          data-testid="app-link"
        >
          <strong>{app.name}</strong>
        </a>
      )}
      <span className="muted">{app.created_at ? new Date(app.created_at).toLocaleString() : app.id}</span>
      <div className="app-actions">
        <button
          onClick={() => {
            setName(app.name);
            setEditing(true);
          }}
          data-testid="rename-app"
        >
          Rename
        </button>
        <button className="danger" onClick={onDelete} data-testid="delete-app">
          Delete
        </button>
      </div>
    </div>
  );
}

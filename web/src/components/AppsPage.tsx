import { useEffect, useState } from "react";
import { navigate } from "../hooks/useRoute";
import { api, ApiError, type AppInfo } from "../lib/api";
import { blankSite } from "../lib/template";
import { ImportApp } from "./ImportApp";

/** The vendor's apps: open one, create one from the blank template, or import a site. */
export function AppsPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [apps, setApps] = useState<AppInfo[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    let live = true;
    api.listApps().then(
      (list) => live && setApps(list),
      (err: ApiError) => {
        if (!live) return;
        if (err.status === 401) onUnauthorized();
        else setError(err.message);
      },
    );
    return () => {
      live = false;
    };
  }, [onUnauthorized]);

  async function create() {
    const trimmed = name.trim();
    if (!trimmed) return;
    setCreating(true);
    setError(null);
    try {
      const app = await api.createApp(trimmed, blankSite(trimmed));
      navigate(`/apps/${encodeURIComponent(app.id)}`);
    } catch (err) {
      setError((err as Error).message);
      setCreating(false);
    }
  }

  return (
    <div className="apps-page">
      <header className="top-bar">
        <span className="brand">appwright</span>
        <span className="crumb">/</span>
        <span className="app-name">Your apps</span>
      </header>
      <div className="apps-body">
        <form
          className="card new-app"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2>New app</h2>
          <p className="muted">Starts as a blank static site: index.html, style.css and app.js.</p>
          <div className="row">
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="App name" data-testid="new-app-name" />
            <button className="primary" type="submit" disabled={creating || !name.trim()} data-testid="create-app">
              {creating ? "Creating…" : "Create"}
            </button>
          </div>
        </form>
        <ImportApp name={name} />
        {error && <div className="notice error">{error}</div>}
        {apps === null && !error && <div className="empty">Loading…</div>}
        {apps?.length === 0 && <div className="empty">No apps yet.</div>}
        <ul className="app-grid" data-testid="apps">
          {apps?.map((app) => (
            <li key={app.id}>
              <a
                className="card app-card"
                href={`/apps/${encodeURIComponent(app.id)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/apps/${encodeURIComponent(app.id)}`);
                }}
                data-testid="app-card"
              >
                <strong>{app.name}</strong>
                <span className="muted">{app.created_at ? new Date(app.created_at).toLocaleString() : app.id}</span>
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

import { useCallback, useEffect, useState } from "react";
import { api, ApiError, type AppInfo, type DeletedApp } from "../lib/api";
import { AppCard } from "./apps/AppCard";
import { NewAppForm } from "./apps/NewAppForm";
import { ConfirmDialog } from "./common/ConfirmDialog";

function until(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
}

/**
 * The vendor's apps: open, rename or delete one, or make a new one (from a template, a git URL, a zip or a folder).
 * Deleting asks first; a deleted app can be brought back ("Undo", or "Restore" in the
 * recently deleted list) until its restore window ends, after which the server purges it.
 */
export function AppsPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [apps, setApps] = useState<AppInfo[] | null>(null);
  const [deleted, setDeleted] = useState<DeletedApp[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<AppInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [justDeleted, setJustDeleted] = useState<DeletedApp | null>(null);

  const load = useCallback(async () => {
    const [list, trash] = await Promise.all([api.listApps(), api.deletedApps()]);
    setApps(list);
    setDeleted(trash);
  }, []);

  useEffect(() => {
    let live = true;
    load().catch((err: ApiError) => {
      if (!live) return;
      if (err.status === 401) onUnauthorized();
      else setError(err.message);
    });
    return () => {
      live = false;
    };
  }, [load, onUnauthorized]);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const remove = (app: AppInfo) =>
    act(async () => {
      setJustDeleted(await api.deleteApp(app.id));
      setConfirming(null);
    });

  const restore = (id: string) =>
    act(async () => {
      await api.restoreApp(id);
      setJustDeleted((d) => (d?.id === id ? null : d));
    });

  return (
    <div className="apps-page">
      <header className="top-bar">
        <span className="brand">appwright</span>
        <span className="crumb">/</span>
        <span className="app-name">Your apps</span>
      </header>
      <div className="apps-body">
        <NewAppForm />
        {justDeleted && (
          <div className="notice undo-bar" data-testid="deleted-notice">
            <span>
              Deleted “{justDeleted.name}”. It can be restored until {until(justDeleted.restore_until)}.
            </span>
            <button className="primary" disabled={busy} onClick={() => void restore(justDeleted.id)} data-testid="undo-delete">
              Undo
            </button>
            <button onClick={() => setJustDeleted(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {error && <div className="notice error" data-testid="apps-error">{error}</div>}
        {apps === null && !error && <div className="empty">Loading…</div>}
        {apps?.length === 0 && <div className="empty">No apps yet.</div>}
        <ul className="app-grid" data-testid="apps">
          {apps?.map((app) => (
            <li key={app.id}>
              <AppCard
                app={app}
                onRename={async (name) => {
                  await api.renameApp(app.id, name);
                  await load();
                }}
                onDelete={() => setConfirming(app)}
              />
            </li>
          ))}
        </ul>
        {deleted.length > 0 && (
          <section className="deleted-apps" data-testid="deleted-apps">
            <h3>Recently deleted</h3>
            <ul>
              {deleted.map((app) => (
                <li key={app.id} data-testid="deleted-app" data-app-id={app.id}>
                  <span>
                    <strong>{app.name}</strong>{" "}
                    <span className="muted">restorable until {until(app.restore_until)}</span>
                  </span>
                  <button disabled={busy} onClick={() => void restore(app.id)} data-testid="restore-app">
                    Restore
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete “${confirming.name}”?`}
          confirmLabel="Delete app"
          busy={busy}
          onConfirm={() => void remove(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Its files, history and conversations go with it. For a while it can be restored (Undo, or “Recently
            deleted” on this page); after that it is gone for good.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

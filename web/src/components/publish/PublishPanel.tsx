import { type FormEvent, useEffect, useMemo, useState } from "react";
import type { ErrorInfo } from "../../generated/events";
import type { RemoteState } from "../../hooks/useRemote";
import { ApiError, type RemoteInfo } from "../../lib/api";
import { describeError } from "../../lib/sentences";
import { type PushSummary, pushSummary } from "../../state/history";
import type { HistoryState } from "../../state/types";
import { Modal } from "../common/Modal";
import { CommitBadge } from "../versions/CommitBadge";
import { SOURCE_LABELS } from "../versions/VersionList";

interface Props {
  remote: RemoteState;
  history: HistoryState;
  onClose: () => void;
}

const VERSIONS_SHOWN = 12;

/** What the top bar's Publish button says: where the app's versions stand with its remote. */
export function publishBadge(remote: RemoteInfo | null | undefined, summary: PushSummary): { label: string; tone: string } {
  if (remote === undefined) return { label: "Publish", tone: "muted" };
  if (remote === null) return { label: "Publish: not connected", tone: "muted" };
  if (summary.failed) return { label: "Publish: push failed", tone: "error" };
  const waiting = summary.counts.pending + summary.counts.committed;
  if (waiting > 0) return { label: `Publish: ${waiting} to push`, tone: "warn" };
  return { label: "Publish: up to date", tone: "ok" };
}

function toError(err: unknown): ErrorInfo {
  return err instanceof ApiError ? { code: err.code, message: err.message } : { code: "error", message: String(err) };
}

function ErrorInWords({ error, testId }: { error: ErrorInfo; testId: string }) {
  const { problem, fix } = describeError(error);
  return (
    <div className="notice error sentence" data-testid={testId} data-code={error.code}>
      <strong>{problem}</strong>
      {fix && <span> {fix}</span>}
    </div>
  );
}

/**
 * Publishing: the app's git remote (URL, branch, a write-only token) and where its versions
 * stand: pushed, waiting, or failed with the reason in words and a retry. States follow the
 * app log live (`commit.updated`), so nothing here polls.
 */
export function PublishPanel({ remote: state, history, onClose }: Props) {
  const { remote, loadError, save, disconnect, push } = state;
  const [url, setUrl] = useState("");
  const [branch, setBranch] = useState("main");
  const [token, setToken] = useState("");
  const [dropToken, setDropToken] = useState(false);
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [pushError, setPushError] = useState<ErrorInfo | null>(null);
  const [note, setNote] = useState<{ text: string; after: "save" | "push" | "disconnect" } | null>(null);
  const [busy, setBusy] = useState<"save" | "push" | "disconnect" | null>(null);
  const summary = useMemo(() => pushSummary(history), [history]);

  // The form starts from the remote as saved (and again after each save).
  useEffect(() => {
    if (!remote) return;
    setUrl(remote.url);
    setBranch(remote.branch);
  }, [remote]);

  const tokenKept = !!remote?.has_token && !dropToken && !token.trim() && url.trim() === remote.url;

  async function act(kind: "save" | "push" | "disconnect", fn: () => Promise<void>) {
    setBusy(kind);
    setNote(null);
    try {
      await fn();
    } finally {
      setBusy(null);
    }
  }

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    const body: { url: string; branch?: string; token?: string | null } = { url: url.trim() };
    if (branch.trim()) body.branch = branch.trim();
    if (token.trim()) body.token = token.trim();
    else if (dropToken) body.token = null;
    void act("save", async () => {
      try {
        const saved = await save(body);
        setFormError(null);
        setToken("");
        setDropToken(false);
        setNote({ text: `Saved. Every version is being pushed to ${saved.branch}.`, after: "save" });
      } catch (err) {
        setFormError(toError(err));
      }
    });
  };

  const onPush = () =>
    void act("push", async () => {
      try {
        const result = await push();
        setPushError(null);
        const text = result.in_progress ? "Still pushing; the states below follow it." : "Pushed what was waiting.";
        setNote({ text, after: "push" });
      } catch (err) {
        setPushError(toError(err));
      }
    });

  const onDisconnect = () =>
    void act("disconnect", async () => {
      try {
        await disconnect();
        setUrl("");
        setBranch("main");
        setNote({ text: "Disconnected. Versions are still committed to the app's own repository.", after: "disconnect" });
      } catch (err) {
        setFormError(toError(err));
      }
    });

  const waiting = summary.counts.pending + summary.counts.committed;
  const shown = history.versions.slice(0, VERSIONS_SHOWN);

  return (
    <Modal title="Publish to a git repository" onClose={onClose} className="publish" testId="publish-panel">
      <div className="modal-body">
        {loadError && <ErrorInWords error={toError(loadError)} testId="remote-load-error" />}
        <p className="muted">
          Every version is committed to the app's own repository. Connect a remote (a GitHub repository, say) and each
          version is pushed to it as well; nothing is ever force-pushed.
        </p>
        <form className="remote-form" onSubmit={onSave}>
          <label>
            <span>Repository URL</span>
            <input
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://github.com/you/shop.git"
              spellCheck={false}
              required
              data-testid="remote-url"
            />
          </label>
          <label>
            <span>Branch</span>
            <input value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="main" spellCheck={false} data-testid="remote-branch" />
          </label>
          <label>
            <span>Token</span>
            <input
              type="password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              placeholder={remote?.has_token ? "A token is saved; type a new one to replace it" : "A token that may push (optional)"}
              autoComplete="off"
              data-testid="remote-token"
            />
          </label>
          {remote?.has_token && (
            <label className="check">
              <input type="checkbox" checked={dropToken} onChange={(e) => setDropToken(e.target.checked)} data-testid="remote-drop-token" />
              <span>Remove the saved token</span>
            </label>
          )}
          <p className="muted small" data-testid="token-note">
            {tokenKept
              ? "The saved token is kept. It is never shown again, not even here."
              : remote?.has_token && url.trim() !== remote.url && !token.trim()
                ? "A saved token is only kept for the same URL: paste it again for this one."
                : "The token is stored for pushing only and never shown again."}
          </p>
          {formError && <ErrorInWords error={formError} testId="remote-error" />}
          <div className="row">
            <button className="primary" type="submit" disabled={busy !== null || !url.trim()} data-testid="remote-save">
              {busy === "save" ? "Saving…" : remote ? "Save" : "Connect"}
            </button>
            {remote && (
              <button type="button" onClick={onDisconnect} disabled={busy !== null} data-testid="remote-disconnect">
                Disconnect
              </button>
            )}
          </div>
        </form>

        <section className="push-state" data-testid="push-state">
          <h3>Push state</h3>
          {remote === null && <p className="muted">Not connected: versions stay in the app's own repository.</p>}
          <p data-testid="push-counts">
            {summary.counts.pushed} pushed · {waiting} waiting · {summary.counts.failed} failed
          </p>
          {summary.failed?.commit.error && (
            <ErrorInWords error={summary.failed.commit.error} testId="push-error" />
          )}
          {pushError && <ErrorInWords error={pushError} testId="push-call-error" />}
          {remote && (summary.failed || waiting > 0) && (
            <button onClick={onPush} disabled={busy !== null} data-testid="retry-push">
              {busy === "push" ? "Pushing…" : summary.failed ? "Retry push" : "Push now"}
            </button>
          )}
          {note && !(summary.failed && note.after !== "disconnect") && (
            <p className="muted" data-testid="publish-note">
              {note.text}
            </p>
          )}
          <ol className="push-versions">
            {shown.map((v) => {
              const commit = history.commits[v.id];
              return (
                <li key={v.id} data-testid="push-version" data-version-id={v.id} data-state={commit?.state ?? ""}>
                  <span className="version-no">{v.number != null ? `#${v.number}` : "#…"}</span>
                  <span className={`source source-${v.source}`}>{SOURCE_LABELS[v.source] ?? v.source}</span>
                  <span className="version-paths">{v.paths.join(", ")}</span>
                  <CommitBadge commit={commit} />
                </li>
              );
            })}
          </ol>
        </section>
      </div>
    </Modal>
  );
}

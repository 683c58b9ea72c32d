import { type CSSProperties, useCallback, useEffect, useMemo, useState } from "react";
import { type DocStatus, DocumentSync } from "../editor/documentSync";
import { usePaneLayout } from "../hooks/usePaneLayout";
import { useRemote } from "../hooks/useRemote";
import { useToasts } from "../hooks/useToasts";
import { useUndoShortcuts } from "../hooks/useUndoShortcuts";
import { useWorkspace } from "../hooks/useWorkspace";
import { api, ApiError } from "../lib/api";
import { pagesOf } from "../lib/previewAgent";
import { pushSummary } from "../state/history";
import { ChatPanel } from "./chat/ChatPanel";
import { EditorPanel } from "./editor/EditorPanel";
import { Splitter } from "./layout/Splitter";
import { PreviewPanel } from "./preview/PreviewPanel";
import { publishBadge, PublishPanel } from "./publish/PublishPanel";
import { StatusBar } from "./StatusBar";
import { Toasts } from "./Toasts";
import { TopBar } from "./TopBar";

/**
 * One app's workspace: chat | editor and history | preview, over the two logs, with drag
 * handles between the panes (`usePaneLayout`). Each pane is handed only the slices it shows,
 * with stable callbacks, and is memoised: a streamed text delta re-renders the chat and the
 * status bar, never the editor or the preview; dragging a handle re-renders none of them.
 */
export function Workspace({ appId }: { appId: string }) {
  const ws = useWorkspace(appId);
  const { toasts, show, dismiss } = useToasts();
  const [appName, setAppName] = useState(appId);
  const [sync, setSync] = useState<DocumentSync | null>(null);
  const [statuses, setStatuses] = useState<Record<string, DocStatus>>({});
  const [busy, setBusy] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const layout = usePaneLayout();
  const remote = useRemote(appId);

  useEffect(() => {
    const docs = new DocumentSync(appId, (path, status) => setStatuses((s) => ({ ...s, [path]: status })));
    setSync(docs);
    return () => docs.dispose();
  }, [appId]);

  useEffect(() => {
    let live = true;
    api.listApps().then((apps) => {
      const app = apps.find((a) => a.id === appId);
      if (live && app) setAppName(app.name);
    }, () => {});
    return () => {
      live = false;
    };
  }, [appId]);

  const step = useCallback(
    async (kind: "undo" | "redo") => {
      setBusy(true);
      try {
        await sync?.flush();
        await (kind === "undo" ? api.undo(appId) : api.redo(appId));
      } catch (err) {
        const nothing = err instanceof ApiError && err.status === 409;
        show(nothing ? `Nothing to ${kind}` : `${kind} failed: ${(err as Error).message}`, nothing ? "info" : "error");
      } finally {
        setBusy(false);
      }
    },
    [appId, sync, show],
  );
  const undo = useCallback(() => void step("undo"), [step]);
  const redo = useCallback(() => void step("redo"), [step]);
  useUndoShortcuts(undo, redo);

  const { newSession, openSession } = ws;
  const onNewSession = useCallback(
    () => void newSession().catch((e: Error) => show(e.message, "error")),
    [newSession, show],
  );

  const { state } = ws;
  const fatal = state.conn.app.status === "closed" ? state.conn.app.error?.message : ws.setupError;
  const summary = useMemo(() => pushSummary(state.history), [state.history]);
  // The same list for as long as the set of pages is the same: an edit re-renders no preview.
  const pagesKey = pagesOf(Object.keys(state.files.entries)).join("\n");
  const pages = useMemo(() => (pagesKey ? pagesKey.split("\n") : []), [pagesKey]);
  const badge = publishBadge(remote.remote, summary);
  const { shown, ranges, setPane, resetPane } = layout;
  const columns = { "--chat-w": `${shown.chat}px`, "--preview-w": `${shown.preview}px` } as CSSProperties;

  return (
    <div className="workspace">
      <TopBar
        appName={appName}
        onUndo={undo}
        onRedo={redo}
        busy={busy}
        publish={badge}
        onPublish={() => setPublishing(true)}
      />
      {fatal && <div className="banner error" data-testid="fatal">{fatal}</div>}
      <main
        className={layout.maximised ? "panes maximised" : "panes"}
        ref={layout.container}
        style={columns}
        data-testid="panes"
      >
        <ChatPanel
          appId={appId}
          sessionId={ws.sessionId}
          chat={state.chat}
          meter={state.meter}
          conn={state.conn.session}
          ready={!!ws.sessionId}
          onSend={ws.send}
          onCancel={ws.cancel}
          onNewSession={onNewSession}
          onOpenSession={openSession}
        />
        <Splitter
          label="Resize the chat"
          value={shown.chat}
          range={ranges.chat}
          direction={1}
          onChange={(v) => setPane("chat", v)}
          onReset={() => resetPane("chat")}
          testId="splitter-chat"
        />
        {sync ? (
          <EditorPanel
            appId={appId}
            files={state.files}
            history={state.history}
            sync={sync}
            statuses={statuses}
            notify={show}
          />
        ) : (
          <section className="pane editor-pane" />
        )}
        <Splitter
          label="Resize the preview"
          value={shown.preview}
          range={ranges.preview}
          direction={-1}
          onChange={(v) => setPane("preview", v)}
          onReset={() => resetPane("preview")}
          testId="splitter-preview"
        />
        {ws.appCaughtUp ? (
          <PreviewPanel
            appId={appId}
            versions={state.history.versions}
            pages={pages}
            device={layout.device}
            onDevice={layout.setDevice}
            maximised={layout.maximised}
            onToggleMaximised={layout.toggleMaximised}
            onAsk={ws.send}
          />
        ) : (
          <section className="pane preview"><div className="empty">Loading…</div></section>
        )}
      </main>
      <StatusBar seq={state.seq} conn={state.conn} chat={state.chat} history={state.history} />
      <Toasts toasts={toasts} onDismiss={dismiss} />
      {publishing && <PublishPanel remote={remote} history={state.history} onClose={() => setPublishing(false)} />}
    </div>
  );
}

/**
 * Wires the two logs of one app into the reducer: the app log (files, versions, commits)
 * and one session's log (the conversation: the newest at first, then any the vendor opens),
 * plus that session's HTTP record (its usage and context so far, for the meter).
 * Also performs the outbox: it sends what `nextToSend` (state/outbox.ts) names, whenever
 * that changes.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { LogConnection } from "../live/logConnection";
import { api } from "../lib/api";
import { debounce } from "../lib/tracked";
import { nextToSend } from "../state/outbox";
import { initialState, reducer } from "../state/reducer";

function newMessageId(): string {
  return crypto.randomUUID?.() ?? `m-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function useWorkspace(appId: string) {
  const [state, dispatch] = useReducer(reducer, initialState);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [appCaughtUp, setAppCaughtUp] = useState(false);
  const [setupError, setSetupError] = useState<string | null>(null);
  const sessionConn = useRef<LogConnection | null>(null);
  const shownSession = useRef(sessionId);
  shownSession.current = sessionId;
  const seqRef = useRef(state.seq);
  seqRef.current = state.seq;

  // The conversation: the newest session, or a new one.
  useEffect(() => {
    let live = true;
    (async () => {
      const sessions = await api.listSessions(appId);
      const id = sessions[0]?.id ?? (await api.createSession(appId)).id;
      if (live) setSessionId(id);
    })().catch((err: Error) => live && setSetupError(err.message));
    return () => {
      live = false;
    };
  }, [appId]);

  // The app log, plus the HTTP listings it refines.
  useEffect(() => {
    let live = true;
    api.listFiles(appId).then((files) => live && dispatch({ type: "files-loaded", files }), () => {});
    const conn = new LogConnection({
      log: { name: "app", id: appId },
      after: seqRef.current.app,
      onEvents: (events, through) => dispatch({ type: "events", log: "app", events, through }),
      onState: (conn) => dispatch({ type: "conn", log: "app", conn }),
      onCaughtUp: () => setAppCaughtUp(true),
    });
    return () => {
      live = false;
      conn.dispose();
    };
  }, [appId]);

  // Version numbers and messages come from the listing, refreshed after new versions.
  const head = state.history.versions[0];
  const headId = head?.id ?? null;
  const headNumbered = head?.number != null;
  useEffect(() => {
    let live = true;
    const load = debounce(() => {
      api.listVersions(appId).then((versions) => live && dispatch({ type: "versions-loaded", versions }), () => {});
    }, 250);
    if (!headNumbered) load.schedule();
    return () => {
      live = false;
      load.cancel();
    };
  }, [appId, headId, headNumbered]);

  // The session log.
  useEffect(() => {
    if (!sessionId) return undefined;
    const conn = new LogConnection({
      log: { name: "session", id: sessionId },
      after: seqRef.current.session,
      onEvents: (events, through) => dispatch({ type: "events", log: "session", events, through }),
      onState: (conn) => dispatch({ type: "conn", log: "session", conn }),
      onControl: (frame) => {
        if (frame.type !== "error" || !frame.error) return;
        const msgId = frame.client_msg_id;
        // `run_active`: the message stays queued and goes out when that run finishes.
        if (msgId && frame.error.code !== "run_active") {
          dispatch({ type: "rejected", clientMsgId: msgId, error: frame.error });
        } else if (!msgId) {
          dispatch({ type: "control-error", error: frame.error });
        }
      },
    });
    sessionConn.current = conn;
    return () => {
      sessionConn.current = null;
      conn.dispose();
    };
  }, [sessionId]);

  // The session's usage and context so far, for the meter until its log says more.
  useEffect(() => {
    if (!sessionId) return undefined;
    let live = true;
    api.session(sessionId).then(
      (detail) => live && shownSession.current === sessionId && dispatch({ type: "session-loaded", detail }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [sessionId]);

  const next = nextToSend(state.chat, state.conn.session);
  useEffect(() => {
    const conn = sessionConn.current;
    if (!conn || !next) return;
    const sentOn = conn.send({ type: "message", text: next.text, client_msg_id: next.clientMsgId });
    if (sentOn !== null) dispatch({ type: "sent", clientMsgId: next.clientMsgId, epoch: sentOn });
  }, [next]);

  const send = useCallback((text: string) => {
    dispatch({ type: "enqueue", text, clientMsgId: newMessageId() });
  }, []);

  const cancel = useCallback(() => {
    if (sessionConn.current?.send({ type: "cancel" }) != null) return;
    if (sessionId) api.cancel(sessionId).catch(() => {});
  }, [sessionId]);

  const newSession = useCallback(async () => {
    const { id } = await api.createSession(appId);
    dispatch({ type: "session-reset" });
    setSessionId(id);
  }, [appId]);

  // Another conversation: its log replays from the start over a connection of its own.
  const openSession = useCallback((id: string) => {
    if (shownSession.current === id) return;
    dispatch({ type: "session-reset" });
    setSessionId(id);
  }, []);

  return { state, sessionId, appCaughtUp, setupError, send, cancel, newSession, openSession };
}

/**
 * The one reducer that turns the two logs into UI state. It is pure: the same events, in
 * the same order, give the same state, whether they arrived live, after a reconnect's
 * resume, or on a fresh page load. Events at or below a log's last `seq` are ignored, so a
 * resend can never show anything twice.
 *
 * It only routes: the session log feeds the chat slice (`chat.ts`, with the outbox in
 * `outbox.ts`) and the meter slice (`meter.ts`); the app log feeds the files and history
 * slices. A slice no event changed keeps its identity, which is what lets each pane skip the
 * others' updates.
 *
 * A log's `seq` advances through events this client does not know (a newer server's): the
 * connection skips them and says how far it read (`through`), so they are neither shown nor
 * taken for a gap.
 */
import type { AppwrightEvent } from "../generated/events";
import { applySessionEvent, initialChat } from "./chat";
import { applyFileEvent, filesListed, initialFiles } from "./files";
import { applyHistoryEvent, initialHistory, versionsListed } from "./history";
import { applyMeterEvent, initialMeter, sessionLoaded } from "./meter";
import { enqueue, markSent, reject } from "./outbox";
import type { Action, ConnState, LogName, WorkspaceState } from "./types";

const connecting: ConnState = { status: "connecting", attempt: 0, error: null, epoch: 0 };

export const initialState: WorkspaceState = {
  seq: { session: 0, app: 0 },
  conn: { session: connecting, app: connecting },
  chat: initialChat,
  meter: initialMeter,
  files: initialFiles,
  history: initialHistory,
};

export function reducer(state: WorkspaceState, action: Action): WorkspaceState {
  switch (action.type) {
    case "events":
      return applyEvents(state, action.log, action.events, action.through ?? 0);
    case "conn":
      return { ...state, conn: { ...state.conn, [action.log]: action.conn } };
    case "control-error":
      return { ...state, chat: { ...state.chat, error: action.error } };
    case "enqueue":
      return { ...state, chat: enqueue(state.chat, action.clientMsgId, action.text) };
    case "sent":
      return { ...state, chat: markSent(state.chat, action.clientMsgId, action.epoch) };
    case "rejected":
      return { ...state, chat: reject(state.chat, action.clientMsgId, action.error) };
    case "files-loaded":
      return { ...state, files: filesListed(state.files, action.files) };
    case "versions-loaded":
      return { ...state, history: versionsListed(state.history, action.versions) };
    case "session-reset":
      // Queued messages go to the new conversation, on its own socket.
      return {
        ...state,
        seq: { ...state.seq, session: 0 },
        conn: { ...state.conn, session: connecting },
        chat: { ...initialChat, pending: state.chat.pending.map((p) => ({ ...p, sentOnEpoch: null })) },
        meter: initialMeter,
      };
    case "session-loaded": {
      const meter = sessionLoaded(state.meter, action.detail);
      return meter === state.meter ? state : { ...state, meter };
    }
  }
}

function applyEvents(state: WorkspaceState, log: LogName, events: AppwrightEvent[], through: number): WorkspaceState {
  let { chat, meter, files, history } = state;
  let last = state.seq[log];
  for (const ev of events) {
    if (ev.seq <= last) continue;
    last = ev.seq;
    if (log === "session") {
      chat = applySessionEvent(chat, ev);
      meter = applyMeterEvent(meter, ev);
    } else {
      files = applyFileEvent(files, ev);
      history = applyHistoryEvent(history, ev);
    }
  }
  last = Math.max(last, through);
  if (last === state.seq[log]) return state;
  return { ...state, seq: { ...state.seq, [log]: last }, chat, meter, files, history };
}

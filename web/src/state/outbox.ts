/**
 * The outbox: messages the vendor sent that the session log does not show yet.
 *
 * The rule, whole:
 * - A message is queued with a `client_msg_id` of its own and shown as pending.
 * - The oldest queued message goes out over the session socket while no run is active (the
 *   server would refuse a second), once per socket: a socket that closes may have taken the
 *   frame with it (the process it reached can die before committing), so every new socket
 *   (a new `epoch`) sends it again, with the same id.
 * - The `run.started` carrying its id settles it: it leaves the queue in the same step that
 *   puts its run on screen, so it is never shown twice and never sent again. The server starts
 *   nothing for an id it has seen, so a resend whose first copy did arrive is harmless.
 * - A refusal drops it and says why, except `run_active` (someone else's run got in first):
 *   it stays queued, and every queued message goes out again when a run finishes.
 *
 * Pure functions over the chat slice; `useWorkspace` only performs what `nextToSend` says.
 */
import type { ErrorInfo, EventOf } from "../generated/events";
import type { ChatState, ConnState, PendingMessage } from "./types";

/** The message to send now over the session socket, if any. */
export function nextToSend(chat: ChatState, conn: ConnState): PendingMessage | null {
  if (conn.status !== "open" || chat.activeRunId !== null) return null;
  const oldest = chat.pending[0];
  return oldest && oldest.sentOnEpoch !== conn.epoch ? oldest : null;
}

export function enqueue(chat: ChatState, clientMsgId: string, text: string): ChatState {
  return { ...chat, error: null, pending: [...chat.pending, { clientMsgId, text, sentOnEpoch: null }] };
}

export function markSent(chat: ChatState, clientMsgId: string, epoch: number): ChatState {
  return {
    ...chat,
    pending: chat.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, sentOnEpoch: epoch } : p)),
  };
}

export function reject(chat: ChatState, clientMsgId: string, error: ErrorInfo): ChatState {
  return { ...chat, error, pending: chat.pending.filter((p) => p.clientMsgId !== clientMsgId) };
}

/** Drops the message this run answers; a run started by another client settles nothing. */
export function settle(pending: PendingMessage[], ev: EventOf<"run.started">): PendingMessage[] {
  const id = ev.client_msg_id;
  if (!id || !pending.some((p) => p.clientMsgId === id)) return pending;
  return pending.filter((p) => p.clientMsgId !== id);
}

/** A run finished: a message refused while it ran goes out again. */
export function resendAll(pending: PendingMessage[]): PendingMessage[] {
  return pending.some((p) => p.sentOnEpoch !== null) ? pending.map((p) => ({ ...p, sentOnEpoch: null })) : pending;
}

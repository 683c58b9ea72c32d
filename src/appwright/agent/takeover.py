"""Taking a run over from a process that stopped, and repairing what it left half-done.

A process that stops (killed, crashed, or paused until its lease ran out) leaves its run
`running`, its log possibly mid-turn: tools announced by `tool.started` that will never
finish, the text of a model call that will never complete, perhaps a turn whose edits were
applied but which was never saved (`open_turn.py`). The process that takes the run over
does all of this in ONE transaction, before it runs anything:

1. claims the run (`store/leases.py`: a conditional update, so one claimer wins, and the
   new epoch fences the old owner's writes from now on);
2. closes an open turn: its message and results join the conversation, the turn counts as
   done, and the model is never asked for it again (its edits are applied exactly once);
3. appends to the session log a `tool.finished` for every `tool.started` of the run that
   has none: the recorded outcome for an edit of the closed open turn, `cancelled` ("the
   server running it stopped") for anything else; a `file.updated` for a version whose
   events were lost with the process;
4. appends `run.resumed` with the turn about to run, unless the run is to end instead (taken
   over too often, cancelled meanwhile, or its last turn already done and only its end
   lost); those end with their single `run.finished` right after.

`run.resumed` tells a client that the text since the latest `turn.started` belongs to an
attempt that was abandoned. When that text belongs to a turn that was in fact completed,
the repair first appends a `turn.started` for the turn about to run, so that the rule holds
exactly: the log then reads `turn.started(n) run.resumed(n) turn.started(n) ...`, as it does
when the abandoned attempt was turn n itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appwright.agent import stops
from appwright.agent.open_turn import OpenTurn
from appwright.events.mapping import file_updates
from appwright.events.types import (
    RunResumed,
    ToolFinished,
    TurnStarted,
    _Event,
)
from appwright.journal.journal import Transaction
from appwright.log_names import session_log
from appwright.store import leases, logs
from appwright.store import sessions as session_store
from appwright.store import usage as usage_store

# A run whose process keeps dying (perhaps because of the run) is not resumed forever.
MAX_TAKEOVERS = 3
STOPPED = "The server running it stopped before it finished."


@dataclass(frozen=True)
class Takeover:
    run: session_store.RunRecord  # as it stands after the repair
    session: session_store.SessionRecord
    lease: leases.Lease
    resumed: bool  # False: the run is to end now, not run again
    abandoned: bool  # taken over too often


async def take_over(
    tx: Transaction, run_id: str, owner: str, moment: datetime, until: datetime
) -> Takeover | None:
    """Claim `run_id` if its lease has expired, and repair it (see the module docstring);
    None when another process holds or took it. The repair's events are appended in `tx`
    and published by the journal once it commits."""
    conn = tx.conn
    lease = await leases.claim(conn, run_id, owner, moment, until)
    if lease is None:
        return None
    run = await session_store.get_run(conn, run_id)
    session = await session_store.get_session(conn, run.session_id, None)
    open_turn = OpenTurn.from_json(run.open_turn) if run.open_turn else None
    if open_turn is not None:
        if open_turn.turn == run.turns + 1:
            await session_store.append_messages(conn, session.id, run.id, open_turn.closed())
            await session_store.update_run(conn, run.id, turns=open_turn.turn, open_turn=None)
        else:  # saved after all; nothing to close
            await session_store.update_run(conn, run.id, open_turn=None)
        run = await session_store.get_run(conn, run_id)
    abandoned = run.takeovers > MAX_TAKEOVERS
    last = await session_store.last_message(conn, session.id)
    last_stop = await usage_store.last_stop_reason(conn, run.id)
    resumed = not (abandoned or run.cancel_requested or stops.ended(run.turns, last, last_stop))
    log_name = session_log(session.id)
    repair = repair_events(
        await logs.read_run(conn, log_name, run.id),
        run_id=run.id,
        open_turn=open_turn,
        resume_turn=run.turns + 1 if resumed else None,
        moment=moment,
    )
    await tx.append(log_name, repair)
    return Takeover(run, session, lease, resumed, abandoned)


def repair_events(
    run_events: list[dict[str, Any]],
    *,
    run_id: str,
    open_turn: OpenTurn | None,
    resume_turn: int | None,
    moment: datetime,
) -> list[_Event]:
    """What the log of a run taken over needs, in order, before the run goes on or ends."""
    repair: list[_Event] = []
    for started in unfinished_tools(run_events):
        edit = open_turn.outcome(started["tool_id"]) if open_turn else None
        repair.append(
            ToolFinished(
                tool_id=started["tool_id"],
                name=started["name"],
                status="cancelled" if edit is None else ("ok" if edit.ok else "error"),
                duration_ms=_elapsed_ms(started["ts"], moment),
                summary=STOPPED if edit is None else edit.summary,
                run_id=run_id,
            )
        )
    version_id = open_turn.edits.version_id if open_turn else None
    if open_turn is not None and version_id is not None:
        reported = any(
            e["type"] == "file.updated" and e["version_id"] == version_id for e in run_events
        )
        if not reported:
            repair.extend(file_updates(version_id, open_turn.edits.changed, run_id))
    if resume_turn is not None:
        turns = [e["turn"] for e in run_events if e["type"] == "turn.started"]
        if turns and turns[-1] != resume_turn:
            repair.append(TurnStarted(turn=resume_turn, run_id=run_id))
        repair.append(RunResumed(turn=resume_turn, run_id=run_id))
    return repair


def unfinished_tools(run_events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `tool.started` events without a `tool.finished`, in order. A call id can start
    more than once (a turn asked again gets the same ids from some providers); each
    `tool.finished` closes the earliest open start of its id."""
    open_starts: list[dict[str, Any]] = []
    for event in run_events:
        if event["type"] == "tool.started":
            open_starts.append(event)
        elif event["type"] == "tool.finished":
            for i, started in enumerate(open_starts):
                if started["tool_id"] == event["tool_id"]:
                    del open_starts[i]
                    break
    return open_starts


def _elapsed_ms(ts: str, moment: datetime) -> int:
    started = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return max(0, int((moment.astimezone(UTC) - started).total_seconds() * 1000))

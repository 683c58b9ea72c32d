"""Runs whose process stopped: found by their expired lease, their log repaired in the same
transaction as the claim (tools closed, `run.resumed`), resumed from the last completed turn,
or ended `server_restarted` when they keep taking processes down with them. And a process
that was only paused: once another took its run over, it writes nothing more."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from appwright.agent import takeover
from appwright.agent.open_turn import STOPPED_FOR_MODEL
from appwright.events.types import RunStarted, TextDelta, ToolFinished, ToolStarted, TurnStarted
from appwright.journal.journal import Transaction
from appwright.log_names import session_log
from appwright.models.types import Message, TextPart, ToolCallPart, ToolResultPart
from appwright.store import sessions as session_store
from appwright.store.ids import now
from appwright.store.schema import runs
from appwright.testing.fake_search import FakeSearch
from appwright.testing.scripted_model import Fault, ScriptedModel, Turn, text, tool

SITE = {"index.html": "<p>x</p>"}
HELLO = Message(role="user", parts=(TextPart("hello"),))


async def orphan(
    h: Any,
    takeovers: int = 0,
    events: tuple[Any, ...] = (),
    saved: tuple[Message, ...] = (),
) -> tuple[str, str]:
    """A run left `running` by a process that died: its lease ran out long ago. `events`
    follow its `run.started` in the log; `saved` are the turns it completed."""
    app_id = await h.app(SITE)
    session_id = await h.session(app_id)

    async def work(conn: Any) -> str:
        run = await session_store.insert_run(conn, session_id, "hello", None, "proc_dead")
        await conn.execute(
            sa.update(runs)
            .where(runs.c.id == run.id)
            .values(
                lease_until=now() - timedelta(minutes=5),
                takeovers=takeovers,
                turns=sum(m.role == "assistant" for m in saved),
            )
        )
        await session_store.append_messages(conn, session_id, run.id, [HELLO, *saved])
        await Transaction(conn).append(
            session_log(session_id),
            [RunStarted(text="hello", run_id=run.id)]
            + [e.model_copy(update={"run_id": run.id}) for e in events],
        )
        return run.id

    return session_id, await h.runtime.db.run(work)


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


# A tool left running, then the repair (one transaction, before anything the new owner
# does), then the turn asked again to the end.
CLOSED_AND_RESUMED = [
    "tool.started",
    "tool.finished",
    "run.resumed",
    "turn.started",
    "text.delta",
    "model.usage",
    "run.finished",
]
# The latest turn was completed: the repair starts the next one, then resumes at it.
NEXT_TURN_RESUMED = [
    "turn.started",
    "run.resumed",
    "turn.started",
    "text.delta",
    "model.usage",
    "run.finished",
]
HALF_TURN = (
    TurnStarted(turn=1),
    TextDelta(text="Let me look"),
    ToolStarted(tool_id="toolu_a", name="web_search", input={"query": "q"}),
)


async def test_an_orphaned_run_is_resumed_and_completes(harness) -> None:
    model = ScriptedModel([Turn([text("Resumed and done.")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=0)
    end = await h.finished(session_id, run_id)
    assert end["status"] == "completed"
    deltas = "".join(e["text"] for e in await h.events(session_id) if e["type"] == "text.delta")
    assert deltas == "Resumed and done."
    assert (await h.send(session_id, "next")).status_code == 202


async def test_tools_left_running_are_closed_before_the_run_resumes(harness) -> None:
    model = ScriptedModel([Turn([text("Second try.")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, events=HALF_TURN)
    await h.finished(session_id, run_id)
    events = await h.events(session_id)
    assert kinds(events) == ["run.started", "turn.started", "text.delta", *CLOSED_AND_RESUMED]
    closed, resumed = events[4], events[5]
    assert (closed["tool_id"], closed["name"], closed["status"]) == (
        "toolu_a",
        "web_search",
        "cancelled",
    )
    assert closed["summary"] == takeover.STOPPED
    assert (resumed["reason"], resumed["turn"]) == ("server_restarted", 1)
    # The text since the latest turn.started before run.resumed was the abandoned attempt.
    assert events[6]["turn"] == 1 and events[7]["text"] == "Second try."
    assert events[-1]["status"] == "completed"


async def test_a_completed_turn_is_not_abandoned_by_the_resumption(harness) -> None:
    """The process died after saving turn 1 and before starting turn 2: turn 1's text is
    kept, so the repair starts turn 2 before `run.resumed` (clients drop only the text since
    the latest turn.started)."""
    model = ScriptedModel([Turn([text("never asked")]), Turn([text("Turn two.")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    call = ToolCallPart("toolu_a", "list_files", {})
    saved = (
        Message(role="assistant", parts=(TextPart("Looking."), call)),
        Message(role="user", parts=(ToolResultPart("toolu_a", "index.html (8 bytes)"),)),
    )
    done = ToolFinished(
        tool_id="toolu_a", name="list_files", status="ok", duration_ms=1, summary="Listed 1 files"
    )
    logged = (
        TurnStarted(turn=1),
        TextDelta(text="Looking."),
        HALF_TURN[2].model_copy(update={"name": "list_files", "input": {}}),
        done,
    )
    session_id, run_id = await orphan(h, events=logged, saved=saved)
    await h.finished(session_id, run_id)
    events = await h.events(session_id)
    assert kinds(events)[5:] == NEXT_TURN_RESUMED
    assert [events[5]["turn"], events[6]["turn"], events[7]["turn"]] == [2, 2, 2]
    assert len(model.requests) == 1, "turn 1 is not asked again"


async def test_a_run_taken_over_too_often_ends_server_restarted(harness) -> None:
    model = ScriptedModel([Turn([text("never")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=3, events=HALF_TURN)
    end = await h.finished(session_id, run_id)
    assert (end["status"], end["error"]["code"]) == ("failed", "server_restarted")
    assert model.requests == []
    events = await h.events(session_id)
    assert kinds(events)[3:] == ["tool.started", "tool.finished", "run.finished"]
    assert events[4]["status"] == "cancelled"


async def test_a_cancel_recorded_while_ownerless_is_honoured_on_takeover(harness) -> None:
    model = ScriptedModel([Turn([text("never")], delay=1)])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=0)

    async def request_cancel(conn: Any) -> None:
        await conn.execute(sa.update(runs).where(runs.c.id == run_id).values(cancel_requested=True))

    await h.runtime.db.run(request_cancel)
    end = await h.finished(session_id, run_id)
    assert end["status"] == "cancelled"
    assert "run.resumed" not in kinds(await h.events(session_id))


# --- a process paused past its lease, and the one that took its run over ----------------------

# The first process renews its lease once at start and never again (it is "paused"); its
# runs' leases run out after 0.2 s.
PAUSED = {"run_lease_seconds": 0.2, "run_heartbeat_seconds": 3600, "timeout_model_idle": 60}


async def log_has(h: Any, session_id: str, predicate: Any, timeout: float = 10) -> list[dict]:
    """The session's log once an event matches `predicate` (the run may be on any process)."""
    async with asyncio.timeout(timeout):
        while True:
            events = await h.events(session_id)
            if any(predicate(e) for e in events):
                return events
            await asyncio.sleep(0.02)


async def idle(h: Any) -> None:
    async with asyncio.timeout(10):
        while h.runtime.runs.active:
            await asyncio.sleep(0.02)


async def versions(h: Any, app_id: str) -> list[dict[str, Any]]:
    r = await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)
    return r.json()


async def test_an_edit_applied_before_the_process_stopped_is_never_applied_again(
    harness,
) -> None:
    gate = asyncio.Event()
    edit = tool("apply_edit", filepath="index.html", old_code="x", new_code="x, and more x")
    first = await harness(
        ScriptedModel([Turn([text("Both at once."), tool("web_search", query="q"), edit])]),
        FakeSearch(gate=gate),
        **PAUSED,
    )
    app_id = await first.app(SITE)
    session_id = await first.session(app_id)
    run_id = (await first.send(session_id, "more x")).json()["run_id"]
    await log_has(first, session_id, lambda e: e["type"] == "file.updated")
    # The edit is applied; the search of the same turn is still running when the lease
    # runs out and another process takes the run over.
    second_model = ScriptedModel([Turn([text("must not be asked")]), Turn([text("Done.")])])
    second = await harness(second_model, run_heartbeat_seconds=0.05)
    events = await log_has(first, session_id, lambda e: e["type"] == "run.finished")
    gate.set()  # the paused process wakes up, its search done
    await idle(first)

    assert [v["source"] for v in await versions(first, app_id)] == ["ai", "initial"]
    assert await first.file(app_id, "index.html") == "<p>x, and more x</p>"
    # The model was asked for the next turn, with the first turn's results: the edit's own,
    # and "stopped" for the search.
    assert len(second_model.requests) == 1
    results = second_model.requests[0].messages[-1].parts
    assert [(r.content == STOPPED_FOR_MODEL, r.is_error) for r in results] == [
        (True, True),
        (False, False),
    ]
    searched = next(e for e in events if e["type"] == "tool.started" and e["name"] == "web_search")
    closing = [
        e for e in events if e["type"] == "tool.finished" and e["tool_id"] == searched["tool_id"]
    ]
    assert [(e["status"], e["summary"]) for e in closing] == [("cancelled", takeover.STOPPED)]
    assert kinds(events)[-len(NEXT_TURN_RESUMED) :] == NEXT_TURN_RESUMED
    assert events[-1]["run_id"] == run_id and events[-1]["status"] == "completed"
    # The paused process, awake, wrote nothing more.
    assert await first.events(session_id) == events
    assert second.runtime.runs.active == {}


async def test_a_paused_process_that_lost_its_run_writes_nothing_more(harness) -> None:
    resume = asyncio.Event()
    # The first process pauses mid-stream, right after announcing a web search and before
    # the edit of the same message.
    first_model = ScriptedModel(
        [
            Turn(
                [
                    text("Mine."),
                    tool("web_search", query="hang"),
                    tool("apply_edit", filepath="index.html", old_code="x", new_code="first"),
                ],
                faults=[Fault(attempt=1, after=4, resume=resume)],
            )
        ]
    )
    first = await harness(first_model, **PAUSED)
    app_id = await first.app(SITE)
    session_id = await first.session(app_id)
    await first.send(session_id, "go")
    await log_has(first, session_id, lambda e: e["type"] == "tool.started")
    second = await harness(ScriptedModel([Turn([text("Taken over.")])]), run_heartbeat_seconds=0.05)
    events = await log_has(first, session_id, lambda e: e["type"] == "run.finished")
    resume.set()  # the first process wakes up and finishes streaming its message
    await idle(first)

    assert await first.events(session_id) == events, "nothing appended after waking"
    assert [v["source"] for v in await versions(first, app_id)] == ["initial"]
    assert await first.file(app_id, "index.html") == "<p>x</p>"
    assert kinds(events)[3:] == CLOSED_AND_RESUMED
    assert events[-1]["status"] == "completed"
    assert second.runtime.runs.active == {}
    lost = first.runtime.metrics.render().decode()
    assert 'appwright_run_takeovers_total{outcome="lost"} 1.0' in lost

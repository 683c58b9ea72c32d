"""The journal's promise: what a unit of work appends is published after its transaction
commits, log by log in order, and a unit that rolls back publishes nothing (a live
subscriber never sees an event a reader of the log could not)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from appwright.errors import Conflict
from appwright.events.bus import InProcessBus
from appwright.events.types import TextDelta, ToolStarted, Wire
from appwright.journal.journal import Journal, Transaction
from appwright.log_names import session_log
from appwright.runtime import Runtime
from appwright.store import logs


class WitnessBus(InProcessBus):
    """Records each publish with what a separate reader of the log held at that moment."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self.published: list[tuple[str, list[Wire], list[Wire]]] = []

    async def publish(self, log_name: str, events: list[Wire]) -> None:
        visible = await self.runtime.db.read(lambda conn: logs.read(conn, log_name, 0))
        self.published.append((log_name, events, visible))


async def new_log(runtime: Runtime) -> str:
    name = session_log(f"ses_{uuid.uuid4().hex[:20]}")
    await runtime.db.run(lambda conn: logs.create_log(conn, name))
    return name


async def test_appended_events_are_published_once_committed_log_by_log(runtime: Runtime) -> None:
    first, second = await new_log(runtime), await new_log(runtime)
    bus = WitnessBus(runtime)
    journal = Journal(runtime.db, bus)

    async def work(tx: Transaction) -> str:
        await tx.append(first, [TextDelta(text="a", run_id="run_1")])
        await tx.append(second, [ToolStarted(tool_id="t1", name="list_files", input={})])
        await tx.append(first, [TextDelta(text="b", run_id="run_1")])
        return "done"

    assert await journal.commit(work) == "done"
    assert [(name, [e["seq"] for e in events]) for name, events, _ in bus.published] == [
        (first, [1, 2]),
        (second, [1]),
    ]
    for _name, events, visible in bus.published:
        assert visible == events  # already readable from the log when published
    assert [e["text"] for e in bus.published[0][1]] == ["a", "b"]


async def test_a_unit_that_rolls_back_publishes_nothing_and_leaves_no_event(
    runtime: Runtime,
) -> None:
    name = await new_log(runtime)
    bus = WitnessBus(runtime)
    journal = Journal(runtime.db, bus)

    async def work(tx: Transaction) -> Any:
        await tx.append(name, [TextDelta(text="never", run_id="run_1")])
        raise Conflict("changed meanwhile", code="conflict")

    with pytest.raises(Conflict):
        await journal.commit(work)
    assert bus.published == []
    assert await journal.read(name, 0) == []

    async def next_work(tx: Transaction) -> None:
        await tx.append(name, [TextDelta(text="after", run_id="run_1")])

    await journal.commit(next_work)
    [(_name, events, _visible)] = bus.published
    assert [(e["seq"], e["text"]) for e in events] == [(1, "after")]  # no gap left behind

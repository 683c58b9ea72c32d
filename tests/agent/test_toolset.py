"""The tool set on its own (no database, no HTTP): reads start as their calls complete in
the stream and run side by side; edits wait for the whole message and are applied as one
batch in the model's order; a cancel stops the reads and lets an edit under way land and be
reported truthfully."""

from __future__ import annotations

import asyncio

from appwright.agent.parallel import ToolSet
from appwright.events.types import FileUpdated, ToolFinished, ToolStarted, _Event
from appwright.models.types import Message, ToolCallPart
from appwright.testing.toolbox import GatedToolBox


def call(call_id: str, name: str, **tool_input: object) -> ToolCallPart:
    return ToolCallPart(id=call_id, name=name, input=dict(tool_input))


def message(*calls: ToolCallPart) -> Message:
    return Message(role="assistant", parts=calls)


def toolset(box: GatedToolBox, emitted: list[_Event], **kw: object) -> ToolSet:
    return ToolSet(box, emitted.append, "run_1", **kw)  # type: ignore[arg-type]


async def test_reads_start_as_their_calls_complete_and_run_side_by_side() -> None:
    box, emitted = GatedToolBox(open_reads=False), []
    tools = toolset(box, emitted)
    first = call("c1", "get_current_code", filepath="a.html")
    second = call("c2", "list_files")
    tools.on_call(first)
    tools.on_call(second)
    while len(box.started) < 2:  # both started, before the message is even complete
        await asyncio.sleep(0)
    assert box.most_at_once == 2
    box.release(1)  # the second finishes first ...
    box.release(0)
    outcomes = await tools.complete(1, message(first, second))
    # ... but outcomes come back in the order the model made the calls
    assert [o.call.id for o in outcomes] == ["c1", "c2"]
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert [type(e) for e in emitted[:2]] == [ToolStarted, ToolStarted]


async def test_edits_wait_for_the_message_and_apply_as_one_batch_in_order() -> None:
    box, emitted, edited = GatedToolBox(), [], ["old.css"]
    tools = toolset(box, emitted, edited_paths=edited)
    calls = [
        call("c1", "apply_edit", filepath="b.html", old_code="x", new_code="y"),
        call("c2", "list_files"),
        call("c3", "apply_edit", filepath="a.css", old_code="red", new_code="blue"),
        call("c4", "delete_file", filepath="old.css"),
    ]
    for each in calls:
        tools.on_call(each)
    assert box.edit_batches == []  # no edit before the message is complete
    outcomes = await tools.complete(1, message(*calls))
    assert [o.call.id for o in outcomes] == ["c1", "c2", "c3", "c4"]
    assert [[call_id for call_id, _ in batch] for batch in box.edit_batches] == [["c1", "c3", "c4"]]
    updates = [e for e in emitted if isinstance(e, FileUpdated)]
    assert [(u.path, u.deleted, u.version_id) for u in updates] == [
        ("a.css", False, "ver_1"),
        ("b.html", False, "ver_1"),
        ("old.css", True, "ver_1"),
    ]
    assert edited == ["old.css", "a.css", "b.html"]  # the run's one list, grown in place


async def test_a_bad_call_is_answered_at_once_and_runs_nothing() -> None:
    box, emitted = GatedToolBox(), []
    tools = toolset(box, emitted)
    bad = call("c1", "no_such_tool")
    tools.on_call(bad)
    [outcome] = await tools.complete(1, message(bad))
    assert outcome.status == "error" and "no_such_tool" in outcome.content
    assert box.started == [] and box.edit_batches == []


async def test_cancel_stops_reads_and_an_edit_under_way_lands_and_is_reported() -> None:
    box, emitted = GatedToolBox(open_reads=False, edit_delay=0.05), []
    tools = toolset(box, emitted, drain_timeout=2.0)
    read = call("c1", "get_current_code", filepath="a.html")
    edit = call("c2", "apply_edit", filepath="a.html", old_code="a", new_code="b")
    tools.on_call(read)
    tools.on_call(edit)
    completing = asyncio.create_task(tools.complete(1, message(read, edit)))
    while not box.edit_batches:  # the edit batch is under way
        await asyncio.sleep(0)
    completing.cancel()
    await tools.cancel("cancelled", "Stopped before it finished.")
    finished = {e.tool_id: e.status for e in emitted if isinstance(e, ToolFinished)}
    assert finished == {"c1": "cancelled", "c2": "ok"}
    assert [e.path for e in emitted if isinstance(e, FileUpdated)] == ["a.html"]
    outcomes = tools.outcomes_so_far([read, edit], "cancelled", "Stopped before it finished.")
    assert [o.status for o in outcomes] == ["cancelled", "ok"]

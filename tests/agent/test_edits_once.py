"""A turn's file changes are written once, whatever happens to the answer of the write: a
write attempted again after its commit landed writes nothing, and an edit stopped at its
deadline after its commit landed is reported as applied."""

from __future__ import annotations

import asyncio
from typing import Any

from appwright.agent.journal import RunJournal
from appwright.agent.toolbox import AppToolBox
from appwright.agent.tools import ApplyEdit
from appwright.models.types import Message, ToolCallPart
from appwright.store import leases
from appwright.store import sessions as session_store
from appwright.testing.fake_search import FakeSearch
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool

SITE = {"index.html": "<ul>\n<!-- end -->\n</ul>\n"}
ITEM = {
    "filepath": "index.html",
    "old_code": "<!-- end -->",
    "new_code": "<li>one</li>\n<!-- end -->",
}


async def test_the_same_turns_edits_written_twice_apply_once(idle_runtime) -> None:
    vendor, _token = await idle_runtime.workspace.create_vendor("v")
    app = await idle_runtime.workspace.create_app(vendor.id, "a", SITE)
    session = await idle_runtime.sessions.create_session(vendor.id, app.id)

    async def insert(conn: Any) -> session_store.RunRecord:
        return await session_store.insert_run(conn, session.id, "add", None, "proc_a")

    run = await idle_runtime.db.run(insert)
    journal = RunJournal(
        idle_runtime.db,
        idle_runtime.bus,
        session.id,
        leases.Lease(run.id, "proc_a", 0),
        lease_seconds=10,
    )
    toolbox = AppToolBox(
        idle_runtime.settings,
        idle_runtime.workspace,
        FakeSearch(),
        vendor_id=vendor.id,
        app_id=app.id,
        journal=journal,
        request_text="add",
    )
    message = Message(role="assistant", parts=(ToolCallPart("c1", "apply_edit", ITEM),))
    ops = [("c1", ApplyEdit(**ITEM))]
    first = await toolbox.apply_edits(ops, turn=1, message=message)
    again = await toolbox.apply_edits(ops, turn=1, message=message)  # as a retried write
    assert again == first and first.version_id is not None
    content = (await idle_runtime.workspace.file(vendor.id, app.id, "index.html")).content
    assert content.count("<li>one</li>") == 1
    versions = await idle_runtime.workspace.versions(vendor.id, app.id)
    assert [v.source for v in versions] == ["ai", "initial"]
    next_turn = await toolbox.apply_edits(ops, turn=2, message=message)
    assert next_turn.version_id not in (None, first.version_id), "another turn edits anew"


async def test_an_edit_whose_answer_comes_after_its_deadline_is_reported_applied(harness) -> None:
    model = ScriptedModel([Turn([tool("apply_edit", **ITEM)]), Turn([text("Added.")])])
    h = await harness(model, timeout_file_op=1.0)
    app_id = await h.app(SITE)
    session_id = await h.session(app_id)
    bus = h.runtime.bus
    publish = bus.publish

    async def slow_for_apps(log: str, events: list[dict[str, Any]]) -> None:
        if log.startswith("app:"):  # the edit has committed; its answer is late
            await asyncio.sleep(3)
        await publish(log, events)

    bus.publish = slow_for_apps  # type: ignore[method-assign]
    end = await h.run(session_id, "add one", timeout=20)
    bus.publish = publish  # type: ignore[method-assign]

    assert end["status"] == "completed"
    events = await h.events(session_id)
    (edit,) = [e for e in events if e["type"] == "tool.finished"]
    assert edit["status"] == "ok", edit["summary"]
    r = await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)
    (version, _initial) = r.json()
    assert [e["version_id"] for e in events if e["type"] == "file.updated"] == [version["id"]]
    assert (await h.file(app_id, "index.html")).count("<li>one</li>") == 1

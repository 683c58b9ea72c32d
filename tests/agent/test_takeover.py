"""Runs whose process died: found by their expired lease, resumed from the last completed
turn, or ended `server_restarted` when they keep taking processes down with them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from appwright.events import log as event_log
from appwright.events.types import RunStarted
from appwright.models.testing import ScriptedModel, Turn, text
from appwright.models.types import Message, TextPart
from appwright.store import sessions as session_store
from appwright.store.ids import now
from appwright.store.schema import runs

SITE = {"index.html": "<p>x</p>"}


async def orphan(h: Any, takeovers: int) -> tuple[str, str]:
    """A run left `running` by a process that died: its lease ran out long ago."""
    app_id = await h.app(SITE)
    session_id = await h.session(app_id)

    async def work(conn: Any) -> str:
        run = await session_store.insert_run(conn, session_id, "hello", None, "proc_dead")
        await conn.execute(
            sa.update(runs)
            .where(runs.c.id == run.id)
            .values(lease_until=now() - timedelta(minutes=5), takeovers=takeovers)
        )
        await session_store.append_messages(
            conn, session_id, run.id, [Message(role="user", parts=(TextPart("hello"),))]
        )
        await event_log.append(
            conn, event_log.session_log(session_id), [RunStarted(text="hello", run_id=run.id)]
        )
        return run.id

    return session_id, await h.runtime.db.run(work)


async def test_an_orphaned_run_is_resumed_and_completes(harness) -> None:
    model = ScriptedModel([Turn([text("Resumed and done.")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=0)
    end = await h.finished(session_id, run_id)
    assert end["status"] == "completed"
    deltas = "".join(e["text"] for e in await h.events(session_id) if e["type"] == "text.delta")
    assert deltas == "Resumed and done."
    assert (await h.send(session_id, "next")).status_code == 202


async def test_a_run_taken_over_too_often_ends_server_restarted(harness) -> None:
    model = ScriptedModel([Turn([text("never")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=3)
    end = await h.finished(session_id, run_id)
    assert (end["status"], end["error"]["code"]) == ("failed", "server_restarted")
    assert model.requests == []


async def test_a_cancel_recorded_while_ownerless_is_honoured_on_takeover(harness) -> None:
    model = ScriptedModel([Turn([text("never")], delay=1)])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan(h, takeovers=0)

    async def request_cancel(conn: Any) -> None:
        await conn.execute(sa.update(runs).where(runs.c.id == run_id).values(cancel_requested=True))

    await h.runtime.db.run(request_cancel)
    end = await h.finished(session_id, run_id)
    assert end["status"] == "cancelled"

"""A run resumed by another process keeps what the first one knew: the usage it recorded,
and how its last turn ended (a paused turn goes on; a refused one stays refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from appwright.events.types import RunStarted
from appwright.journal.journal import Transaction
from appwright.log_names import session_log
from appwright.models.types import Message, TextPart, Usage
from appwright.store import sessions as session_store
from appwright.store import usage as usage_store
from appwright.store.ids import now
from appwright.store.schema import runs
from appwright.testing.scripted_model import ScriptedModel, Turn, text


async def orphan_after_one_turn(h: Any, stop_reason: str, said: str) -> tuple[str, str]:
    """A run whose process died right after its first turn was saved and recorded."""
    session_id = await h.session(await h.app({"index.html": "<p>x</p>"}))

    async def work(conn: Any) -> str:
        run = await session_store.insert_run(conn, session_id, "find it", None, "proc_dead")
        await conn.execute(
            sa.update(runs)
            .where(runs.c.id == run.id)
            .values(lease_until=now() - timedelta(minutes=5), turns=1)
        )
        conversation = [
            Message(role="user", parts=(TextPart("find it"),)),
            Message(role="assistant", parts=(TextPart(said),)),
        ]
        await session_store.append_messages(conn, session_id, run.id, conversation)
        await usage_store.record_call(
            conn,
            usage_store.CallRecord(
                run_id=run.id,
                session_id=session_id,
                model="claude-sonnet-4-5",
                turn=1,
                purpose="turn",
                usage=Usage(input_tokens=1000, output_tokens=50),
                cost_usd=0.00375,
                stop_reason=stop_reason,
                context_messages=1,
            ),
        )
        await Transaction(conn).append(
            session_log(session_id), [RunStarted(text="find it", run_id=run.id)]
        )
        return run.id

    return session_id, await h.runtime.db.run(work)


async def test_a_paused_turn_goes_on_after_a_takeover_and_its_usage_counts(harness) -> None:
    model = ScriptedModel([Turn([text("unused")]), Turn([text(" and found it.")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan_after_one_turn(h, "pause_turn", "Searching")
    end = await h.finished(session_id, run_id)
    assert end["status"] == "completed"
    assert model.requests[0].messages[-1] == Message("assistant", (TextPart("Searching"),))
    assert end["usage"]["input_tokens"] > 1000 and end["usage"]["output_tokens"] > 50
    assert end["usage"]["cost_usd"] > 0.00375


async def test_a_refused_turn_stays_refused_after_a_takeover(harness) -> None:
    model = ScriptedModel([Turn([text("never")])])
    h = await harness(model, run_heartbeat_seconds=0.05)
    session_id, run_id = await orphan_after_one_turn(h, "refusal", "I can't help with that.")
    end = await h.finished(session_id, run_id)
    assert (end["status"], end["error"]["code"]) == ("failed", "model_refused")
    assert model.requests == []
    assert end["usage"]["input_tokens"] == 1000

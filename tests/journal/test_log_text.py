"""The journal never holds what it cannot give back: events written through the recorder
with any text at all read back as valid text (on SQLite and PostgreSQL), and a row poisoned
before the rule existed does not make its log unreadable."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from appwright import text as text_rule
from appwright.events.types import TextDelta, ToolFinished, ToolStarted
from appwright.journal.recorder import Recorder
from appwright.log_names import session_log
from appwright.runtime import Runtime
from appwright.store import logs
from appwright.store.schema import events as events_table
from hostile import hostile_json, hostile_text


async def new_log(runtime: Runtime) -> str:
    name = session_log(f"ses_{uuid.uuid4().hex[:20]}")

    async def work(conn: Any) -> None:
        await logs.create_log(conn, name)

    await runtime.db.run(work)
    return name


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(said=hostile_text, tool_input=hostile_json, name=hostile_text)
async def test_whatever_is_recorded_reads_back_valid(
    runtime: Runtime, said: str, tool_input: Any, name: str
) -> None:
    log_name = await new_log(runtime)
    recorder = Recorder(runtime.journal, log_name)
    recorder.start()
    recorder.emit(TextDelta(text=said, run_id="run_1"))
    recorder.emit(TextDelta(text=said, run_id="run_1"))
    recorder.emit(ToolStarted(tool_id="t1", name=name, input={"value": tool_input}))
    recorder.emit(ToolFinished(tool_id="t1", name=name, status="ok", duration_ms=1, summary=said))
    await recorder.close()

    read = await runtime.db.read(lambda conn: logs.read(conn, log_name, 0))
    assert [e["seq"] for e in read] == [1, 2, 3]
    assert text_rule.find_in_tree(read) is None
    json.dumps(read, ensure_ascii=False).encode("utf-8")
    assert read[0]["text"] == text_rule.repair(said + said)
    assert read[1]["input"] == text_rule.repair_tree({"value": tool_input})


async def test_a_row_poisoned_before_the_rule_still_reads(runtime: Runtime) -> None:
    log_name = await new_log(runtime)
    body = {"seq": 1, "type": "text.delta", "ts": "2024-01-01T00:00:00.000Z", "text": "a\ud800"}

    async def poison(conn: Any) -> None:
        # json.dumps escapes the surrogate, so both databases store it as the old code did.
        await conn.execute(
            sa.insert(events_table).values(log=log_name, seq=1, type="text.delta", body=body)
        )

    await runtime.db.run(poison)
    read = await runtime.db.read(lambda conn: logs.read(conn, log_name, 0))
    assert read == [{**body, "text": "a\ufffd"}]

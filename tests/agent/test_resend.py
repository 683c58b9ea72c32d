"""A message can be lost with the process it reached, so clients resend it with the same
`client_msg_id`; a resent id never starts a second run, whichever process it reaches."""

from __future__ import annotations

import asyncio

from appwright.testing.scripted_model import ScriptedModel, Turn, text

SITE = {"index.html": "<p>x</p>"}


async def test_the_same_message_sent_to_two_processes_at_once_starts_one_run(harness) -> None:
    model = ScriptedModel([Turn([text("Once.")])])
    first, second = await harness(model), await harness(model)  # one database, two processes
    second.headers = first.headers
    session_id = await first.session(await first.app(SITE))
    for attempt in range(8):
        answers = await asyncio.gather(
            first.send(session_id, "hello", client_msg_id=f"msg-{attempt}"),
            second.send(session_id, "hello", client_msg_id=f"msg-{attempt}"),
        )
        assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
        run_ids = {a.json()["run_id"] for a in answers}
        assert len(run_ids) == 1
        await finished_in_log(first, session_id, run_ids.pop())
    started = [e for e in await first.events(session_id) if e["type"] == "run.started"]
    assert [e["client_msg_id"] for e in started] == [f"msg-{i}" for i in range(8)]


async def finished_in_log(h, session_id: str, run_id: str) -> None:
    """Either process may run it, and each has its own in-process bus: read the log."""
    async with asyncio.timeout(10):
        while not any(
            e["type"] == "run.finished" and e["run_id"] == run_id
            for e in await h.events(session_id)
        ):
            await asyncio.sleep(0.02)

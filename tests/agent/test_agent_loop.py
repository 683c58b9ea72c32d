"""The loop's core with the shipped scripted model and an in-memory tool box: no database,
no HTTP, no real waiting (the loop's `sleep` is the test's). What a person would notice:
how many turns a request takes, what is said about a retry, what is kept when they stop it,
and where a model that never finishes is cut off."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from appwright.agent.loop import AgentLoop, LoopConfig, MaxTurnsReached, RunIO, RunState
from appwright.agent.retry import RetryPolicy
from appwright.agent.tools import tool_specs
from appwright.errors import ModelError
from appwright.events.types import ModelRetry, TextDelta, ToolFinished, TurnStarted, _Event
from appwright.models.types import Message, TextPart
from appwright.testing.scripted_model import Fault, ScriptedModel, Turn, text, tool
from appwright.testing.toolbox import GatedToolBox


class Harness:
    def __init__(self, model: ScriptedModel, box: GatedToolBox, **config: object) -> None:
        self.emitted: list[_Event] = []
        self.saved: list[tuple[int, list[Message]]] = []
        self.slept: list[float] = []
        self.state = RunState(
            run_id="run_1", conversation=[Message(role="user", parts=(TextPart("Hi"),))]
        )

        async def save_turn(turn: int, messages: Sequence[Message]) -> None:
            self.saved.append((turn, list(messages)))

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        io = RunIO(
            model=model, toolbox=box, emit=self.emitted.append, save_turn=save_turn, sleep=sleep
        )
        settings = {"model": "claude-sonnet-4-5", "system": "You edit apps.", "tools": tool_specs()}
        self.loop = AgentLoop(LoopConfig(**{**settings, **config}), io, self.state)  # type: ignore[arg-type]

    def of(self, kind: type[_Event]) -> list[_Event]:
        return [e for e in self.emitted if isinstance(e, kind)]


async def test_a_tool_turn_then_an_answer_is_two_turns() -> None:
    model = ScriptedModel(
        [Turn([text("Looking."), tool("list_files")]), Turn([text("There are two files.")])]
    )
    h = Harness(model, GatedToolBox())
    await h.loop.run()
    assert [e.turn for e in h.of(TurnStarted)] == [1, 2]  # type: ignore[attr-defined]
    said = "".join(e.text for e in h.of(TextDelta))  # type: ignore[attr-defined]
    assert said == "Looking.There are two files."
    assert [turn for turn, _ in h.saved] == [1, 2]
    assert h.state.conversation[-1].text == "There are two files."
    assert [e.status for e in h.of(ToolFinished)] == ["ok"]  # type: ignore[attr-defined]


async def test_a_transient_failure_is_retried_after_the_policy_s_wait_and_said_so() -> None:
    failure = ModelError("overloaded", code="model_overloaded", transient=True)
    model = ScriptedModel([Turn([text("All done here.")], faults=[Fault(after=1, error=failure)])])
    h = Harness(model, GatedToolBox(), retry=RetryPolicy(retries=2, base=1.0, cap=4.0))
    await h.loop.run()
    [retry] = h.of(ModelRetry)
    assert retry.attempt == 2  # type: ignore[attr-defined]  # the attempt about to be made
    assert len(h.slept) == 1 and 0.5 <= h.slept[0] <= 1.0  # base 1 s, jittered down
    assert retry.delay_ms == int(h.slept[0] * 1000)  # type: ignore[attr-defined]
    assert h.state.conversation[-1].text == "All done here."
    assert len(model.requests) == 2


async def test_failures_beyond_the_retries_end_the_run_with_the_model_s_error() -> None:
    failure = ModelError("overloaded", code="model_overloaded", transient=True)
    faults = [Fault(attempt=n, error=failure) for n in (1, 2, 3)]
    h = Harness(
        ScriptedModel([Turn([text("never")], faults=faults)]),
        GatedToolBox(),
        retry=RetryPolicy(retries=2, base=1.0, cap=4.0),
    )
    with pytest.raises(ModelError) as raised:
        await h.loop.run()
    assert raised.value.code == "model_overloaded"
    assert len(h.of(ModelRetry)) == 2 and h.saved == []


async def test_a_stop_during_a_tool_keeps_the_turn_and_reports_the_tool_stopped() -> None:
    box = GatedToolBox(open_reads=False)
    model = ScriptedModel([Turn([text("Reading."), tool("get_current_code", filepath="a.html")])])
    h = Harness(model, box)
    running = asyncio.create_task(h.loop.run())
    await box.any_started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    [finished] = h.of(ToolFinished)
    assert finished.status == "cancelled"  # type: ignore[attr-defined]
    [(turn, messages)] = h.saved  # the turn as far as it went: the reply and its results
    assert turn == 1 and messages[0].text == "Reading." and len(messages) == 2


async def test_a_model_that_never_stops_calling_tools_is_cut_off_at_max_turns() -> None:
    model = ScriptedModel([Turn([tool("list_files")]) for _ in range(5)])
    h = Harness(model, GatedToolBox(), max_turns=3)
    with pytest.raises(MaxTurnsReached) as raised:
        await h.loop.run()
    assert "3 turns" in raised.value.message
    assert [turn for turn, _ in h.saved] == [1, 2, 3] and len(model.requests) == 3

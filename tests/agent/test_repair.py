"""The repair a takeover appends, as a pure function of what the run's log holds: which
tools it closes and how, the file updates it restores, and where `run.resumed` goes."""

from __future__ import annotations

from datetime import UTC, datetime

from appwright.agent.open_turn import OpenTurn
from appwright.agent.parallel import EditBatch, EditResult
from appwright.agent.takeover import STOPPED, repair_events
from appwright.models.types import Message, TextPart, ToolCallPart

MOMENT = datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC)
TS = "2026-01-01T12:00:00.000Z"


def started(tool_id: str, name: str = "web_search") -> dict:
    return {"type": "tool.started", "tool_id": tool_id, "name": name, "input": {}, "ts": TS}


def finished(tool_id: str) -> dict:
    return {"type": "tool.finished", "tool_id": tool_id, "status": "ok", "ts": TS}


def turn(n: int) -> dict:
    return {"type": "turn.started", "turn": n, "ts": TS}


def repair(events: list[dict], open_turn: OpenTurn | None = None, resume: int | None = 1):
    wire = repair_events(
        events, run_id="run_1", open_turn=open_turn, resume_turn=resume, moment=MOMENT
    )
    return [e.model_dump(exclude={"ts", "seq"}) for e in wire]


def test_each_unfinished_start_is_closed_once_even_when_an_id_repeats() -> None:
    events = [turn(1), started("a"), started("b", "list_files"), finished("a"), started("a")]
    closing = repair(events)
    assert [(e["type"], e.get("tool_id")) for e in closing] == [
        ("tool.finished", "b"),
        ("tool.finished", "a"),
        ("run.resumed", None),
    ]
    assert closing[0] == {
        "type": "tool.finished",
        "run_id": "run_1",
        "tool_id": "b",
        "name": "list_files",
        "status": "cancelled",
        "duration_ms": 5000,
        "summary": STOPPED,
    }
    assert closing[-1]["turn"] == 1 and closing[-1]["reason"] == "server_restarted"


def test_a_run_that_ends_instead_gets_its_tools_closed_and_no_resumption() -> None:
    assert [e["type"] for e in repair([turn(1), started("a")], resume=None)] == ["tool.finished"]
    assert repair([turn(1), started("a"), finished("a")], resume=None) == []


def test_the_turn_to_run_is_started_first_when_the_latest_one_was_completed() -> None:
    assert [(e["type"], e.get("turn")) for e in repair([turn(1), turn(2)], resume=3)] == [
        ("turn.started", 3),
        ("run.resumed", 3),
    ]
    assert [e["type"] for e in repair([turn(1), turn(2)], resume=2)] == ["run.resumed"]
    assert [e["type"] for e in repair([], resume=1)] == ["run.resumed"]


def test_an_open_turn_keeps_its_edit_outcomes_and_restores_lost_file_updates() -> None:
    calls = (ToolCallPart("s", "web_search", {}), ToolCallPart("e", "apply_edit", {}))
    open_turn = OpenTurn(
        turn=1,
        message=Message(role="assistant", parts=(TextPart("Both."), *calls)),
        edits=EditBatch(
            results=[EditResult("e", True, "Updated a.html.", "Updated a.html (+1 −0)")],
            version_id="ver_1",
            changed={"b.css": True, "a.html": False},
        ),
    )
    closing = repair([turn(1), started("s"), started("e", "apply_edit")], open_turn, resume=2)
    assert [(e["type"], e.get("tool_id") or e.get("path") or e.get("turn")) for e in closing] == [
        ("tool.finished", "s"),
        ("tool.finished", "e"),
        ("file.updated", "a.html"),
        ("file.updated", "b.css"),
        ("turn.started", 2),
        ("run.resumed", 2),
    ]
    assert (closing[1]["status"], closing[1]["summary"]) == ("ok", "Updated a.html (+1 −0)")
    assert closing[3]["deleted"] is True and closing[2]["version_id"] == "ver_1"
    reported = [{"type": "file.updated", "version_id": "ver_1", "path": "a.html", "ts": TS}]
    assert "file.updated" not in [e["type"] for e in repair([turn(1), *reported], open_turn, 2)]
    # The model reads the edit's own result and "stopped" for the search, in call order.
    saved = open_turn.closed()
    assert [p.tool_call_id for p in saved[1].parts] == ["s", "e"]
    assert [p.is_error for p in saved[1].parts] == [True, False]
    assert OpenTurn.from_json(open_turn.to_json()) == open_turn

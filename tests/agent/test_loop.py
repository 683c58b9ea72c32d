"""The run loop through the HTTP API with an in-process test model (fast, exact faults)."""

from __future__ import annotations

import asyncio
import time

import pytest

from appwright.errors import ModelError
from appwright.testing.fake_search import FakeSearch
from appwright.testing.scripted_model import Fault, ScriptedModel, Turn, text, tool

SITE = {"index.html": "<h1>Hello</h1>\n<p>Old</p>\n", "style.css": "h1 { color: red; }\n"}


def types(events):
    return [e["type"] for e in events]


async def test_three_turns_with_every_tool(harness) -> None:
    every_tool = [
        tool("list_files"),
        tool("get_current_code", filepath="index.html"),
        tool("web_search", query="pricing tables", num_results=2),
    ]
    model = ScriptedModel(
        [
            Turn(
                [
                    text("Looking."),
                    *every_tool,
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="New"),
                ]
            ),
            Turn(
                [
                    *every_tool,
                    tool("apply_edit", filepath="style.css", old_code="red", new_code="blue"),
                ]
            ),
            Turn([*every_tool, tool("apply_edit", filepath="new.js", old_code="", new_code="1;")]),
            Turn([text("All done.")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "Make it blue")
    assert end["status"] == "completed"
    assert sorted(end["edited_paths"]) == ["index.html", "new.js", "style.css"]
    assert await h.file(app_id, "index.html") == "<h1>Hello</h1>\n<p>New</p>\n"
    assert await h.file(app_id, "style.css") == "h1 { color: blue; }\n"
    assert await h.file(app_id, "new.js") == "1;"
    events = await h.events(session)
    assert [e["turn"] for e in events if e["type"] == "turn.started"] == [1, 2, 3, 4]
    assert all(e["status"] == "ok" for e in events if e["type"] == "tool.finished")
    # Every result went back to the model, in one user message per turn.
    assert [m.role for m in model.requests[-1].messages] == ["user"] + ["assistant", "user"] * 3
    for request in model.requests[1:]:
        results = request.messages[-1]
        calls = request.messages[-2].tool_calls
        assert [p.tool_call_id for p in results.parts] == [c.id for c in calls]
    versions = (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()
    assert [v["source"] for v in versions] == ["ai", "ai", "ai", "initial"]


async def test_non_matching_edit_is_an_error_result_and_file_untouched(harness) -> None:
    model = ScriptedModel(
        [
            Turn([tool("apply_edit", filepath="index.html", old_code="Nope", new_code="X")]),
            Turn(
                [tool("apply_edit", filepath="index.html", old_code="<p>", new_code="<p class=x>")]
            ),
            Turn([text("Fixed.")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app({"index.html": "<p>a</p><p>b</p>"})
    session = await h.session(app_id)
    end = await h.run(session, "edit")
    assert end["status"] == "completed"
    assert await h.file(app_id, "index.html") == "<p>a</p><p>b</p>"
    finished = [e for e in await h.events(session) if e["type"] == "tool.finished"]
    assert [e["status"] for e in finished] == ["error", "error"]
    assert "not found" in finished[0]["summary"]
    assert "matches 2 places" in finished[1]["summary"]
    second_request_result = model.requests[1].messages[-1].parts[0]
    assert second_request_result.is_error and "not found" in second_request_result.content


async def test_stall_is_detected_and_retried(harness) -> None:
    model = ScriptedModel(
        [Turn([text("Hello there")], faults=[Fault(attempt=1, after=1, stall=True)])]
    )
    h = await harness(model, timeout_model_idle=0.3)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hi")
    assert end["status"] == "completed"
    retries = [e for e in await h.events(session) if e["type"] == "model.retry"]
    assert [(r["attempt"], r["reason"]) for r in retries] == [(2, "model_stalled")]


async def test_transient_errors_exhaust_retries_and_fail_with_code(harness) -> None:
    overloaded = ModelError("Overloaded", code="overloaded", transient=True)
    model = ScriptedModel(
        [Turn([text("x")], faults=[Fault(attempt=n, error=overloaded) for n in range(1, 5)])]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hi")
    assert end["status"] == "failed"
    assert end["error"]["code"] == "overloaded"
    retries = [e["attempt"] for e in await h.events(session) if e["type"] == "model.retry"]
    assert retries == [2, 3, 4]


async def test_non_transient_error_fails_at_once(harness) -> None:
    denied = ModelError("Bad key", code="model_auth_failed", transient=False)
    model = ScriptedModel([Turn([text("x")], faults=[Fault(attempt=1, error=denied)])])
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hi")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_auth_failed")
    assert "model.retry" not in types(await h.events(session))


async def test_fault_after_edit_requested_applies_edit_exactly_once(harness) -> None:
    drop = ModelError("dropped", code="model_stream_dropped", transient=True)
    edit = tool("apply_edit", filepath="index.html", old_code="Old", new_code="Old!")
    # The edit's call is complete (3 events) before the stream breaks; the retry sends it again.
    model = ScriptedModel(
        [
            Turn([edit, text("more text after")], faults=[Fault(attempt=1, after=4, error=drop)]),
            Turn([text("ok")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "exclaim")
    assert end["status"] == "completed"
    assert await h.file(app_id, "index.html") == "<h1>Hello</h1>\n<p>Old!</p>\n"
    versions = (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()
    assert [v["source"] for v in versions] == ["ai", "initial"]


async def test_hung_web_search_times_out_and_run_completes(harness) -> None:
    model = ScriptedModel(
        [Turn([tool("web_search", query="hang please"), tool("list_files")]), Turn([text("done")])]
    )
    h = await harness(model, timeout_web_search=0.3)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "search")
    assert end["status"] == "completed"
    statuses = {
        e["name"]: e["status"] for e in await h.events(session) if e["type"] == "tool.finished"
    }
    assert statuses == {"web_search": "timeout", "list_files": "ok"}


async def test_parallel_searches_take_the_time_of_one(harness) -> None:
    calls = [tool("web_search", query=f"q{i}") for i in range(5)]
    model = ScriptedModel([Turn(calls), Turn([text("done")])])
    h = await harness(model, FakeSearch(delay=0.4))
    session = await h.session(await h.app(SITE))
    started = time.monotonic()
    end = await h.run(session, "search")
    assert end["status"] == "completed"
    assert time.monotonic() - started < 1.5  # five 0.4 s searches, run concurrently


async def test_cancel_during_hung_tool_ends_within_a_second(harness) -> None:
    model = ScriptedModel([Turn([tool("web_search", query="hang forever")]), Turn([text("never")])])
    h = await harness(model, timeout_web_search=60)
    session = await h.session(await h.app(SITE))
    r = await h.send(session, "search")
    run_id = r.json()["run_id"]
    await h.wait_for(session, lambda e: e["type"] == "tool.started")
    t0 = time.monotonic()
    cancel = await h.client.post(f"/api/sessions/{session}/cancel", headers=h.headers)
    assert cancel.json()["run_id"] == run_id
    end = await h.finished(session, run_id)
    assert time.monotonic() - t0 < 1.0
    assert end["status"] == "cancelled"
    finished = [e for e in await h.events(session) if e["type"] == "tool.finished"]
    assert [e["status"] for e in finished] == ["cancelled"]
    # The session takes new messages afterwards.
    assert (await h.send(session, "again")).status_code == 202


async def test_cancel_during_streaming(harness) -> None:
    model = ScriptedModel([Turn([text("x" * 400)], delay=0.05)])
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    run_id = (await h.send(session, "talk")).json()["run_id"]
    await h.wait_for(session, lambda e: e["type"] == "text.delta")
    t0 = time.monotonic()
    await h.client.post(f"/api/sessions/{session}/cancel", headers=h.headers)
    end = await h.finished(session, run_id)
    assert time.monotonic() - t0 < 1.0 and end["status"] == "cancelled"


async def test_run_deadline_keeps_applied_edits(harness) -> None:
    model = ScriptedModel(
        [
            Turn([tool("apply_edit", filepath="index.html", old_code="Old", new_code="New")]),
            Turn([tool("web_search", query="hang")]),
        ]
    )
    h = await harness(model, timeout_run=1.0, timeout_web_search=30)
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "slow")
    assert end["status"] == "timed_out"
    assert "index.html" in end["error"]["message"]
    assert await h.file(app_id, "index.html") == "<h1>Hello</h1>\n<p>New</p>\n"
    statuses = [e["status"] for e in await h.events(session) if e["type"] == "tool.finished"]
    assert statuses == ["ok", "timeout"]


async def test_max_turns(harness) -> None:
    model = ScriptedModel([Turn([tool("list_files")]) for _ in range(10)])
    h = await harness(model, max_turns=3)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "loop")
    assert (end["status"], end["error"]["code"]) == ("failed", "max_turns")


async def test_no_model_configured(harness) -> None:
    h = await harness(None)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hi")
    assert end["status"] == "failed"
    assert end["error"]["code"] == "model_not_configured"
    assert "ANTHROPIC_API_KEY" in end["error"]["message"]


async def test_duplicate_client_msg_id_starts_one_run(harness) -> None:
    model = ScriptedModel([Turn([text("hi")], delay=0.05)])
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    first = await h.send(session, "hello", client_msg_id="m-1")
    again = await h.send(session, "hello", client_msg_id="m-1")
    assert first.status_code == again.status_code == 202
    assert first.json()["run_id"] == again.json()["run_id"]
    other = await h.send(session, "another", client_msg_id="m-2")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "run_active"
    await h.finished(session, first.json()["run_id"])
    assert types(await h.events(session)).count("run.started") == 1


async def test_follow_up_message_has_context(harness) -> None:
    model = ScriptedModel(
        [Turn([tool("list_files")]), Turn([text("two files")]), Turn([text("sure")])]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    await h.run(session, "what files?")
    await h.run(session, "thanks")
    roles = [m.role for m in model.requests[-1].messages]
    assert roles == ["user", "assistant", "user", "assistant", "user"]


@pytest.mark.parametrize("count", [2])
async def test_two_sessions_editing_one_app_never_interleave(harness, count) -> None:
    edits = [
        tool("apply_edit", filepath="a.txt", old_code="", new_code="A" * 10),
        tool("apply_edit", filepath="b.txt", old_code="", new_code="A" * 10),
    ]
    edits_b = [
        tool("apply_edit", filepath="a.txt", old_code="", new_code="B" * 10),
        tool("apply_edit", filepath="b.txt", old_code="", new_code="B" * 10),
    ]

    class PerSession:
        def __init__(self):
            self.a = ScriptedModel([Turn(edits), Turn([text("a")])])
            self.b = ScriptedModel([Turn(edits_b), Turn([text("b")])])

        def stream(self, request):
            first = request.messages[0].parts[0].text
            return (self.a if first == "A" else self.b).stream(request)

        async def aclose(self):
            return None

    h = await harness(PerSession())
    app_id = await h.app({"a.txt": "", "b.txt": ""})
    s1, s2 = await h.session(app_id), await h.session(app_id)
    await asyncio.gather(h.run(s1, "A"), h.run(s2, "B"))
    a, b = await h.file(app_id, "a.txt"), await h.file(app_id, "b.txt")
    assert a == b, "each version holds both files of one session's turn"
    versions = (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()
    assert [sorted(v["paths"]) for v in versions if v["source"] == "ai"] == [["a.txt", "b.txt"]] * 2


async def test_metrics_count_runs_retries_and_tools(harness) -> None:
    stalled = Fault(attempt=1, after=0, error=ModelError("x", code="overloaded", transient=True))
    model = ScriptedModel([Turn([tool("list_files")], faults=[stalled]), Turn([text("ok")])])
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    await h.run(session, "count")
    metrics = (await h.client.get("/metrics")).text
    assert 'appwright_runs_total{status="completed"} 1.0' in metrics
    assert 'appwright_model_retries_total{reason="overloaded"} 1.0' in metrics
    assert 'appwright_tool_calls_total{name="list_files",status="ok"} 1.0' in metrics
    assert "appwright_tool_seconds_count" in metrics
    assert "appwright_time_to_first_token_seconds_count" in metrics


async def test_a_tool_starts_while_the_model_is_still_streaming(harness) -> None:
    model = ScriptedModel(
        [Turn([tool("list_files"), text("z" * 160)], delay=0.01), Turn([text("ok")])]
    )
    h = await harness(model)
    session = await h.session(await h.app(SITE))
    await h.run(session, "list")
    events = await h.events(session)
    finished = next(e["seq"] for e in events if e["type"] == "tool.finished")
    turn_2 = next(e["seq"] for e in events if e["type"] == "turn.started" and e["turn"] == 2)
    last_text_of_turn_1 = max(
        e["seq"] for e in events if e["type"] == "text.delta" and e["seq"] < turn_2
    )
    assert finished < last_text_of_turn_1, "the tool finished before the message was complete"


async def test_edits_to_one_file_apply_in_the_order_asked(harness) -> None:
    model = ScriptedModel(
        [
            Turn(
                [
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="Step1"),
                    tool("apply_edit", filepath="index.html", old_code="Step1", new_code="Step2"),
                    tool("apply_edit", filepath="index.html", old_code="Step2", new_code="Step3"),
                ]
            ),
            Turn([text("ok")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "chain")
    assert end["status"] == "completed"
    assert await h.file(app_id, "index.html") == "<h1>Hello</h1>\n<p>Step3</p>\n"
    versions = (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()
    assert [v["source"] for v in versions] == ["ai", "initial"], "one turn, one version"

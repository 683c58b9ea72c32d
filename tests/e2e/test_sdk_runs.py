"""One test per v1 failure and per peer failure, through the HTTP API and the real SDKs.

Every session log these tests make is also checked, when the test ends, for the invariants
of every run (contiguous seq, one run.finished per run, one tool.finished per tool.started):
see `harness_factory` in tests/conftest.py."""

from __future__ import annotations

import json
import time

SITE = {"index.html": "<h1>Hi</h1>\n<p>Old</p>\n", "style.css": "h1 { color: red; }\n"}


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool(name: str, **tool_input) -> dict:
    return {"type": "tool_use", "name": name, "input": tool_input}


EVERY_TOOL = [
    tool("list_files"),
    tool("get_current_code", filepath="index.html"),
    tool("web_search", query="css colors", num_results=2),
]


def statuses(events, kind="tool.finished"):
    return [e["status"] for e in events if e["type"] == kind]


async def test_three_turns_every_tool_every_turn(sdk_harness, sim) -> None:
    h = await sdk_harness(
        [
            {
                "content": [
                    text("Let me look."),
                    *EVERY_TOOL,
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="New"),
                ]
            },
            {
                "content": [
                    *EVERY_TOOL,
                    tool("apply_edit", filepath="style.css", old_code="red", new_code="teal"),
                ]
            },
            {
                "content": [
                    *EVERY_TOOL,
                    tool("apply_edit", filepath="about.html", old_code="", new_code="<p>About</p>"),
                ]
            },
            {"content": [text("Done: new text, teal heading, an about page.")]},
        ]
    )
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "Refresh the site")
    assert end["status"] == "completed", end
    assert await h.file(app_id, "index.html") == "<h1>Hi</h1>\n<p>New</p>\n"
    assert await h.file(app_id, "style.css") == "h1 { color: teal; }\n"
    assert await h.file(app_id, "about.html") == "<p>About</p>"
    events = await h.events(session)
    assert set(statuses(events)) == {"ok"}
    assert len(statuses(events)) == 12
    requests = sim.requests(h.model_name)
    assert [r["turn"] for r in requests] == [0, 1, 2, 3]


async def test_stall_mid_stream_is_retried(sdk_harness) -> None:
    h = await sdk_harness(
        [
            {
                "content": [text("All good here.")],
                "chunk_chars": 3,
                "faults": [{"attempt": 1, "kind": "stall_after", "events": 4}],
            }
        ],
        timeout_model_idle=0.5,
    )
    session = await h.session(await h.app(SITE))
    started = time.monotonic()
    end = await h.run(session, "hello")
    assert end["status"] == "completed"
    events = await h.events(session)
    assert [(e["attempt"], e["reason"]) for e in events if e["type"] == "model.retry"] == [
        (2, "model_stalled")
    ]
    assert time.monotonic() - started < 3


async def test_dropped_connection_is_retried(sdk_harness) -> None:
    h = await sdk_harness(
        [
            {
                "content": [text("Fine.")],
                "faults": [{"attempt": 1, "kind": "drop_after", "events": 3}],
            }
        ]
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert end["status"] == "completed"
    reasons = [e["reason"] for e in await h.events(session) if e["type"] == "model.retry"]
    assert reasons == ["model_stream_dropped"]


async def test_overloaded_529_is_retried(sdk_harness) -> None:
    h = await sdk_harness(
        [{"content": [text("Fine.")], "faults": [{"attempt": 1, "kind": "status", "status": 529}]}]
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert end["status"] == "completed"
    assert [e["reason"] for e in await h.events(session) if e["type"] == "model.retry"] == [
        "overloaded"
    ]


async def test_429_honours_retry_after(sdk_harness, sim) -> None:
    h = await sdk_harness(
        [
            {
                "content": [text("Fine.")],
                "faults": [{"attempt": 1, "kind": "status", "status": 429, "retry_after": 0.6}],
            }
        ]
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert end["status"] == "completed"
    retry = next(e for e in await h.events(session) if e["type"] == "model.retry")
    assert retry["reason"] == "rate_limited" and retry["delay_ms"] >= 600
    first, second = sim.requests(h.model_name)
    assert second["received_at"] - first["received_at"] >= 0.6


async def test_error_event_mid_stream_is_retried(sdk_harness) -> None:
    h = await sdk_harness(
        [
            {
                "content": [text("Fine, thanks for asking.")],
                "chunk_chars": 4,
                "faults": [
                    {
                        "attempt": 1,
                        "kind": "error_event_after",
                        "events": 4,
                        "error_type": "overloaded_error",
                    }
                ],
            }
        ]
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert end["status"] == "completed"
    assert [e["reason"] for e in await h.events(session) if e["type"] == "model.retry"] == [
        "overloaded"
    ]


async def test_retries_exhausted_fail_with_code(sdk_harness) -> None:
    faults = [{"attempt": n, "kind": "status", "status": 500} for n in range(1, 5)]
    h = await sdk_harness([{"content": [text("never")], "faults": faults}])
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_server_error")
    assert "sk-" not in end["error"]["message"]
    events = await h.events(session)
    assert [e["attempt"] for e in events if e["type"] == "model.retry"] == [2, 3, 4]


async def test_auth_failure_fails_at_once_without_leaking_the_key(sdk_harness) -> None:
    h = await sdk_harness(
        [{"content": [text("x")], "faults": [{"attempt": 1, "kind": "status", "status": 401}]}]
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "hello")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_auth_failed")
    for event in await h.events(session):
        assert "test-secret-key" not in str(event)


async def test_fault_after_an_edit_was_requested_applies_it_once(sdk_harness) -> None:
    edit = tool("apply_edit", filepath="index.html", old_code="Old", new_code="Old and new")
    h = await sdk_harness(
        [
            # The tool call is complete in the stream by event 6; the stream then breaks.
            {
                "content": [edit, text("and some words after the edit")],
                "chunk_chars": 4,
                "faults": [{"attempt": 1, "kind": "drop_after", "events": 7}],
            },
            {"content": [text("Edited.")]},
        ]
    )
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "edit once")
    assert end["status"] == "completed"
    assert await h.file(app_id, "index.html") == "<h1>Hi</h1>\n<p>Old and new</p>\n"
    versions = (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()
    assert [v["source"] for v in versions] == ["ai", "initial"]


async def test_hung_search_times_out_and_run_completes(sdk_harness) -> None:
    h = await sdk_harness(
        [
            {
                "content": [
                    tool("web_search", query="hang here"),
                    tool("get_current_code", filepath="index.html"),
                ]
            },
            {"content": [text("Search was slow; carried on.")]},
        ],
        timeout_web_search=0.3,
    )
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "search")
    assert end["status"] == "completed"
    by_name = {
        e["name"]: e["status"] for e in await h.events(session) if e["type"] == "tool.finished"
    }
    assert by_name == {"web_search": "timeout", "get_current_code": "ok"}


async def test_cancel_during_streaming_within_a_second(sdk_harness) -> None:
    h = await sdk_harness([{"content": [text("slow words " * 200)], "token_delay": 0.02}])
    session = await h.session(await h.app(SITE))
    run_id = (await h.send(session, "talk slowly")).json()["run_id"]
    await h.wait_for(session, lambda e: e["type"] == "text.delta")
    started = time.monotonic()
    await h.client.post(f"/api/sessions/{session}/cancel", headers=h.headers)
    end = await h.finished(session, run_id)
    assert end["status"] == "cancelled"
    assert time.monotonic() - started < 1.0


async def test_non_matching_edit_is_an_error_result_and_the_model_recovers(
    sdk_harness, sim
) -> None:
    h = await sdk_harness(
        [
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="Absent", new_code="X")
                ]
            },
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="Fixed")
                ]
            },
            {"content": [text("Recovered.")]},
        ]
    )
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "edit")
    assert end["status"] == "completed"
    assert statuses(await h.events(session)) == ["error", "ok"]
    assert await h.file(app_id, "index.html") == "<h1>Hi</h1>\n<p>Fixed</p>\n"
    # The model was told, in the tool result it received, why the edit failed.
    second_request = sim.requests(h.model_name)[1]["body"]
    assert "not found" in json.dumps(second_request["messages"][-1])


async def test_cancel_during_a_hung_tool_within_a_second(sdk_harness) -> None:
    h = await sdk_harness(
        [{"content": [tool("web_search", query="hang forever")]}, {"content": [text("never")]}],
        timeout_web_search=60,
    )
    session = await h.session(await h.app(SITE))
    run_id = (await h.send(session, "search")).json()["run_id"]
    await h.wait_for(session, lambda e: e["type"] == "tool.started")
    started = time.monotonic()
    await h.client.post(f"/api/sessions/{session}/cancel", headers=h.headers)
    end = await h.finished(session, run_id)
    assert end["status"] == "cancelled"
    assert time.monotonic() - started < 1.0
    assert statuses(await h.events(session)) == ["cancelled"]


async def test_run_deadline_keeps_applied_edits(sdk_harness) -> None:
    h = await sdk_harness(
        [
            {
                "content": [
                    tool("apply_edit", filepath="index.html", old_code="Old", new_code="New")
                ]
            },
            {"content": [tool("web_search", query="hang forever")]},
        ],
        timeout_run=1.5,
        timeout_web_search=60,
    )
    app_id = await h.app(SITE)
    session = await h.session(app_id)
    end = await h.run(session, "slow")
    assert (end["status"], end["error"]["code"]) == ("timed_out", "run_timeout")
    assert end["edited_paths"] == ["index.html"]
    assert await h.file(app_id, "index.html") == "<h1>Hi</h1>\n<p>New</p>\n"
    assert statuses(await h.events(session)) == ["ok", "timeout"]


async def test_max_turns_fails_with_its_code(sdk_harness) -> None:
    h = await sdk_harness([{"content": [tool("list_files")]}] * 5, max_turns=3)
    session = await h.session(await h.app(SITE))
    end = await h.run(session, "loop")
    assert (end["status"], end["error"]["code"]) == ("failed", "max_turns")
    turns = [e["turn"] for e in await h.events(session) if e["type"] == "turn.started"]
    assert turns == [1, 2, 3]


async def test_duplicate_client_msg_id_starts_one_run(sdk_harness, sim) -> None:
    h = await sdk_harness([{"content": [text("Hello!")], "token_delay": 0.01}])
    session = await h.session(await h.app(SITE))
    first = await h.send(session, "hi", client_msg_id="same")
    again = await h.send(session, "hi", client_msg_id="same")
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    await h.finished(session, first.json()["run_id"])
    assert len(sim.requests(h.model_name)) == 1


async def test_search_rename_delete_and_multi_edits_over_the_wire(sdk_harness, sim) -> None:
    site = {**SITE, "old.css": "p { margin: 0; }\n", "unused.js": "1;\n"}
    h = await sdk_harness(
        [
            {"content": [tool("search_code", pattern=r"color:\s*\w+", path_glob="*.css")]},
            {
                "content": [
                    tool("rename_file", **{"from": "old.css", "to": "css/base.css"}),
                    tool("delete_file", filepath="unused.js"),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        edits=[
                            {"old_code": "<h1>Hi</h1>", "new_code": "<h1>Hello</h1>"},
                            {"old_code": "  <p>Old</p>", "new_code": "<p>New</p>"},
                        ],
                    ),
                ]
            },
            {"content": [text("Moved, deleted and edited.")]},
        ]
    )
    app_id = await h.app(site)
    session = await h.session(app_id)
    end = await h.run(session, "tidy")
    assert end["status"] == "completed", end
    assert statuses(await h.events(session)) == ["ok"] * 4
    assert await h.file(app_id, "css/base.css") == "p { margin: 0; }\n"
    assert await h.file(app_id, "unused.js") is None
    assert await h.file(app_id, "index.html") == "<h1>Hello</h1>\n<p>New</p>\n"
    # The tools' schemas went out in the provider's shape, and the answers came back.
    first, second, third = (r["body"] for r in sim.requests(h.model_name))
    names = {t.get("name") or t["function"]["name"] for t in first["tools"]}
    assert {"search_code", "rename_file", "delete_file", "apply_edit"} <= names
    assert "style.css:1: h1 { color: red; }" in json.dumps(second["messages"])
    answers = json.dumps(third["messages"][-3:], ensure_ascii=False)
    assert "Renamed old.css to css/base.css" in answers
    assert "matched ignoring indentation" in answers

"""Real models at real length, through the real SDKs and the sim: a small context window,
prompt caching, usage, and the stop reasons a real model ends with."""

from __future__ import annotations

from typing import Any

from appwright.sim import SimServer

PAGES = {
    f"page{i}.html": "".join(f'<li class="p{i}">item {n} of page {i}</li>\n' for n in range(260))
    for i in range(4)
}
SUMMARY_ASIDE = {
    "when_system_contains": "You condense conversations",
    "content": [{"type": "text", "text": "The owner had pages marked; each was."}],
}


def text(t: str) -> dict:
    return {"type": "text", "text": t}


def tool(name: str, **tool_input: Any) -> dict:
    return {"type": "tool_use", "name": name, "input": tool_input}


def mark(i: int) -> list[dict]:
    path = f"page{i % 4}.html"
    anchor = f'<li class="p{i % 4}">item {20 + i} of page {i % 4}</li>'
    return [
        {"content": [text(f"Reading {path}."), tool("get_current_code", filepath=path)]},
        {
            "content": [
                tool("apply_edit", filepath=path, old_code=anchor, new_code=f"{anchor}<!--{i}-->")
            ]
        },
        {"content": [text(f"Marked {path}.")]},
    ]


async def test_a_session_longer_than_the_window_never_fails(sdk_harness, sim: SimServer) -> None:
    h = await sdk_harness(
        [t for i in range(6) for t in mark(i)],
        script={"context_window": 9000, "turns_by": "order", "asides": [SUMMARY_ASIDE]},
        context_tokens=9000,
        max_tokens=1000,
    )
    app_id = await h.app(PAGES)
    session = await h.session(app_id)
    for i in range(6):
        end = await h.run(session, f"Mark request {i}.")
        assert end["status"] == "completed", end
    events = await h.events(session)
    assert [e for e in events if e["type"] == "context.compacted"]
    assert not [e for e in events if e["type"] == "model.retry"], "never refused as too long"
    for i in range(6):
        assert (await h.file(app_id, f"page{i % 4}.html")).count(f"<!--{i}-->") == 1
    peak = max(e["context_tokens"] for e in events if e["type"] == "model.usage")
    assert peak <= 9000 - 1000


async def test_turns_and_runs_read_the_conversation_from_the_cache(
    sdk_harness, sim: SimServer, provider: str
) -> None:
    h = await sdk_harness([*mark(0), *mark(1)])
    session = await h.session(await h.app(PAGES))
    first = await h.run(session, "Mark one page.")
    second = await h.run(session, "Mark another.")
    calls = [e for e in await h.events(session) if e["type"] == "model.usage"]
    assert len(calls) == 6
    # Everything up to the previous request is read from the cache, once that request was
    # long enough to be cached (1024 tokens), across the two runs too.
    for before, call in zip(calls, calls[1:], strict=False):
        if before["context_tokens"] >= 1024:
            assert call["cache_read_tokens"] >= before["context_tokens"] * 0.9
    for end in (first, second):
        assert end["usage"]["cache_read_tokens"] > 0
    if provider == "anthropic":
        body = sim.requests(h.model_name)[-1]["body"]
        assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
        assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
        assert "page0.html" not in str(body["system"]), "the file list is not in the prefix"
        assert first["usage"]["cache_write_tokens"] > 0


async def test_a_tool_call_cut_by_the_output_limit_is_split_not_repeated(
    sdk_harness, sim: SimServer
) -> None:
    whole = "<!doctype html>\n" + "<p>the new page</p>\n" * 120
    h = await sdk_harness(
        [
            {
                "content": [
                    text("Rewriting."),
                    tool("apply_edit", filepath="page0.html", old_code="", new_code=whole),
                ]
            },
            {
                "content": [
                    tool(
                        "apply_edit",
                        filepath="page0.html",
                        old_code="item 1 of",
                        new_code="ITEM 1 of",
                    ),
                    tool(
                        "apply_edit",
                        filepath="page0.html",
                        old_code="item 2 of",
                        new_code="ITEM 2 of",
                    ),
                ]
            },
            {"content": [text("Done, in two steps.")]},
        ],
        max_tokens=300,
    )
    app_id = await h.app(PAGES)
    session = await h.session(app_id)
    end = await h.run(session, "Rewrite page0")
    assert end["status"] == "completed", end
    content = await h.file(app_id, "page0.html")
    assert "ITEM 1 of" in content and "ITEM 2 of" in content and "the new page" not in content
    started = [
        e["input"].get("old_code") for e in await h.events(session) if e["type"] == "tool.started"
    ]
    assert started == ["item 1 of", "item 2 of"]
    bodies = [r["body"] for r in sim.requests(h.model_name)]
    assert len(bodies) == 3
    assert bodies[1]["max_tokens"] == 1200 > bodies[0]["max_tokens"] == 300
    assert "was cut off at the output limit" in str(bodies[1]["messages"][-1])


async def test_a_refusal_ends_the_run_with_the_models_explanation(
    sdk_harness, provider: str
) -> None:
    details = {"category": "cyber", "explanation": "This request was refused due to policy."}
    h = await sdk_harness([{"content": [], "stop_reason": "refusal", "stop_details": details}])
    session = await h.session(await h.app(PAGES))
    end = await h.run(session, "Something it will not do")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_refused")
    if provider == "anthropic":
        assert (
            "(category: cyber): This request was refused due to policy." in end["error"]["message"]
        )
    else:
        assert "content filter" in end["error"]["message"]


async def test_a_paused_turn_is_continued(sdk_harness, sim: SimServer, provider: str) -> None:
    h = await sdk_harness(
        [
            {"content": [text("Searching the catalogue ")], "stop_reason": "pause_turn"},
            {"content": [text("and found it.")]},
        ]
    )
    session = await h.session(await h.app(PAGES))
    end = await h.run(session, "Find it")
    assert end["status"] == "completed", end
    requests = sim.requests(h.model_name)
    if provider == "openai":  # chat completions never pauses: its "stop" ends the turn
        assert len(requests) == 1
        return
    last = requests[-1]["body"]["messages"][-1]
    assert last["role"] == "assistant"
    assert [b["text"] for b in last["content"]] == ["Searching the catalogue"], "no trailing space"


async def test_a_model_whose_window_is_smaller_than_configured_is_answered_with_its_count(
    sdk_harness,
) -> None:
    h = await sdk_harness(
        [t for i in range(3) for t in mark(i)],
        script={"context_window": 7000, "turns_by": "order", "asides": [SUMMARY_ASIDE]},
        context_tokens=100_000,
        max_tokens=1000,
    )
    app_id = await h.app(PAGES)
    session = await h.session(app_id)
    for i in range(3):
        end = await h.run(session, f"Mark request {i}.")
        assert end["status"] == "completed", end
    events = await h.events(session)
    retries = [e["reason"] for e in events if e["type"] == "model.retry"]
    assert retries and set(retries) == {"model_context_exceeded"}

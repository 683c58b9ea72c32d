"""Long sessions against a small context window, and what each run used and cost, through
the HTTP API with the in-process test model (which enforces its window and reports usage)."""

from __future__ import annotations

from appwright.agent.loop import merge_consecutive
from appwright.models.types import TextPart
from appwright.store import sessions as session_store
from appwright.testing.scripted_model import ScriptedModel, Turn, prompt_tokens, text, tool

WINDOW = 8000
FILES = {f"page{i}.html": "".join(f"<li>item {i}.{n}</li>\n" for n in range(300)) for i in range(6)}


def request_turns(i: int) -> list[Turn]:
    path = f"page{i % 6}.html"
    anchor = f"<li>item {i % 6}.{10 + i}</li>"
    return [
        Turn([text(f"Reading {path}."), tool("get_current_code", filepath=path)]),
        Turn(
            [tool("apply_edit", filepath=path, old_code=anchor, new_code=f"{anchor}<!-- r{i} -->")]
        ),
        Turn([text(f"Marked {path}.")]),
    ]


def instruction(i: int) -> str:
    return f"Request {i}: mark page{i % 6}.html. " + "Keep the style exactly as it is. " * 40


async def test_a_long_session_fits_the_window_and_stays_condensed(harness) -> None:
    model = ScriptedModel(
        [t for i in range(12) for t in request_turns(i)], context_window=WINDOW, turns_by="order"
    )
    h = await harness(model, context_tokens=WINDOW, max_tokens=1000)
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    for i in range(12):
        end = await h.run(session, instruction(i))
        assert end["status"] == "completed", end
    assert all(prompt_tokens(r) <= WINDOW for r in model.requests + model.asides)
    events = await h.events(session)
    compactions = [e for e in events if e["type"] == "context.compacted"]
    assert compactions and all(e["tokens_after"] < e["tokens_before"] for e in compactions)
    assert model.asides, "the older part was summarised at least once"
    for i in range(12):
        marker = f"<!-- r{i} -->"
        assert (await h.file(app_id, f"page{i % 6}.html")).count(marker) == 1

    # The condensed conversation is what is stored: the session's latest request was made
    # from it, and the next starts from it, with every instruction of the owner still
    # there, word for word.
    stored = await h.runtime.db.read(lambda conn: session_store.conversation(conn, session))
    first_request = model.requests[-1].messages
    assert merge_consecutive(stored[:-1]) == first_request
    assert len(stored) < 12 * 6
    said = [
        p.text
        for m in first_request
        if m.role == "user"
        for p in m.parts
        if isinstance(p, TextPart) and not p.note
    ]
    assert said == [instruction(i) for i in range(12)]
    summary = next(m for m in stored if "Summary of the earlier part" in m.text)
    assert "Versions made in this conversation so far: v2 (page0.html)" in summary.text


async def test_the_context_is_announced_on_each_turn_and_in_the_session(harness) -> None:
    model = ScriptedModel(request_turns(0))
    h = await harness(model)
    session = await h.session(await h.app(FILES))
    await h.run(session, "mark it")
    events = await h.events(session)
    turns = [e for e in events if e["type"] == "turn.started"]
    assert [e["context_window"] for e in turns] == [200_000] * 3
    assert 0 < turns[0]["context_tokens"] < turns[1]["context_tokens"]
    calls = [e for e in events if e["type"] == "model.usage"]
    assert [c["turn"] for c in calls] == [1, 2, 3]
    assert calls[1]["context_tokens"] > calls[0]["context_tokens"]
    shown = (await h.client.get(f"/api/sessions/{session}", headers=h.headers)).json()
    assert shown["context"] == {"tokens": calls[-1]["context_tokens"], "window": 200_000}


async def test_a_prompt_the_model_finds_too_long_is_condensed_and_sent_once_more(harness) -> None:
    # We were told the window is large; the model's is small. Its refusal says how small.
    model = ScriptedModel(
        [t for i in range(3) for t in request_turns(i)], context_window=5000, turns_by="order"
    )
    h = await harness(model, context_tokens=100_000, max_tokens=1000)
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    for i in range(3):
        end = await h.run(session, f"mark {i}")
        assert end["status"] == "completed", end
    events = await h.events(session)
    retries = [e for e in events if e["type"] == "model.retry"]
    assert retries and {e["reason"] for e in retries} == {"model_context_exceeded"}
    assert len([e for e in events if e["type"] == "context.compacted"]) >= len(retries)
    # Learnt: after the first refusal the window is the model's, so few are refused.
    assert len(retries) <= 2
    assert events[-1]["usage"]["input_tokens"] > 0


async def test_a_window_too_small_for_anything_fails_the_run_clearly(harness) -> None:
    model = ScriptedModel([Turn([text("never")])], context_window=200)
    h = await harness(model, context_tokens=100_000)
    session = await h.session(await h.app(FILES))
    end = await h.run(session, "hello")
    assert (end["status"], end["error"]["code"]) == ("failed", "model_context_exceeded")
    assert "context window" in end["error"]["message"]
    assert len(model.refused) == 1 and model.requests == [], "asked once, refused, given up"


async def test_usage_and_cost_per_run_per_session_and_in_metrics(harness) -> None:
    model = ScriptedModel([*request_turns(0), *request_turns(1)])
    h = await harness(model)
    session = await h.session(await h.app(FILES))
    first = await h.run(session, "one")
    second = await h.run(session, "two")
    events = await h.events(session)
    for end in (first, second):
        calls = [e for e in events if e["type"] == "model.usage" and e["run_id"] == end["run_id"]]
        assert len(calls) == 3
        for kind in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            assert end["usage"][kind] == sum(c[kind] for c in calls)
        # claude-sonnet-4-5 (the default model): $3 in, $15 out per million tokens.
        expected = (end["usage"]["input_tokens"] * 3 + end["usage"]["output_tokens"] * 15) / 1e6
        assert abs(end["usage"]["cost_usd"] - expected) < 1e-5
    shown = (await h.client.get(f"/api/sessions/{session}", headers=h.headers)).json()
    assert shown["usage"]["input_tokens"] == (
        first["usage"]["input_tokens"] + second["usage"]["input_tokens"]
    )
    assert (
        abs(shown["usage"]["cost_usd"] - first["usage"]["cost_usd"] - second["usage"]["cost_usd"])
        < 1e-6
    )
    metrics = (await h.client.get("/metrics")).text
    total_in = shown["usage"]["input_tokens"]
    assert (
        f'appwright_model_tokens_total{{kind="input",model="claude-sonnet-4-5"}} {float(total_in)}'
        in metrics
    )
    assert 'appwright_model_tokens_total{kind="output",model="claude-sonnet-4-5"}' in metrics


async def test_a_model_without_a_price_reports_its_cost_as_unknown(harness) -> None:
    h = await harness(ScriptedModel([Turn([text("hi")])]), model="someone-elses-model")
    session = await h.session(await h.app(FILES))
    end = await h.run(session, "hello")
    assert end["usage"]["input_tokens"] > 0 and end["usage"]["cost_usd"] is None

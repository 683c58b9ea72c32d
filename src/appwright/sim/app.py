"""The sim's ASGI app: the two model APIs, the search stub and the control API.

    POST   /v1/messages               Anthropic Messages (stream or not)
    POST   /v1/chat/completions       OpenAI chat completions (stream or not)
    POST   /search                    Exa search with contents
    PUT    /_sim/scripts/{model}      {"turns": [turn, ...]}: register (and reset the log)
    DELETE /_sim/scripts/{model}      forget the script and its log
    GET    /_sim/requests/{model}     [{"turn", "attempt", "received_at", "body"}, ...]

Both model routes follow the same steps (record, authenticate, validate, pick the turn, apply
a status fault, check the prompt against the model's limits, count what the prompt cache
holds, plan the answer within the output limit, deliver); a `Dialect` supplies what differs
between the two wire formats. Requests are recorded before authentication so a test can see
everything that arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from appwright.sim import anthropic_api, openai_api
from appwright.sim.answer import Planned, plan
from appwright.sim.cache import PromptCache, PromptUsage
from appwright.sim.delivery import BrokenJson, EventStream, Frame, Silence, recorded_frames
from appwright.sim.script import ASIDE_TURN, Script, ScriptBook, ScriptError, parse_script
from appwright.sim.search import search_endpoint
from appwright.sim.tokens import Segment


@dataclass
class SimState:
    book: ScriptBook = field(default_factory=ScriptBook)
    cache: PromptCache = field(default_factory=PromptCache)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the server shuts down: every open stall or hang ends then."""


@dataclass(frozen=True)
class Dialect:
    auth_error: Callable[[Any], Response | None]
    validate: Callable[[Any], Any]
    invalid_response: Callable[[Any], Response]
    turn_index: Callable[[Any], int]
    echo_text: Callable[[dict[str, Any]], str]
    system_text: Callable[[Any], str]
    prompt: Callable[[dict[str, Any]], list[Segment]]
    prompt_usage: Callable[[PromptCache, str, list[Segment], Script], PromptUsage]
    max_tokens: Callable[[dict[str, Any]], int]
    limits_error: Callable[[dict[str, Any], int, Script], Response | None]
    frames: Callable[[Planned, str, int, dict[str, Any], PromptUsage, int], list[Frame]]
    answer: Callable[[Planned, str, int, dict[str, Any], PromptUsage], dict[str, Any]]
    error_frame: Callable[[str], bytes]
    error_response: Callable[..., Response]
    status_for: Callable[[str], int]
    request_headers: Callable[[], dict[str, str]]


def _dialect(module: Any) -> Dialect:
    return Dialect(**{name: getattr(module, name) for name in Dialect.__dataclass_fields__})


ANTHROPIC = _dialect(anthropic_api)
OPENAI = _dialect(openai_api)


async def _json_or_none(request: Request) -> Any:
    """The body as JSON; None when it is not JSON, or when the client went away before
    sending all of it (a process killed mid-request: whatever is answered goes nowhere)."""
    try:
        return await request.json()
    except (ValueError, ClientDisconnect):
        return None


def chat_endpoint(dialect: Dialect, state: SimState):
    async def chat(request: Request) -> Any:
        body = await _json_or_none(request)
        model = body.get("model") if isinstance(body, dict) else None
        book = state.book
        script = book.script(model) if isinstance(model, str) else None
        aside = script.aside_for(dialect.system_text(body)) if script else None
        if aside is not None:
            index = ASIDE_TURN
        elif isinstance(model, str):
            index = book.turn_index(model, dialect.turn_index(body))
        else:
            index = dialect.turn_index(body)
        attempt = book.record(model, index, body) if isinstance(model, str) else 0
        denied = dialect.auth_error(request.headers)
        if denied is not None:
            return denied
        problem = dialect.validate(body)
        if problem is not None:
            return dialect.invalid_response(problem)
        assert isinstance(model, str) and isinstance(body, dict) and script is not None
        turn = aside or book.turn_for(model, index, dialect.echo_text(body))
        fault = turn.fault_for(attempt)
        if fault is not None and fault.kind == "status":
            return dialect.error_response(fault.status, retry_after=fault.retry_after)
        prompt = dialect.prompt(body)
        tokens = prompt[-1].prefix_tokens if prompt else 0
        refused = dialect.limits_error(body, tokens, script)
        if refused is not None:
            return refused
        usage = dialect.prompt_usage(state.cache, model, prompt, script)
        planned = plan(turn, dialect.max_tokens(body), script.context_window - tokens)

        def delivered() -> None:
            if aside is None:
                book.mark_delivered(model, index)

        if body.get("stream"):
            frames = (
                recorded_frames(turn.replay)
                if turn.replay is not None
                else dialect.frames(planned, model, index, body, usage, turn.chunk_chars)
            )
            return EventStream(
                frames,
                fault=fault,
                error_frame=dialect.error_frame,
                token_delay=turn.token_delay,
                closing=state.closing,
                headers=dialect.request_headers(),
                on_complete=delivered,
            )
        answer = dialect.answer(planned, model, index, body, usage)
        if fault is None:
            frames = dialect.frames(planned, model, index, body, usage, turn.chunk_chars)
            await asyncio.sleep(turn.token_delay * sum(f.paced for f in frames))
            delivered()
            return JSONResponse(answer, headers=dialect.request_headers())
        if fault.kind == "stall_after":
            return Silence(state.closing)
        if fault.kind == "drop_after":
            return BrokenJson(json.dumps(answer).encode())
        return dialect.error_response(dialect.status_for(fault.error_type))

    return chat


def scripts_endpoint(state: SimState):
    async def scripts(request: Request) -> Response:
        model = request.path_params["model"]
        if request.method == "DELETE":
            found = state.book.delete(model)
            state.cache.forget(model)
            return JSONResponse({"model": model, "deleted": found}, 200 if found else 404)
        try:
            script = parse_script(await _json_or_none(request))
        except ScriptError as problem:
            return JSONResponse({"error": str(problem)}, 400)
        state.book.put(model, script)
        state.cache.forget(model)
        return JSONResponse({"model": model, "turns": len(script.turns)})

    return scripts


def requests_endpoint(state: SimState):
    async def requests(request: Request) -> Response:
        return JSONResponse(state.book.requests(request.path_params["model"]))

    return requests


def create_app(state: SimState | None = None) -> Starlette:
    state = state or SimState()
    app = Starlette(
        routes=[
            Route("/v1/messages", chat_endpoint(ANTHROPIC, state), methods=["POST"]),
            Route("/v1/chat/completions", chat_endpoint(OPENAI, state), methods=["POST"]),
            Route("/search", search_endpoint(state.closing), methods=["POST"]),
            Route("/_sim/scripts/{model:path}", scripts_endpoint(state), methods=["PUT", "DELETE"]),
            Route("/_sim/requests/{model:path}", requests_endpoint(state), methods=["GET"]),
        ]
    )
    app.state.sim = state
    return app

"""The sim's ASGI app: the two model APIs, the search stub and the control API.

    POST   /v1/messages               Anthropic Messages (stream or not)
    POST   /v1/chat/completions       OpenAI chat completions (stream or not)
    POST   /search                    Exa search with contents
    PUT    /_sim/scripts/{model}      {"turns": [turn, ...]}: register (and reset the log)
    DELETE /_sim/scripts/{model}      forget the script and its log
    GET    /_sim/requests/{model}     [{"turn", "attempt", "received_at", "body"}, ...]

Both model routes follow the same steps (record, authenticate, validate, pick the turn, apply
a status fault, deliver); a `Dialect` supplies what differs between the two wire formats.
Requests are recorded before authentication so a test can see everything that arrived.
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
from appwright.sim.delivery import BrokenJson, EventStream, Frame, Silence
from appwright.sim.script import ScriptBook, ScriptError, Turn, parse_turns
from appwright.sim.search import search_endpoint


@dataclass
class SimState:
    book: ScriptBook = field(default_factory=ScriptBook)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the server shuts down: every open stall or hang ends then."""


@dataclass(frozen=True)
class Dialect:
    auth_error: Callable[[Any], Response | None]
    validate: Callable[[Any], Any]
    invalid_response: Callable[[Any], Response]
    turn_index: Callable[[Any], int]
    echo_text: Callable[[dict[str, Any]], str]
    frames: Callable[[Turn, str, int, dict[str, Any]], list[Frame]]
    answer: Callable[[Turn, str, int, dict[str, Any]], dict[str, Any]]
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
        index = dialect.turn_index(body)
        attempt = state.book.record(model, index, body) if isinstance(model, str) else 0
        denied = dialect.auth_error(request.headers)
        if denied is not None:
            return denied
        problem = dialect.validate(body)
        if problem is not None:
            return dialect.invalid_response(problem)
        assert isinstance(model, str) and isinstance(body, dict)
        turn = state.book.turn_for(model, index, dialect.echo_text(body))
        fault = turn.fault_for(attempt)
        if fault is not None and fault.kind == "status":
            return dialect.error_response(fault.status, retry_after=fault.retry_after)
        if body.get("stream"):
            return EventStream(
                dialect.frames(turn, model, index, body),
                fault=fault,
                error_frame=dialect.error_frame,
                token_delay=turn.token_delay,
                closing=state.closing,
                headers=dialect.request_headers(),
            )
        answer = dialect.answer(turn, model, index, body)
        if fault is None:
            paced = sum(f.paced for f in dialect.frames(turn, model, index, body))
            await asyncio.sleep(turn.token_delay * paced)
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
            return JSONResponse({"model": model, "deleted": found}, 200 if found else 404)
        try:
            turns = parse_turns(await _json_or_none(request))
        except ScriptError as problem:
            return JSONResponse({"error": str(problem)}, 400)
        state.book.put(model, turns)
        return JSONResponse({"model": model, "turns": len(turns)})

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

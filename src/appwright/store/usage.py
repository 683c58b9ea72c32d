"""Model calls: each answered call's tokens and cost, summed per run and per session, and
the latest provider count of a request's length (what the next request is counted from)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.models.types import Usage
from appwright.store.ids import now
from appwright.store.schema import model_calls, sessions

_KINDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


@dataclass(frozen=True)
class Totals:
    usage: Usage
    cost_usd: float | None  # None when any call's price was unknown
    calls: int


@dataclass(frozen=True)
class CallRecord:
    """A model call as stored: the agent's `ModelCall` and whose call it was."""

    run_id: str
    session_id: str
    model: str
    turn: int
    purpose: str
    usage: Usage
    cost_usd: float | None
    stop_reason: str
    context_messages: int | None


async def record_call(conn: AsyncConnection, call: CallRecord) -> None:
    usage = call.usage
    await conn.execute(
        sa.insert(model_calls).values(
            run_id=call.run_id,
            session_id=call.session_id,
            model=call.model,
            turn=call.turn,
            purpose=call.purpose,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            cost_usd=call.cost_usd,
            stop_reason=call.stop_reason[:40],
            context_messages=call.context_messages,
            created_at=now(),
        )
    )


async def run_totals(conn: AsyncConnection, run_id: str) -> Totals:
    return await _totals(conn, model_calls.c.run_id == run_id)


async def session_totals(conn: AsyncConnection, session_id: str) -> Totals:
    return await _totals(conn, model_calls.c.session_id == session_id)


async def _totals(conn: AsyncConnection, where: Any) -> Totals:
    row = (await conn.execute(sa.select(*_sums()).where(where))).one()
    return _to_totals(row)


async def app_session_totals(conn: AsyncConnection, app_id: str) -> dict[str, Totals]:
    """Each of the app's sessions that made a model call, with its totals."""
    rows = await conn.execute(
        sa.select(model_calls.c.session_id, *_sums())
        .join(sessions, sessions.c.id == model_calls.c.session_id)
        .where(sessions.c.app_id == app_id)
        .group_by(model_calls.c.session_id)
    )
    return {row[0]: _to_totals(row[1:]) for row in rows}


def _sums() -> list[Any]:
    """The token sums, the cost sum, the calls, and the calls with a known cost."""
    return [
        *(sa.func.coalesce(sa.func.sum(model_calls.c[k]), 0) for k in _KINDS),
        sa.func.sum(model_calls.c.cost_usd),
        sa.func.count(model_calls.c.id),
        sa.func.count(model_calls.c.cost_usd),
    ]


def _to_totals(row: Sequence[Any]) -> Totals:
    usage = Usage(*(int(v) for v in row[:4]))
    cost, calls, priced = row[4], int(row[5]), int(row[6])
    if priced < calls:
        return Totals(usage, None, calls)
    return Totals(usage, round(float(cost or 0.0), 6), calls)


async def latest_measure(conn: AsyncConnection, session_id: str) -> tuple[int, int] | None:
    """(prompt tokens, conversation messages) of the session's latest counted request."""
    prompt = ("input_tokens", "cache_read_tokens", "cache_write_tokens")
    row = (
        await conn.execute(
            sa.select(*(model_calls.c[k] for k in prompt), model_calls.c.context_messages)
            .where(
                model_calls.c.session_id == session_id,
                model_calls.c.context_messages.is_not(None),
            )
            .order_by(model_calls.c.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    tokens = row[0] + row[1] + row[2]
    return (tokens, row[3]) if tokens > 0 else None


async def forget_measures(conn: AsyncConnection, session_id: str) -> None:
    """The conversation was rewritten: no earlier count describes a prefix of it any more."""
    await conn.execute(
        sa.update(model_calls)
        .where(model_calls.c.session_id == session_id, model_calls.c.context_messages.is_not(None))
        .values(context_messages=None)
    )


async def last_stop_reason(conn: AsyncConnection, run_id: str) -> str | None:
    """How the run's latest answered turn ended (None: no turn answered yet)."""
    return await conn.scalar(
        sa.select(model_calls.c.stop_reason)
        .where(model_calls.c.run_id == run_id, model_calls.c.purpose == "turn")
        .order_by(model_calls.c.id.desc())
        .limit(1)
    )

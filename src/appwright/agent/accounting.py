"""What a run's model calls used and cost: recorded after every answered call, and asked
before every call how much output the run's limits still allow.

The totals live in the run's state (`RunState.usage`, `cost_usd`), so a run taken over by
another process starts from what the store recorded for it; each answered call is recorded
through the `record_call` seam and announced as a `model.usage` event, and the provider's
count of a turn's prompt becomes the baseline the next request is counted from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from appwright.agent.budget import RunLimits, output_allowance
from appwright.agent.context import Measured
from appwright.agent.parallel import Emit
from appwright.events.types import ModelUsage
from appwright.models.catalog import ModelInfo, cost_usd
from appwright.models.types import Reply, Usage

if TYPE_CHECKING:
    from appwright.agent.loop import RunState

CallPurpose = Literal["turn", "summary"]


@dataclass(frozen=True)
class ModelCall:
    """One answered model call, as recorded."""

    turn: int
    purpose: CallPurpose
    usage: Usage
    cost_usd: float | None
    stop_reason: str
    # How many conversation messages the request carried (None: not a turn's request).
    context_messages: int | None


RecordCall = Callable[[ModelCall], Awaitable[None]]


class Meter:
    def __init__(
        self,
        *,
        model: str,
        info: ModelInfo,
        limits: RunLimits,
        state: RunState,
        emit: Emit,
        record_call: RecordCall | None,
        window: Callable[[], int],
    ) -> None:
        self.model = model
        self.info = info
        self.limits = limits
        self.state = state
        self.emit = emit
        self.record_call = record_call
        self.window = window

    def allowance(self, prompt_tokens: int, max_tokens: int) -> int:
        """The output the next call may ask for; raises BudgetExceeded (see budget.py)."""
        return output_allowance(
            self.limits,
            model=self.model,
            price=self.info.price,
            used=self.state.usage,
            cost_usd=self.state.cost_usd,
            prompt_tokens=prompt_tokens,
            max_tokens=max_tokens,
        )

    async def record(
        self, reply: Reply, *, purpose: CallPurpose, context_messages: int | None
    ) -> None:
        usage = reply.end.usage
        cost = cost_usd(self.info.price, usage)
        state = self.state
        state.usage = state.usage + usage
        state.cost_usd = None if cost is None or state.cost_usd is None else state.cost_usd + cost
        if context_messages is not None and usage.prompt_tokens > 0:
            state.measured = Measured(usage.prompt_tokens, context_messages)
        call = ModelCall(
            turn=state.turn,
            purpose=purpose,
            usage=usage,
            cost_usd=cost,
            stop_reason=reply.end.stop_reason,
            context_messages=context_messages,
        )
        if self.record_call is not None:
            await self.record_call(call)
        self.emit(
            ModelUsage(
                turn=state.turn,
                purpose=purpose,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=usage.cache_read_tokens,
                cache_write_tokens=usage.cache_write_tokens,
                cost_usd=cost,
                context_tokens=usage.prompt_tokens,
                context_window=self.window(),
                run_id=state.run_id,
            )
        )

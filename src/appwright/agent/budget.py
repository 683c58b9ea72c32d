"""A run's spending limits (`APPWRIGHT_MAX_RUN_TOKENS`, `APPWRIGHT_MAX_RUN_COST_USD`),
decided before each model call (pure).

A request's cost is not known until it is answered, so the decision assumes the worst
within what the request allows: its whole prompt billed at the dearest input rate (a cache
write) and `max_tokens` of output. The request then asks for no more output than the limits
leave room for; when that room is too small to be useful, the run ends `failed` with
`budget_exceeded` before the call, so the limit is never passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from appwright.errors import AppwrightError
from appwright.models.catalog import MILLION, Price
from appwright.models.types import Usage

# Below this much room for output a call is not worth making.
MIN_OUTPUT_TOKENS = 1024


class BudgetExceeded(AppwrightError):
    default_code = "budget_exceeded"


@dataclass(frozen=True)
class RunLimits:
    max_tokens: int | None = None  # every token of every call: prompt and output
    max_cost_usd: float | None = None


def output_allowance(
    limits: RunLimits,
    *,
    model: str,
    price: Price | None,
    used: Usage,
    cost_usd: float | None,
    prompt_tokens: int,
    max_tokens: int,
) -> int:
    """The `max_tokens` the next call may ask for; raises BudgetExceeded when the limits
    leave too little room. `used`/`cost_usd`: the run's calls so far."""
    allowed = max_tokens
    if limits.max_tokens is not None:
        room = limits.max_tokens - used.total_tokens - prompt_tokens
        allowed = min(allowed, room)
        if allowed < min(MIN_OUTPUT_TOKENS, max_tokens):
            raise BudgetExceeded(
                f"This request has used {used.total_tokens} of the {limits.max_tokens} tokens a "
                "request may use (APPWRIGHT_MAX_RUN_TOKENS), and the next model call could pass "
                "that limit, so the request stopped here."
            )
    if limits.max_cost_usd is not None:
        if price is None:
            raise BudgetExceeded(
                f"A cost limit is set (APPWRIGHT_MAX_RUN_COST_USD) but the price of {model} is "
                "unknown, so the cost of a call cannot be kept under it. Set its price with "
                "APPWRIGHT_MODEL_PRICES."
            )
        spent = cost_usd or 0.0
        prompt_worst = prompt_tokens * max(price.input, price.cache_write) / MILLION
        room_usd = limits.max_cost_usd - spent - prompt_worst
        allowed = min(allowed, int(room_usd * MILLION / price.output) if price.output else allowed)
        if allowed < min(MIN_OUTPUT_TOKENS, max_tokens):
            raise BudgetExceeded(
                f"This request has cost ${spent:.4f} of the ${limits.max_cost_usd:g} a request may "
                "cost (APPWRIGHT_MAX_RUN_COST_USD), and the next model call could pass that "
                "limit, so the request stopped here."
            )
    return allowed

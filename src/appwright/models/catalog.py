"""What we know about each model: its context window, its largest output, and its price.

Looked up by the longest known prefix of the model's name, so a dated snapshot
(`claude-sonnet-4-5-20250929`) finds its family. Prices are USD per million tokens as the
providers publish them; a deployment overrides or adds them with `APPWRIGHT_MODEL_PRICES`
and sets the window with `APPWRIGHT_CONTEXT_TOKENS`. An unknown model gets a deliberately
small window (so requests stay small enough for most local models) and no price: its cost
is reported as unknown rather than guessed.

Cache prices: Anthropic bills a cache write at 1.25x the input price and a cache read at
0.1x; OpenAI bills no surcharge for writing and about half (or less) for reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from appwright.models.types import Usage

MILLION = 1_000_000
T = TypeVar("T")


@dataclass(frozen=True)
class Price:
    """USD per million tokens of each kind."""

    input: float
    output: float
    cache_read: float
    cache_write: float

    def cost(self, usage: Usage) -> float:
        return (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_read_tokens * self.cache_read
            + usage.cache_write_tokens * self.cache_write
        ) / MILLION


@dataclass(frozen=True)
class ModelInfo:
    context_window: int
    max_output_tokens: int
    price: Price | None


def _anthropic(window: int, max_output: int, input_price: float, output: float) -> ModelInfo:
    price = Price(input_price, output, round(input_price * 0.1, 6), round(input_price * 1.25, 6))
    return ModelInfo(window, max_output, price)


def _openai(
    window: int, max_output: int, input_price: float, cached: float, output: float
) -> ModelInfo:
    return ModelInfo(window, max_output, Price(input_price, output, cached, input_price))


KNOWN: dict[str, ModelInfo] = {
    "claude-opus-4-5": _anthropic(200_000, 64_000, 5.0, 25.0),
    "claude-opus-4-1": _anthropic(200_000, 32_000, 15.0, 75.0),
    "claude-opus-4": _anthropic(200_000, 32_000, 15.0, 75.0),
    "claude-sonnet-4-5": _anthropic(200_000, 64_000, 3.0, 15.0),
    "claude-sonnet-4": _anthropic(200_000, 64_000, 3.0, 15.0),
    "claude-3-7-sonnet": _anthropic(200_000, 64_000, 3.0, 15.0),
    "claude-haiku-4-5": _anthropic(200_000, 64_000, 1.0, 5.0),
    "claude-3-5-haiku": _anthropic(200_000, 8_192, 0.8, 4.0),
    "claude-3-haiku": _anthropic(200_000, 4_096, 0.25, 1.25),
    # Any other Claude model: the window every Claude model has; price unknown.
    "claude-": ModelInfo(200_000, 8_192, None),
    "gpt-4o-mini": _openai(128_000, 16_384, 0.15, 0.075, 0.6),
    "gpt-4o": _openai(128_000, 16_384, 2.5, 1.25, 10.0),
    "gpt-4.1-nano": _openai(1_047_576, 32_768, 0.1, 0.025, 0.4),
    "gpt-4.1-mini": _openai(1_047_576, 32_768, 0.4, 0.1, 1.6),
    "gpt-4.1": _openai(1_047_576, 32_768, 2.0, 0.5, 8.0),
    "gpt-5-nano": _openai(400_000, 128_000, 0.05, 0.005, 0.4),
    "gpt-5-mini": _openai(400_000, 128_000, 0.25, 0.025, 2.0),
    "gpt-5": _openai(400_000, 128_000, 1.25, 0.125, 10.0),
}
UNKNOWN = ModelInfo(context_window=32_000, max_output_tokens=8_192, price=None)


def model_info(
    model: str,
    *,
    context_tokens: int | None = None,
    prices: Mapping[str, Price] | None = None,
) -> ModelInfo:
    """The model's facts, with the deployment's window and prices applied over ours."""
    info = _lookup(KNOWN, model) or UNKNOWN
    price = _lookup(prices or {}, model)
    if price is not None:
        info = replace(info, price=price)
    if context_tokens is not None:
        info = replace(info, context_window=context_tokens)
    return info


def _lookup(table: Mapping[str, T], model: str) -> T | None:
    matches = [name for name in table if model.startswith(name)]
    return table[max(matches, key=len)] if matches else None


def cost_usd(price: Price | None, usage: Usage) -> float | None:
    return None if price is None else round(price.cost(usage), 6)

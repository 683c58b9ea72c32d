"""Run limits are decided before a call, assuming the worst the call could cost."""

import pytest

from appwright.agent.budget import BudgetExceeded, RunLimits, output_allowance
from appwright.models.catalog import Price
from appwright.models.types import Usage

SONNET = Price(3.0, 15.0, 0.3, 3.75)


def allowance(
    limits: RunLimits, used: Usage = Usage(), cost: float = 0.0, prompt: int = 1000, price=SONNET
) -> int:
    return output_allowance(
        limits,
        model="m",
        price=price,
        used=used,
        cost_usd=cost,
        prompt_tokens=prompt,
        max_tokens=8000,
    )


def test_no_limits_no_change():
    assert allowance(RunLimits()) == 8000


def test_the_token_limit_shrinks_the_output_then_stops_the_run():
    limits = RunLimits(max_tokens=20_000)
    assert allowance(limits, Usage(input_tokens=5000)) == 8000
    assert allowance(limits, Usage(input_tokens=15_000), prompt=1000) == 4000
    with pytest.raises(BudgetExceeded) as caught:
        allowance(limits, Usage(input_tokens=18_500), prompt=1000)
    assert caught.value.code == "budget_exceeded"
    assert "18500 of the 20000 tokens" in caught.value.message


def test_the_cost_limit_assumes_the_dearest_input_and_all_the_output():
    limits = RunLimits(max_cost_usd=0.10)
    # 1000 prompt tokens at $3.75/M = $0.00375; room $0.09625 buys 6416 output tokens.
    assert allowance(limits) == 6416
    with pytest.raises(BudgetExceeded) as caught:
        allowance(limits, cost=0.09)
    assert "$0.0900 of the $0.1" in caught.value.message


def test_a_cost_limit_on_a_model_without_a_price_is_refused_rather_than_ignored():
    with pytest.raises(BudgetExceeded) as caught:
        allowance(RunLimits(max_cost_usd=1.0), price=None)
    assert "APPWRIGHT_MODEL_PRICES" in caught.value.message

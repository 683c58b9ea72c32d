"""Model facts: windows, output limits and prices by name, with the deployment's overrides."""

from appwright.config import Settings
from appwright.models.catalog import UNKNOWN, Price, cost_usd, model_info
from appwright.models.types import Usage


def test_a_dated_snapshot_finds_its_family_and_the_longest_prefix_wins():
    sonnet = model_info("claude-sonnet-4-5-20250929")
    assert (sonnet.context_window, sonnet.max_output_tokens) == (200_000, 64_000)
    assert sonnet.price == Price(3.0, 15.0, 0.3, 3.75)
    assert model_info("gpt-4o-mini-2024-07-18").price == Price(0.15, 0.6, 0.075, 0.15)
    assert model_info("gpt-4o-2024-08-06").price == Price(2.5, 10.0, 1.25, 2.5)


def test_any_claude_has_claudes_window_and_an_unknown_model_a_small_one_and_no_price():
    future = model_info("claude-someday-9")
    assert future.context_window == 200_000 and future.price is None
    assert model_info("llama3.1:8b") == UNKNOWN
    assert UNKNOWN.context_window == 32_000 and UNKNOWN.price is None


def test_settings_override_the_window_and_prices():
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        model="local-coder-7b",
        context_tokens=16_384,
        model_prices={"local-": {"input": 0.5, "output": 1.5}},
    )
    info = settings.model_info
    assert info.context_window == 16_384
    assert info.price == Price(input=0.5, output=1.5, cache_read=0.5, cache_write=0.5)


def test_cost_in_dollars_by_kind_of_token():
    usage = Usage(
        input_tokens=1_000_000,
        output_tokens=100_000,
        cache_read_tokens=2_000_000,
        cache_write_tokens=400_000,
    )
    sonnet = model_info("claude-sonnet-4-5").price
    assert cost_usd(sonnet, usage) == 3.0 + 1.5 + 0.6 + 1.5
    assert cost_usd(None, usage) is None

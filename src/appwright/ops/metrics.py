"""Prometheus metrics, on a registry owned by the running service (never the global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from appwright.models.types import Usage


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "appwright_http_requests_total",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "appwright_http_request_seconds",
            "HTTP request latency.",
            ["method", "route"],
            registry=self.registry,
        )
        self.runs = Counter(
            "appwright_runs_total", "Finished runs by status.", ["status"], registry=self.registry
        )
        self.takeovers = Counter(
            "appwright_run_takeovers_total",
            "Runs taken over from a process that stopped (resumed, or ended at once), and runs "
            "this process lost to another (lost).",
            ["outcome"],
            registry=self.registry,
        )
        self.model_retries = Counter(
            "appwright_model_retries_total",
            "Model calls retried, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.tool_calls = Counter(
            "appwright_tool_calls_total",
            "Tool calls by tool and status.",
            ["name", "status"],
            registry=self.registry,
        )
        self.tool_seconds = Histogram(
            "appwright_tool_seconds",
            "Tool call duration.",
            ["name"],
            registry=self.registry,
        )
        self.first_token_seconds = Histogram(
            "appwright_time_to_first_token_seconds",
            "From a model request to its first streamed byte of content.",
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
        )
        self.model_tokens = Counter(
            "appwright_model_tokens_total",
            "Model tokens by model and kind (input, output, cache_read, cache_write).",
            ["model", "kind"],
            registry=self.registry,
        )
        self.model_cost = Counter(
            "appwright_model_cost_usd_total",
            "Estimated model cost in USD, by model (calls whose price is known).",
            ["model"],
            registry=self.registry,
        )
        self.compactions = Counter(
            "appwright_context_compactions_total",
            "Conversations condensed to fit the context window, by deepest step taken.",
            ["step"],
            registry=self.registry,
        )
        self.pushes = Counter(
            "appwright_git_pushes_total",
            "Commit/push outcomes by state.",
            ["state"],
            registry=self.registry,
        )
        self.repository_rebuilds = Counter(
            "appwright_git_repository_rebuilds_total",
            "App repositories written again from the database (extended or rebuilt).",
            ["outcome"],
            registry=self.registry,
        )

    def count_usage(self, model: str, usage: Usage, cost_usd: float | None) -> None:
        for kind, tokens in (
            ("input", usage.input_tokens),
            ("output", usage.output_tokens),
            ("cache_read", usage.cache_read_tokens),
            ("cache_write", usage.cache_write_tokens),
        ):
            self.model_tokens.labels(model, kind).inc(tokens)
        if cost_usd is not None:
            self.model_cost.labels(model).inc(cost_usd)

    def render(self) -> bytes:
        return generate_latest(self.registry)

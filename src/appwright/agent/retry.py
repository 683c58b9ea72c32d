"""When to retry a model call, and how long to wait: the one backoff (`backoff.py`), never
shorter than the server's `retry-after` (bounded by MAX_RETRY_AFTER; the run's own deadline
bounds the whole wait in any case)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from appwright.backoff import Backoff

MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    base: float = 1.0
    cap: float = 10.0

    def delay(
        self,
        failed_attempt: int,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait after attempt `failed_attempt` (1-based) failed."""
        jittered = Backoff(self.base, self.cap).delay(failed_attempt, rng)
        if retry_after is not None:
            return min(max(jittered, retry_after), MAX_RETRY_AFTER)
        return jittered

    def allows(self, failed_attempt: int) -> bool:
        return failed_attempt <= self.retries

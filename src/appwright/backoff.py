"""The one backoff policy: exponential, capped, with jitter.

Used by the model-call retry (`agent/retry.py`), the store's retry of a failed transaction
(`store/database.py`), the chat client's reconnect (`chat.py`) and, for a version that could
not be committed or pushed, the git outbox's schedule. A library such as `stamina` fits a
retry loop, but two of these are not loops: the model retry must honour a server's
`retry-after`, and the outbox keeps its schedule in the database across restarts. So the
formula lives here once, and each caller keeps its own loop or schedule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float
    cap: float

    def delay(self, failed_attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after attempt `failed_attempt` (1-based; 0 counts as 1) failed:
        `base * 2**(n-1)`, at most `cap`, then scaled into [50%, 100%) so that callers
        failing together (apps sharing a dead remote, clients of a restarted server) do
        not retry in lockstep."""
        ceiling = min(self.cap, self.base * 2 ** max(failed_attempt - 1, 0))
        return ceiling * (0.5 + (rng or random).random() / 2)

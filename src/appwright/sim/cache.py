"""The sim's prompt cache, per model, keyed on the content of a prompt's prefix.

Anthropic (explicit breakpoints): a request's prefix up to each block marked with
`cache_control` is written to the cache when it is at least `min_tokens` long. A later
request reads the longest prefix it shares with an entry, looking for entries at each of its
own breakpoints and at up to 20 block boundaries before each (as the real API does); it then
writes from there up to its last breakpoint. Billing splits the prompt into what was read
(`cache_read_input_tokens`), what was written (`cache_creation_input_tokens`) and the rest
(`input_tokens`, which includes whatever follows the last breakpoint).

OpenAI (automatic): every prefix of at least `min_tokens` is remembered at block boundaries;
a later request reads the longest remembered one, counted in 128-token steps
(`prompt_tokens_details.cached_tokens`), and nothing is billed for writing.

Entries live five minutes from their last use, like the real caches' default.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from appwright.sim.tokens import Segment

TTL_SECONDS = 300.0
LOOKBACK_BLOCKS = 20
OPENAI_STEP = 128
_PURGE_ABOVE = 10_000


@dataclass(frozen=True)
class PromptUsage:
    input_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass
class PromptCache:
    entries: dict[tuple[str, str], float] = field(default_factory=dict)

    def explicit(self, model: str, prompt: list[Segment], min_tokens: int) -> PromptUsage:
        total = prompt[-1].prefix_tokens if prompt else 0
        breakpoints = [i for i, s in enumerate(prompt) if s.breakpoint]
        if not breakpoints:
            return PromptUsage(total)
        now = time.monotonic()
        hit = -1
        for b in breakpoints:
            for j in range(b, max(-1, b - LOOKBACK_BLOCKS), -1):
                if j > hit and self._alive(model, prompt[j].prefix_hash, now):
                    hit = j
                    break
        read = prompt[hit].prefix_tokens if hit >= 0 else 0
        if hit >= 0:
            self._keep(model, prompt[hit].prefix_hash, now)
        written_to = max(breakpoints)
        for b in breakpoints:
            if prompt[b].prefix_tokens >= min_tokens:
                self._keep(model, prompt[b].prefix_hash, now)
        write = 0
        if written_to > hit and prompt[written_to].prefix_tokens >= min_tokens:
            write = prompt[written_to].prefix_tokens - read
        return PromptUsage(total - read - write, read, write)

    def automatic(self, model: str, prompt: list[Segment], min_tokens: int) -> PromptUsage:
        total = prompt[-1].prefix_tokens if prompt else 0
        now = time.monotonic()
        read = 0
        for segment in reversed(prompt):
            if self._alive(model, segment.prefix_hash, now):
                read = segment.prefix_tokens // OPENAI_STEP * OPENAI_STEP
                break
        for segment in prompt:
            if segment.prefix_tokens >= min_tokens:
                self._keep(model, segment.prefix_hash, now)
        read = read if read >= min_tokens else 0
        return PromptUsage(total - read, read)

    def forget(self, model: str) -> None:
        for key in [k for k in self.entries if k[0] == model]:
            del self.entries[key]

    def _alive(self, model: str, prefix_hash: str, now: float) -> bool:
        expires = self.entries.get((model, prefix_hash))
        return expires is not None and expires > now

    def _keep(self, model: str, prefix_hash: str, now: float) -> None:
        if len(self.entries) > _PURGE_ABOVE:
            self.entries = {k: t for k, t in self.entries.items() if t > now}
        self.entries[(model, prefix_hash)] = now + TTL_SECONDS

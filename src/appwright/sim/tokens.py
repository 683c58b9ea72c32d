"""How the sim counts tokens, and a request's prompt as the prompt cache sees it.

The sim's tokenizer is a fixed rate, 3.5 characters a token over each block's JSON (about
what Claude's tokenizer gives for code and English), so counts are stable and easy to
reason about in tests while still being larger than a naive characters/4. Clients must not
depend on the rate: they get the counts back in `usage`, as from a real API.

A prompt is a list of `Segment`s in the order the model reads it (tools, system, then each
message's blocks). Each carries its tokens, a hash of everything up to and including it,
and whether the client marked it as a cache breakpoint; `cache.py` works on these.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 3.5
# Role markers and separators the model sees around each message.
MESSAGE_OVERHEAD = 3


def count(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


def chars_for(tokens: int) -> int:
    """The most characters that fit in `tokens`."""
    return int(tokens * CHARS_PER_TOKEN)


def canonical(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Segment:
    tokens: int
    prefix_tokens: int
    prefix_hash: str
    breakpoint: bool


def segments(parts: Iterable[tuple[Any, int, bool]]) -> list[Segment]:
    """(JSON value, extra tokens, breakpoint) in reading order -> segments with running
    totals and prefix hashes. A value's `cache_control` is not part of its content."""
    out: list[Segment] = []
    digest = hashlib.sha256()
    total = 0
    for value, extra, marked in parts:
        content = (
            {k: v for k, v in value.items() if k != "cache_control"}
            if isinstance(value, dict)
            else value
        )
        text = canonical(content)
        digest.update(text.encode())
        digest.update(b"\0")
        tokens = count(text) + extra
        total += tokens
        out.append(Segment(tokens, total, digest.copy().hexdigest(), marked))
    return out


def marked(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("cache_control"), dict)

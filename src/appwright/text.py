"""The one rule for text that crosses a boundary: valid Unicode without NUL, and NFC for names.

A Python `str` can hold what no UTF-8 encoder, database or browser accepts. A lone UTF-16
surrogate (from a JSON escape such as `"\\ud800"`, or a file name that was not UTF-8) cannot
be encoded at all: stored in a JSON column it reads back fine but fails every response that
carries it. PostgreSQL's `text` refuses NUL. So text is checked where it enters, once:

- `check` / `check_tree` refuse it with a 4xx code: input someone can correct (HTTP bodies
  and URLs, WebSocket frames, names, messages, imported files);
- `repair` / `repair_tree` replace each offending character with U+FFFD: text that is only
  shown or handed back (the model's words, web search results, every event as it is
  serialised), so that a session's log can always be read back whatever was written into it;
- `name` adds NFC normalisation, so names that differ only in how an accent is encoded
  ("é" as one code point or as "e" + U+0301) are one name.

The model's tool inputs are checked with `find_in_tree`: a call whose input is not valid
text is refused with an error result for the model (see `models/types.py`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from appwright.errors import InvalidInput

REPLACEMENT = "\ufffd"
# JSON documents we accept are shallow; a deeper one is an attack on a recursive parser.
MAX_DEPTH = 64

_BAD = re.compile("[\x00\ud800-\udfff]")


def find(text: str) -> str | None:
    """What makes `text` unacceptable, in words, or None when it is fine."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"
    return f"{what} at position {found.start()}"


def check(text: str, what: str, *, code: str = "invalid_text") -> str:
    """`text`, or InvalidInput(code) naming `what` and the offending character."""
    problem = find(text)
    if problem is not None:
        raise InvalidInput(
            f"{what} contains {problem}; text must be valid Unicode without NUL characters.",
            code=code,
        )
    return text


def name(text: str, what: str, *, code: str = "invalid_text") -> str:
    """A name as we keep it: checked, then NFC-normalised."""
    return unicodedata.normalize("NFC", check(text, what, code=code))


def repair(text: str) -> str:
    """`text` with each NUL and each lone surrogate replaced by U+FFFD. Two surrogate
    halves that happen to be adjacent (a character split across two chunks) are joined."""
    if _BAD.search(text) is None:
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.replace("\x00", REPLACEMENT)


@dataclass(frozen=True)
class Problem:
    """What is wrong in a JSON-like value, and where, in words."""

    description: str
    too_deep: bool = False

    def __str__(self) -> str:
        return self.description


def find_in_tree(value: Any, where: str = "", depth: int = 0) -> Problem | None:
    """The first problem in a JSON-like value (keys included), or None."""
    if depth > MAX_DEPTH:
        return Problem(f"nesting deeper than {MAX_DEPTH} levels", too_deep=True)
    if isinstance(value, str):
        problem = find(value)
        return Problem(f"{problem} in {where or 'the value'}") if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            if (problem := find(str(key))) is not None:
                return Problem(f"{problem} in a key of {where or 'the object'}")
            here = f"{where}.{key}" if where else str(key)
            if (found := find_in_tree(item, here, depth + 1)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := find_in_tree(item, f"{where}[{index}]", depth + 1)) is not None:
                return found
    return None


def check_tree(
    value: Any, what: str, *, code: str = "invalid_text", deep_code: str = "invalid_json"
) -> Any:
    """`value` (parsed JSON), or InvalidInput saying what is wrong and where: `code` for
    text that breaks the rule, `deep_code` for nesting deeper than MAX_DEPTH."""
    problem = find_in_tree(value)
    if problem is None:
        return value
    if problem.too_deep:
        raise InvalidInput(f"{what} has {problem}.", code=deep_code)
    shown = str(problem) if len(str(problem)) <= 300 else str(problem)[:299] + "…"
    raise InvalidInput(
        f"{what} contains {shown}; text must be valid Unicode without NUL characters.",
        code=code,
    )


def repair_tree(value: Any, depth: int = 0) -> Any:
    """`value` with every string (keys included) repaired; unchanged parts keep their
    identity, so a clean value costs one walk and no copies."""
    if isinstance(value, str):
        return repair(value)
    if depth > MAX_DEPTH:
        return REPLACEMENT
    if isinstance(value, dict):
        items = [
            (repair(k) if isinstance(k, str) else k, repair_tree(v, depth + 1))
            for k, v in value.items()
        ]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return dict(items)
    if isinstance(value, list):
        repaired = [repair_tree(v, depth + 1) for v in value]
        return value if all(a is b for a, b in zip(repaired, value, strict=True)) else repaired
    return value

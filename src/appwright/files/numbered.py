"""Files as the model reads them: numbered lines, a window at a time.

`get_current_code` shows `  12→text` for each line, so that refusals and results can name
lines and the model can read a big file in windows (`offset`, `limit`) instead of flooding
its context. The number and the arrow are not part of the file; a model that copies them
back into `old_code` anyway is recognised (`strip_numbers`): every line carries the prefix
and the numbers run on one by one, which real code never does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ARROW = "→"
LONG_LINE = 2000  # characters of one line shown; a minified line would flood the window
_PREFIX = re.compile(r"^ *(\d+)" + ARROW)


def numbered(lines: Sequence[str], first: int, width: int | None = None) -> str:
    """`lines` numbered from `first`, numbers right-aligned, long lines cut."""
    width = width or len(str(first + len(lines) - 1))
    return "\n".join(f"{first + i:>{width}}{ARROW}{_cut(line)}" for i, line in enumerate(lines))


def _cut(line: str) -> str:
    if len(line) <= LONG_LINE:
        return line
    return f"{line[:LONG_LINE]}… [line cut: it has {len(line):,} characters]"


def split_lines(content: str) -> list[str]:
    """The file's lines; a final line ending does not start another line."""
    if not content:
        return []
    lines = content.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class Window:
    text: str  # the numbered lines shown
    first: int  # first and last line shown (1-based); last < first when none
    last: int
    total: int  # lines in the file
    cut_by: str | None  # "lines" or "bytes" when the window stopped before `limit` or the end


def window(content: str, offset: int, limit: int, max_bytes: int) -> Window:
    """Lines `offset`.. of `content`, at most `limit` of them and about `max_bytes` of text."""
    lines = split_lines(content)
    total = len(lines)
    first = max(1, offset)
    last = min(total, first + limit - 1)
    cut_by = "lines" if last < total else None
    size = 0
    for number in range(first, last + 1):
        size += len(_cut(lines[number - 1]).encode("utf-8")) + 8
        if size > max_bytes and number > first:
            last, cut_by = number - 1, "bytes"
            break
    shown = lines[first - 1 : last]
    return Window(numbered(shown, first, len(str(last))), first, last, total, cut_by)


def strip_numbers(text: str) -> str | None:
    """`text` without the line numbers `numbered` adds, when every line carries one and
    they run on one by one; None when `text` is not such a copy."""
    lines = text.split("\n")
    final_newline = len(lines) > 1 and lines[-1] == ""
    if final_newline:
        lines.pop()
    matches = [_PREFIX.match(line) for line in lines]
    if not lines or not all(matches):
        return None
    numbers = [int(m.group(1)) for m in matches if m]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None
    body = [line[m.end() :] for line, m in zip(lines, matches, strict=True) if m]
    return "\n".join(body) + ("\n" if final_newline else "")


def strip_numbers_where_present(text: str) -> str:
    """new_code written beside a numbered old_code: each line loses a number it carries."""
    return "\n".join(_PREFIX.sub("", line, count=1) for line in text.split("\n"))

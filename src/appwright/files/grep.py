"""`search_code`: a regular expression over the app's text files, answered as `path:line: text`.

The model finds code with it instead of reading files one by one, so the answer is short
and says when it is cut: at most `MAX_HITS` lines, each at most `MAX_LINE` characters (a
long line is shown around its match). Patterns use Python's syntax through the `regex`
module, whose matching can be bounded in time: a pattern that backtracks catastrophically
(`(a|aa)+$`) stops at `TIME_LIMIT` with an error saying so, instead of holding a worker.
Nothing here does I/O; the caller runs it off the event loop.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

import regex

from appwright.errors import ToolError

MAX_HITS = 100
MAX_LINE = 200
TIME_LIMIT = 2.0


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    searched: int  # files searched (those the glob selects)
    capped: bool  # more lines matched than are listed

    def answer(self, pattern: str, path_glob: str | None) -> str:
        scope = _count(self.searched, "file") + (f" matching {path_glob!r}" if path_glob else "")
        if not self.hits:
            return f"No line matches /{pattern}/ in {scope}."
        lines = [f"{h.path}:{h.line}: {h.text}" for h in self.hits]
        files = len({h.path for h in self.hits})
        if self.capped:
            lines.append(
                f"(Only the first {len(self.hits)} matching lines are shown; more lines match. "
                "Narrow the pattern or path_glob to see the rest.)"
            )
        else:
            lines.append(f"({_count(len(self.hits), 'matching line')} in {files} of {scope}.)")
        return "\n".join(lines)

    @property
    def summary(self) -> str:
        if not self.hits:
            return "no matches"
        return f"{_count(len(self.hits), 'matching line')}{' (capped)' if self.capped else ''}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def search(
    files: Mapping[str, str],
    pattern: str,
    path_glob: str | None = None,
    *,
    max_hits: int = MAX_HITS,
    time_limit: float = TIME_LIMIT,
) -> Found:
    compiled = _compile(pattern)
    selects = Glob.parse(path_glob) if path_glob else None
    deadline = time.monotonic() + time_limit
    hits: list[Hit] = []
    searched = 0
    for path in sorted(files):
        if selects is not None and not selects(path):
            continue
        searched += 1
        content = files[path]
        starts: list[int] | None = None
        last_line = 0
        remaining = deadline - time.monotonic()
        try:
            for match in compiled.finditer(content, timeout=max(0.001, remaining)):
                if starts is None:
                    starts = _line_starts(content)
                line = bisect_right(starts, match.start())
                if line == last_line:
                    continue  # one answer line per file line
                last_line = line
                if len(hits) == max_hits:
                    return Found(hits, searched, capped=True)
                hits.append(Hit(path, line, _excerpt(content, starts, line, match.start())))
        except TimeoutError:
            raise ToolError(
                f"search_code stopped: /{pattern}/ took longer than {time_limit:g} s (on "
                f"{path}). The pattern backtracks too much; avoid nested repetition such as "
                "(a+)+ or (a|aa)*, or narrow path_glob.",
                code="search_too_slow",
            ) from None
    return Found(hits, searched, capped=False)


def _compile(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.MULTILINE | regex.VERSION0)
    except regex.error as error:
        where = f" at position {error.pos}" if getattr(error, "pos", None) is not None else ""
        raise ToolError(
            f"search_code: /{pattern}/ is not a valid regular expression ({error.msg}{where}). "
            "Escape characters such as ( ) [ ] { } . * + ? | \\ with a backslash to match "
            "them literally.",
            code="invalid_pattern",
        ) from None


def _line_starts(content: str) -> list[int]:
    starts = [0]
    at = content.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = content.find("\n", at + 1)
    return starts


def _excerpt(content: str, starts: list[int], line: int, at: int) -> str:
    begin = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(content)
    text = content[begin:end].rstrip("\r")
    if len(text) <= MAX_LINE:
        return text
    column = at - begin
    first = max(0, min(column - MAX_LINE // 3, len(text) - MAX_LINE))
    shown = text[first : first + MAX_LINE]
    return ("…" if first else "") + shown + ("…" if first + MAX_LINE < len(text) else "")


@dataclass(frozen=True)
class Glob:
    """Paths matching a glob: `*` and `?` stay within a folder, `**` crosses folders,
    `{a,b}` is either, `[...]` a class; a glob without `/` matches a file in any folder."""

    compiled: re.Pattern[str]

    @classmethod
    def parse(cls, glob: str) -> Glob:
        body = _glob_regex(glob)
        try:
            return cls(re.compile(body if "/" in glob else f"(?:.*/)?{body}"))
        except re.error as error:
            raise ToolError(
                f"path_glob {glob!r} is not valid: {error}.", code="invalid_glob"
            ) from None

    def __call__(self, path: str) -> bool:
        return self.compiled.fullmatch(path) is not None


def _glob_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    depth = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        elif c == "[":
            close = glob.find("]", i + 1)
            if close > i + 1:
                members = glob[i + 1 : close]
                out.append("[" + ("^" + members[1:] if members[0] == "!" else members) + "]")
                i = close + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ToolError(f"path_glob {glob!r} has an unclosed '{{'.", code="invalid_glob")
    return "".join(out)

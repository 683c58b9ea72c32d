"""Where `old_code` is in a file: a cascade of ever more tolerant comparisons.

Models copy `old_code` imperfectly: a tab for four spaces, blanks at line ends, LF for CRLF,
a straight quote for a curly one. Each level of the cascade compares a normalised copy of
the file with a normalised copy of `old_code`; the levels are cumulative, each ignoring
everything the previous ones did and one thing more:

    exact                 the text as given
    trailing_whitespace   spaces and tabs at line ends, and blank lines around old_code
    line_endings          CRLF and LF read alike
    indentation           leading whitespace (a place then takes in its first line's)
    look_alikes           typographic quotes, dashes, odd spaces, "…" read as ASCII

The first level that finds any place decides. One place: that is the match. Two or more:
ambiguous, and the edit is refused, because every looser level would find at least as many
and choosing one would be a guess. None at any level: not found.

A normalised view keeps, for each of its characters, where it came from in the original
text, so a place found in the view is a span of the original. Views are built line by line
and lazily (the exact level needs none), so a large file costs little unless it is needed.
Nothing here does I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from enum import IntEnum

MAX_PLACES = 100


class Level(IntEnum):
    EXACT = 0
    TRAILING_WHITESPACE = 1
    LINE_ENDINGS = 2
    INDENTATION = 3
    LOOK_ALIKES = 4

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Level.EXACT: "exactly",
    Level.TRAILING_WHITESPACE: "ignoring whitespace at line ends",
    Level.LINE_ENDINGS: "ignoring line endings (CRLF/LF)",
    Level.INDENTATION: "ignoring indentation",
    Level.LOOK_ALIKES: "reading typographic quotes and look-alike characters as plain ones",
}

# What a model types for a character it copied (or the reverse); each reads as its value.
LOOK_ALIKES: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"),
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u200a\u202f", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
    "\u2026": "...",
}
_BLANKS = " \t"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class _Line:
    text: str  # the normalised body, without its line ending
    start: int  # where the line starts in the original
    origin: int | tuple[int, ...]  # offset in the original of text[0] (linear), or of each char
    ending: Span | None  # the original line ending ("\n" or "\r\n"), if any

    def offset(self, k: int) -> int:
        if isinstance(self.origin, int):
            return self.start + self.origin + k
        return self.start + self.origin[k]


class View:
    """`original` normalised at `level`, with a map back to the original's offsets."""

    def __init__(self, original: str, level: Level) -> None:
        self.original = original
        self.level = level
        self.lines: list[_Line] = []
        self.starts: list[int] = []  # offset in `text` of each line
        parts: list[str] = []
        at = position = 0
        for raw in original.split("\n"):
            has_ending = at + len(raw) < len(original)
            body, ending = raw, Span(at + len(raw), at + len(raw) + 1) if has_ending else None
            if level >= Level.LINE_ENDINGS and body.endswith("\r"):
                body = body[:-1]
                ending = Span(at + len(body), at + len(raw) + (1 if has_ending else 0))
            line = _normalise_line(body, at, ending, level)
            self.lines.append(line)
            self.starts.append(position)
            parts.append(line.text + ("\n" if ending else ""))
            position += len(parts[-1])
            at += len(raw) + 1
        self.text = "".join(parts)

    def line_of(self, p: int) -> int:
        return bisect_right(self.starts, p) - 1

    def origin(self, p: int) -> Span:
        """The original characters that normalised character `p` stands for."""
        i = self.line_of(p)
        line = self.lines[i]
        k = p - self.starts[i]
        if k >= len(line.text):
            assert line.ending is not None
            return line.ending
        offset = line.offset(k)
        return Span(offset, offset + 1)

    def at_line_start(self, p: int) -> bool:
        return p == self.starts[self.line_of(p)]


def _normalise_line(body: str, start: int, ending: Span | None, level: Level) -> _Line:
    if level == Level.EXACT:
        return _Line(body, start, 0, ending)
    chars: list[str] | None = None
    origins: list[int] = []
    if level >= Level.LOOK_ALIKES and not body.isascii():
        chars = []
        for k, c in enumerate(body):
            mapped = LOOK_ALIKES.get(c, c)
            chars.extend(mapped)
            origins.extend([k] * len(mapped))
    text = "".join(chars) if chars is not None else body
    end = len(text.rstrip(_BLANKS))
    begin = len(text) - len(text.lstrip(_BLANKS)) if level >= Level.INDENTATION else 0
    begin = min(begin, end)
    if chars is None:
        return _Line(text[begin:end], start, begin, ending)
    return _Line(text[begin:end], start, tuple(origins[begin:end]), ending)


@dataclass(frozen=True)
class Needle:
    """old_code as searched for at one level: blank lines around it dropped (beyond exact)."""

    text: str  # old_code with the blank lines around it removed
    view: View
    dropped_before: int  # blank lines removed before and after
    dropped_after: int


def drop_blank_lines(
    text: str, before: int | None = None, after: int | None = None
) -> tuple[str, int, int]:
    """`text` without its leading and trailing whitespace-only lines (at most `before` and
    `after` of them when given); a final line ending is kept. Returns how many went."""
    lines = text.split("\n")
    final_newline = len(lines) > 1 and lines[-1] == ""
    if final_newline:
        lines.pop()
    lead = 0
    while lead < len(lines) - 1 and not lines[lead].strip() and (before is None or lead < before):
        lead += 1
    trail = 0
    while (
        len(lines) - trail - 1 > lead
        and not lines[len(lines) - trail - 1].strip()
        and (after is None or trail < after)
    ):
        trail += 1
    kept = lines[lead : len(lines) - trail]
    return "\n".join(kept) + ("\n" if final_newline or trail else ""), lead, trail


@dataclass(frozen=True)
class Located:
    """The outcome of the cascade: the level that decided and every place it found there
    (none: not found at any level)."""

    level: Level
    spans: tuple[Span, ...]
    needle: Needle | None = None  # as searched at `level` (None for exact)
    view: View | None = None  # the file's view at `level` (None for exact)
    positions: tuple[int, ...] = ()  # where each span starts in `view`

    @property
    def unique(self) -> bool:
        return len(self.spans) == 1


def locate(content: str, old_code: str) -> Located:
    exact = _occurrences(content, old_code)
    if old_code[:1] in _BLANKS:
        exact = [p for p in exact if not _inside_indentation(content, p)]
    if exact:
        return Located(Level.EXACT, tuple(Span(p, p + len(old_code)) for p in exact))
    for level in list(Level)[1:]:
        found = _locate_at(content, old_code, level)
        if found is not None:
            return found
    return Located(Level.LOOK_ALIKES, ())


def _locate_at(content: str, old_code: str, level: Level) -> Located | None:
    view: View | None = None
    for wanted in _needles(old_code, level):
        if not wanted.view.text.strip():
            return None  # nothing but whitespace: only an exact match may place it
        view = view or View(content, level)
        found = _places(view, wanted)
        if found is not None:
            return found
    return None


def _needles(old_code: str, level: Level) -> list[Needle]:
    """old_code as given, then (if that differs) without the blank lines around it: a
    blank line the model added that the file does not have there."""
    whole = Needle(old_code, View(old_code, level), 0, 0)
    text, before, after = drop_blank_lines(old_code)
    if (before, after) == (0, 0):
        return [whole]
    return [whole, Needle(text, View(text, level), before, after)]


def _places(view: View, wanted: Needle) -> Located | None:
    content = view.original
    spans: list[Span] = []
    positions: list[int] = []
    level = view.level
    last = len(wanted.view.text) - 1
    for p in _occurrences(view.text, wanted.view.text, MAX_PLACES * 4):
        aligned = view.at_line_start(p)
        first, final = view.origin(p), view.origin(p + last)
        if wanted.text[:1] in _BLANKS and not (
            aligned if level >= Level.INDENTATION else not _inside_indentation(content, first.start)
        ):
            continue  # old_code was copied from a line start, so the place must be one
        if p > 0 and view.origin(p - 1) == first:
            continue  # starts inside a character that stands for several ("…" as "...")
        if p + last + 1 < len(view.text) and view.origin(p + last + 1) == final:
            continue
        # A single line copied from its first character continues the file's line as
        # exact matching would; anything else takes its lines whole, to re-indent them.
        whole_line = level >= Level.INDENTATION and aligned and not _one_bare_line(wanted.text)
        start = view.lines[view.line_of(p)].start if whole_line else first.start
        spans.append(Span(start, final.end))
        positions.append(p)
        if len(spans) >= MAX_PLACES:
            break
    if not spans:
        return None
    return Located(level, tuple(spans), wanted, view, tuple(positions))


def _one_bare_line(text: str) -> bool:
    """One line, copied from its first character (blank lines around it aside)."""
    text = drop_blank_lines(text)[0]
    return "\n" not in text.rstrip("\r\n") and text[:1] not in _BLANKS


def _inside_indentation(content: str, p: int) -> bool:
    """Whether `p` is after the start of a line's indentation but not after its end: a
    snippet that starts with blanks was copied from a line start, so a match there means
    the snippet's indentation is not the line's."""
    start = content.rfind("\n", 0, p) + 1
    return start < p and not content[start:p].strip(_BLANKS)


def _occurrences(content: str, needle_text: str, stop_at: int = MAX_PLACES) -> list[int]:
    """Start offsets of `needle_text` in `content`, overlapping ones included."""
    found: list[int] = []
    if not needle_text:
        return found
    start = content.find(needle_text)
    while start >= 0 and len(found) < stop_at:
        found.append(start)
        start = content.find(needle_text, start + 1)
    return found


def line_at(content: str, offset: int) -> int:
    """1-based number of the line holding `offset`."""
    return content.count("\n", 0, offset) + 1


def lines_of(content: str, span: Span) -> tuple[int, int]:
    """First and last line (1-based) of `span`; a span ending with a line ending ends on
    that line."""
    first = line_at(content, span.start)
    end = span.end - 1 if span.end > span.start else span.start
    return first, line_at(content, end)

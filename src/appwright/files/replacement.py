"""new_code as it is written where a tolerant level of the cascade found old_code.

The file keeps its own style: what the model got wrong in old_code it usually got wrong in
new_code too, so new_code is adapted the same way before it is written.

- blank lines the cascade dropped around old_code are dropped around new_code too;
- line endings follow the file's (CRLF stays CRLF), at every level;
- indentation is mapped from the model's to the file's: an indentation string old_code
  shows maps to what it stood for in the matched lines, and any other is placed by the
  linear relation between the two (a shift: the model dropped the common indentation; a
  scale: it used 2 spaces where the file uses 4, or tabs where it uses spaces). When one
  string stood for two, or no such relation holds for a line that needs it, new_code
  cannot be re-indented safely: `Uneven` is raised;
- where new_code keeps characters of old_code unchanged, the file's own characters stay
  (a curly quote the model typed straight is not straightened by the edit).
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from appwright.files.matching import LOOK_ALIKES, Level, Located, Span, drop_blank_lines

TAB = 4


class Uneven(Exception):
    """old_code's indentation differs from the file's in no consistent way."""


@dataclass(frozen=True)
class Adapted:
    text: str
    notes: tuple[str, ...]


def adapt(content: str, located: Located, new_code: str) -> Adapted:
    span = located.spans[0]
    notes: list[str] = []
    text = new_code
    needle = located.needle
    if needle is not None and (needle.dropped_before or needle.dropped_after):
        text = drop_blank_lines(text, needle.dropped_before, needle.dropped_after)[0]
    if located.level >= Level.LOOK_ALIKES:
        text, kept = _keep_file_characters(content, located, text)
        if kept:
            notes.append("the file's own quotes and look-alike characters were kept")
    if located.level >= Level.INDENTATION:
        assert needle is not None
        text, changed = _reindent(content, span, needle.text, text)
        if changed:
            notes.append("new_code was re-indented to the file's indentation")
    ending = _line_ending(content, span)
    converted = text.replace("\r\n", "\n").replace("\n", ending)
    if converted != text:
        notes.append(f"new_code was written with the file's {_NAMES[ending]} line endings")
    return Adapted(converted, tuple(notes))


_NAMES = {"\n": "LF", "\r\n": "CRLF"}


def _line_ending(content: str, span: Span) -> str:
    region = content[span.start : span.end]
    if "\n" in region:
        return "\r\n" if "\r\n" in region else "\n"
    return "\r\n" if content.count("\r\n") * 2 > content.count("\n") else "\n"


# --- indentation -------------------------------------------------------------------------


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def columns(indent: str) -> int:
    return sum(TAB if c == "\t" else 1 for c in indent)


def _reindent(content: str, span: Span, old_text: str, new_text: str) -> tuple[str, bool]:
    # A place that starts inside a line keeps that line's start (and new_code's first line).
    skip = 0 if span.start == 0 or content[span.start - 1] == "\n" else 1
    file_lines = content[span.start : span.end].split("\n")[skip:]
    pairs = [
        (indentation(o), indentation(f))
        for o, f in zip(old_text.split("\n")[skip:], file_lines, strict=False)
        if o.strip()
    ]
    if all(o == f for o, f in pairs):
        return new_text, False
    same: dict[str, str] = {}
    for o, f in pairs:
        if same.setdefault(o, f) != f:
            raise Uneven()
    lines = new_text.split("\n")
    out: list[str] = lines[:skip]
    relation: tuple[float, float] | None = None
    for line in lines[skip:]:
        if not line.strip():
            out.append("\r" if line.endswith("\r") else "")
            continue
        indent = indentation(line)
        mapped = same.get(indent)
        if mapped is None:  # an indentation old_code does not show: place it by relation
            relation = relation or _relation(pairs, content, old_text + "\n" + new_text)
            scale, shift = relation
            cols = max(0, round(scale * columns(indent) + shift))
            mapped = _render(cols, _uses_tabs([f for _o, f in pairs], content))
        out.append(mapped + line[len(indent) :])
    return "\n".join(out), True


def _relation(pairs: list[tuple[str, str]], content: str, model_text: str) -> tuple[float, float]:
    """(scale, shift) with file columns = scale * model columns + shift for every pair."""
    points = sorted({(columns(o), columns(f)) for o, f in pairs})
    shifts = {f - o for o, f in points}
    if len(shifts) == 1:
        shift = shifts.pop()
        if len({o for o, _f in points}) == 1:
            # One level only: the units tell whether deeper new lines must be scaled.
            model_unit, file_unit = _unit(model_text), _unit(content)
            if model_unit and file_unit and model_unit != file_unit:
                scale = file_unit / model_unit
                o, f = points[0]
                return scale, f - scale * o
        return 1.0, float(shift)
    (o1, f1), (o2, f2) = points[0], points[-1]
    if o1 == o2:
        raise Uneven()
    scale = (f2 - f1) / (o2 - o1)
    offset = f1 - scale * o1
    if scale <= 0 or any(abs(scale * o + offset - f) > 0.01 for o, f in points):
        raise Uneven()
    return scale, offset


def _unit(text: str) -> int | None:
    """The indentation step a text uses most (how much deeper a nested line goes)."""
    steps: Counter[int] = Counter()
    previous: int | None = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        col = columns(indentation(line))
        if previous is not None and col > previous:
            steps[col - previous] += 1
        previous = col
    return steps.most_common(1)[0][0] if steps else None


def _uses_tabs(file_indents: list[str], content: str) -> bool:
    indents = [i for i in file_indents if i]
    if not indents:
        indents = [indentation(line) for line in content.split("\n") if line[:1] in (" ", "\t")]
    tabbed = sum(1 for i in indents if "\t" in i)
    return tabbed * 2 > len(indents)


def _render(cols: int, tabs: bool) -> str:
    if tabs:
        return "\t" * (cols // TAB) + " " * (cols % TAB)
    return " " * cols


# --- look-alike characters ---------------------------------------------------------------


def _plain(text: str) -> str:
    return "".join(LOOK_ALIKES.get(c, c) for c in text)


def _keep_file_characters(content: str, located: Located, new_text: str) -> tuple[str, bool]:
    """new_text with the file's own characters wherever it keeps old_code's unchanged."""
    assert located.needle is not None and located.view is not None
    old, view, at = located.needle.text, located.view, located.positions[0]
    needle_view = located.needle.view
    # For each character of old_code: the original span in the file it was matched to.
    file_span: dict[int, tuple[int, int]] = {}
    for u in range(len(needle_view.text)):
        src = needle_view.origin(u)
        dst = view.origin(at + u)
        for a in range(src.start, src.end):
            start, end = file_span.get(a, (dst.start, dst.end))
            file_span[a] = (min(start, dst.start), max(end, dst.end))
    out: list[str] = []
    kept = False
    matcher = difflib.SequenceMatcher(None, old, new_text, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append(new_text[j1:j2])
            continue
        a = i1
        while a < i2:
            target = file_span.get(a)
            b = a + 1
            while b < i2 and target is not None and file_span.get(b) == target:
                b += 1
            mine = old[a:b]
            theirs = content[target[0] : target[1]] if target else mine
            if theirs != mine and _plain(theirs) == _plain(mine):
                out.append(theirs)
                kept = True
            else:
                out.append(mine)
            a = b
    return "".join(out), kept

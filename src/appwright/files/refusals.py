"""Refusals that help: when an edit cannot be placed, say where it nearly fits.

A refused edit costs the model a turn; the message decides whether the next turn fixes it.
So every refusal names line numbers and shows the lines actually in the file:

- not found: the closest region (found by lines old_code shares with the file, then by
  similarity), how similar it is, and the first line that differs;
- several places: each one's lines, and a line near each that tells them apart;
- the file changed since the model last read it: said first, with the current lines;
- uneven indentation: the lines matched, to copy with their real indentation.

`EditRefused.summary` is the one-line version people see on the tool card.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from appwright.errors import ToolError
from appwright.files.matching import Level, Located, lines_of
from appwright.files.numbered import numbered, split_lines

SHOWN_LINES = 30  # lines of a region shown in a refusal
LISTED_PLACES = 10
_COMMON_LINE = 50  # a line found this often ("}", "</div>") says nothing about where


class EditRefused(ToolError):
    def __init__(self, message: str, *, code: str, summary: str, **data: object) -> None:
        super().__init__(message, code=code, **data)
        self.summary = summary


@dataclass(frozen=True)
class Region:
    first: int  # 0-based index of the first line, end exclusive
    end: int
    similarity: float


def not_found(path: str, content: str, old_code: str, *, changed: str | None) -> EditRefused:
    lines = split_lines(content)
    wanted = split_lines(old_code) or [old_code]
    if not lines:
        return EditRefused(
            f"old_code was not found in {path}: the file is empty (0 lines), so nothing was "
            "changed. To write it, call apply_edit with an empty old_code.",
            code="edit_no_match",
            summary=f"old_code not found in {path} (the file is empty)",
        )
    region = closest(lines, wanted)
    where = _range(region.first + 1, region.end)
    percent = f"{region.similarity:.0%}"
    if changed:
        head = (
            f"{path} has changed since you last read it ({changed}), and old_code is not in it "
            f"now, so nothing was changed. The closest place now is {where} ({percent} similar):"
        )
        advice = "Edit the lines as they are now, or read the file again with get_current_code."
        code, summary = "edit_file_changed", f"{path} changed since it was read; old_code not found"
    elif region.similarity >= 0.5:
        head = (
            f"old_code was not found in {path}, so nothing was changed. The closest place is "
            f"{where} ({percent} similar); the file has there:"
        )
        advice = (
            "Copy old_code from these lines exactly (without the line numbers), or read the "
            "file again with get_current_code."
        )
        code, summary = "edit_no_match", f"old_code not found in {path} (closest: {where})"
    else:
        head = (
            f"old_code was not found in {path}, and nothing in it is much like it, so nothing "
            f"was changed. The most similar place is {where} ({percent} similar):"
        )
        advice = (
            f"Check that this is the right file (search_code finds text in every file), or "
            f"read {path} with get_current_code."
        )
        code, summary = "edit_no_match", f"old_code not found in {path}"
    focus, difference = _difference(lines, wanted, region)
    parts = [head, _show(lines, region.first, region.end, focus)]
    if difference:
        parts.append(difference)
    parts.append(advice)
    return EditRefused(
        "\n".join(parts), code=code, summary=summary, line=region.first + 1, similarity=percent
    )


def ambiguous(path: str, content: str, located: Located) -> EditRefused:
    lines = split_lines(content)
    places = [lines_of(content, span) for span in located.spans]
    how = "" if located.level == Level.EXACT else f" ({located.level.label})"
    listed = ", ".join(_range(a, b) for a, b in places[:LISTED_PLACES])
    more = f" and {len(places) - LISTED_PLACES} more" if len(places) > LISTED_PLACES else ""
    parts = [
        f"old_code matches {len(places)} places in {path}{how}: {listed}{more}, so nothing "
        "was changed: an edit is applied only where old_code fits exactly one place."
    ]
    parts.append("What tells them apart:")
    listed_places = places[:LISTED_PLACES]
    for (a, b), note in zip(listed_places, _tellers(lines, listed_places), strict=True):
        parts.append(f"- {_range(a, b)}: {note}")
    parts.append(
        "Extend old_code (and new_code alike) with such a line so it matches one place, or "
        "use the edits list to change each place with its own context."
    )
    return EditRefused(
        "\n".join(parts),
        code="edit_ambiguous",
        summary=f"old_code matches {len(places)} places in {path} ({listed}{more})",
        matches=len(places),
    )


def uneven(path: str, content: str, located: Located) -> EditRefused:
    lines = split_lines(content)
    a, b = lines_of(content, located.spans[0])
    return EditRefused(
        f"Ignoring indentation, old_code matches {_range(a, b)} of {path}, but its indentation "
        "differs from the file's unevenly, so new_code could not be re-indented safely and "
        "nothing was changed. The file has there:\n"
        f"{_show(lines, a - 1, b, None)}\n"
        "Copy these lines with their exact indentation.",
        code="edit_indentation",
        summary=f"old_code's indentation does not follow {path} ({_range(a, b)})",
    )


def _range(first: int, last: int) -> str:
    return f"line {first}" if last <= first else f"lines {first}-{last}"


# --- the closest region ------------------------------------------------------------------


def closest(lines: Sequence[str], wanted: Sequence[str]) -> Region:
    """The run of `lines` most like `wanted`, compared line by line without indentation."""
    have = [line.strip() for line in lines]
    want = [line.strip() for line in wanted]
    size = max(1, len(want))
    starts = _shared_line_starts(have, want) or _similar_line_starts(have, want)
    best = Region(0, min(len(lines), size), -1.0)
    target = "\n".join(want)
    for start in starts:
        for length in {size, *((size - 1, size + 1) if size > 1 else ())}:
            first = min(max(0, start), max(0, len(lines) - max(1, length)))
            end = min(len(lines), first + max(1, length))
            score = difflib.SequenceMatcher(
                None, target, "\n".join(have[first:end]), autojunk=False
            ).ratio()
            if score > best.similarity + 1e-9:
                best = Region(first, end, score)
    if best.similarity < 0:
        best = Region(best.first, best.end, 0.0)
    return best


def _shared_line_starts(have: list[str], want: list[str], keep: int = 8) -> list[int]:
    """Where old_code would start if its distinctive lines are where the file has them."""
    where: defaultdict[str, list[int]] = defaultdict(list)
    wanted = set(want)
    for i, line in enumerate(have):
        if line and line in wanted:
            where[line].append(i)
    votes: Counter[int] = Counter()
    for j, line in enumerate(want):
        hits = where.get(line, [])
        if len(hits) <= _COMMON_LINE:
            for i in hits:
                votes[i - j] += 1
    return [start for start, _n in votes.most_common(keep)]


def _similar_line_starts(have: list[str], want: list[str], keep: int = 3) -> list[int]:
    """No distinctive line in common: start from the file lines most like old_code's
    longest ones, compared character by character among the lines that share a word with
    them most (so a large file costs a pass of word matching, not one of fuzzy matching)."""
    longest = sorted(range(len(want)), key=lambda j: -len(want[j]))[:3]
    wanted = [(j, _words(want[j])) for j in longest]
    vocabulary = set().union(*(words for _j, words in wanted))
    sharing = [(i, words) for i, line in enumerate(have) if (words := vocabulary & _words(line))]
    starts: list[int] = []
    for j, mine in wanted:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(want[j])
        scored: list[tuple[float, int]] = []
        overlap = ((len(words & mine), i) for i, words in sharing)
        for _shared, i in heapq.nlargest(_COMPARED, (o for o in overlap if o[0])):
            matcher.set_seq1(have[i])
            floor = scored[-1][0] if len(scored) >= keep else 0.0
            if matcher.real_quick_ratio() <= floor or matcher.quick_ratio() <= floor:
                continue
            scored.append((matcher.ratio(), i))
            scored.sort(reverse=True)
            del scored[keep:]
        starts.extend(i - j for _score, i in scored)
    return starts or [0]


def _words(line: str) -> set[str]:
    return set(_WORD.findall(line.lower()))


_WORD = re.compile(r"\w{2,}")
_COMPARED = 200  # lines compared character by character, those sharing most words first


def _difference(
    lines: Sequence[str], wanted: Sequence[str], region: Region
) -> tuple[int | None, str | None]:
    """The first line of `region` that differs from old_code (an index into `lines`), and
    a sentence saying how."""
    have = [line.strip() for line in lines[region.first : region.end]]
    want = [line.strip() for line in wanted]
    for tag, i1, _i2, j1, _j2 in difflib.SequenceMatcher(None, want, have).get_opcodes():
        if tag == "equal":
            continue
        at = region.first + min(j1, max(0, len(have) - 1))
        if tag == "insert":
            return at, f"old_code lacks line {at + 1} of the file: `{_short(have[j1])}`."
        if tag == "delete" or j1 >= len(have):
            return at, f"old_code has `{_short(want[i1])}`, which the file does not have there."
        return (
            at,
            f"The first difference is line {at + 1}: old_code has `{_short(want[i1])}` there.",
        )
    if list(wanted) != list(lines[region.first : region.end]):
        return None, "These lines differ from old_code in whitespace or characters only."
    return None, None


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(lines: Sequence[str], first: int, end: int, focus: int | None) -> str:
    """Lines first..end (0-based, end exclusive), at most SHOWN_LINES around `focus`."""
    if end - first > SHOWN_LINES:
        middle = focus if focus is not None else first
        first = max(first, min(middle - SHOWN_LINES // 2, end - SHOWN_LINES))
        end = first + SHOWN_LINES
    return numbered(lines[first:end], first + 1, len(str(end)))


# --- telling places apart ----------------------------------------------------------------


def _tellers(lines: Sequence[str], places: list[tuple[int, int]]) -> list[str]:
    """For each place, a nearby line (before or after) that differs between the places."""
    for distance in (1, 2, 3):
        for before in (True, False):
            picked = [_near(lines, a, b, distance, before) for a, b in places]
            texts = [text for _n, text in picked]
            if len(set(texts)) == len(texts):
                lines_away = f"{distance} line{'s' if distance > 1 else ''}"
                side = f"{lines_away} {'before' if before else 'after'}"
                return [
                    f"line {n}, {side} it, is `{_short(text)}`" if n else f"{side} it: the {text}"
                    for n, text in picked
                ]
    return [
        f"the lines around it are the same as around the others: {_context(lines, a, b)}"
        for a, b in places
    ]


def _near(lines: Sequence[str], a: int, b: int, distance: int, before: bool) -> tuple[int, str]:
    number = a - distance if before else b + distance
    if number < 1:
        return 0, "start of the file"
    if number > len(lines):
        return 0, "end of the file"
    return number, lines[number - 1].strip()


def _context(lines: Sequence[str], a: int, b: int) -> str:
    shown = numbered(lines[max(0, a - 2) : min(len(lines), b + 1)], max(1, a - 1))
    return "\n" + shown

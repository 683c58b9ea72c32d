"""How `apply_edit` changes one file: search and replace through the matching cascade.

One call carries one edit (old_code, new_code) or several, applied in order, each to the
file as the previous one left it, all or nothing: if one is refused, the call changes
nothing and its refusal says which edit it was. An empty old_code writes the whole file.

Line numbers copied from `get_current_code` into old_code are taken out (then from new_code
too) before the cascade runs again; a whole file written with them loses them too. A
refused edit raises `EditRefused` and leaves the content as it was; no path empties a file
by accident. Nothing here does I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from appwright.errors import ToolError
from appwright.files import refusals
from appwright.files.matching import Level, lines_of, locate
from appwright.files.numbered import split_lines, strip_numbers, strip_numbers_where_present
from appwright.files.refusals import EditRefused
from appwright.files.replacement import Uneven, adapt


@dataclass(frozen=True)
class Edit:
    old_code: str
    new_code: str


@dataclass(frozen=True)
class Applied:
    """Where one edit landed, and how old_code was matched."""

    level: Level | None  # None: the whole file was written
    numbers_removed: bool
    replaced: tuple[int, int]  # lines of the file before the edit
    written: tuple[int, int]  # lines of the file after it (last < first: lines removed)
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.level is None:
            return "the whole file written"
        a, b = self.replaced
        c, d = self.written
        where = f"line {a}" if a == b else f"lines {a}-{b}"
        now = "removed" if d < c else (f"now line {c}" if c == d else f"now lines {c}-{d}")
        how = f"matched {self.level.label}"
        if self.numbers_removed:
            how += " once the line numbers copied into old_code were taken out"
        return "; ".join([f"{where} ({now})", how, *self.notes])


def apply_one(
    path: str, content: str | None, edit: Edit, *, changed: str | None = None
) -> tuple[str, Applied]:
    """`content` after `edit`; raises EditRefused (or ToolError for a missing file)."""
    if edit.old_code == "":
        # A whole file pasted back from a read, numbers and all, is the file without them.
        stripped = strip_numbers(edit.new_code)
        after = edit.new_code if stripped is None else stripped
        lines = (1, len(split_lines(after)))
        return after, Applied(None, stripped is not None, (1, 0), lines)
    if content is None:
        raise ToolError(
            f"{path} does not exist. To create it, call apply_edit with an empty old_code.",
            code="file_not_found",
        )
    old_code, new_code, numbers_removed = edit.old_code, edit.new_code, False
    located = locate(content, old_code)
    if not located.spans:
        stripped = strip_numbers(old_code)
        if stripped is not None:
            old_code, numbers_removed = stripped, True
            new_code = strip_numbers_where_present(new_code)
            located = locate(content, old_code)
    if not located.spans:
        raise refusals.not_found(path, content, old_code, changed=changed)
    if not located.unique:
        raise refusals.ambiguous(path, content, located)
    try:
        adapted = adapt(content, located, new_code)
    except Uneven:
        raise refusals.uneven(path, content, located) from None
    span = located.spans[0]
    after = content[: span.start] + adapted.text + content[span.end :]
    replaced = lines_of(content, span)
    return after, Applied(
        located.level,
        numbers_removed,
        replaced,
        _written(after, span.start, len(adapted.text), replaced[0]),
        adapted.notes,
    )


def _written(after: str, start: int, length: int, first: int) -> tuple[int, int]:
    if length == 0:
        return first, first - 1
    last = first + after.count("\n", start, start + length - 1)
    return first, last


def apply_all(
    path: str, content: str | None, edits: Sequence[Edit], *, changed: str | None = None
) -> tuple[str, list[Applied]]:
    """`content` after every edit of one call, in order; all or nothing.

    `changed` says how the file changed since the model last read it (None: it did not, or
    nobody knows); a refusal then says so first."""
    if len(edits) > 1 and any(e.old_code == "" for e in edits):
        raise ToolError(
            "An empty old_code writes the whole file, so it cannot be combined with other "
            f"edits in one call; nothing was changed in {path}.",
            code="edit_whole_file_in_list",
        )
    current = content
    applied: list[Applied] = []
    for index, edit in enumerate(edits):
        try:
            current, result = apply_one(path, current, edit, changed=changed)
        except EditRefused as refusal:
            raise _in_list(refusal, index, len(edits), path) from None
        applied.append(result)
    assert current is not None
    return current, applied


def _in_list(refusal: EditRefused, index: int, count: int, path: str) -> EditRefused:
    if count == 1:
        return refusal
    earlier = (
        ""
        if index == 0
        else f" Its line numbers are those of {path} after edits 1-{index} of this call."
    )
    return EditRefused(
        f"Edit {index + 1} of {count} was refused, so none of the {count} edits of this call "
        f"was applied.{earlier}\n{refusal.message}",
        code=refusal.code,
        summary=f"edit {index + 1} of {count}: {refusal.summary}; nothing applied",
        edit=index + 1,
        **refusal.data,
    )


def line_stats(before: str | None, after: str | None) -> tuple[int, int]:
    """Lines added and removed, as a diff viewer would count them."""
    added = removed = 0
    for line in difflib.unified_diff(
        (before or "").splitlines(), (after or "").splitlines(), lineterm="", n=0
    ):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed

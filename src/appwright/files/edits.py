"""How `apply_edit` changes a file: an exact, unique search and replace.

A failed edit raises and leaves the content as it was; there is no fuzzy matching that
could land an edit in the wrong place, and no path by which a failed edit empties a file.
"""

from __future__ import annotations

import difflib

from appwright.errors import ToolError


def occurrences(content: str, needle: str, stop_at: int = 100) -> list[int]:
    """Start offsets of `needle` in `content`, overlapping ones included."""
    found: list[int] = []
    start = content.find(needle)
    while start >= 0 and len(found) < stop_at:
        found.append(start)
        start = content.find(needle, start + 1)
    return found


def search_replace(path: str, content: str | None, old_code: str, new_code: str) -> str:
    if old_code == "":
        return new_code
    if content is None:
        raise ToolError(
            f"{path} does not exist. To create it, call apply_edit with an empty old_code.",
            code="file_not_found",
        )
    matches = occurrences(content, old_code)
    if not matches:
        raise ToolError(
            f"old_code was not found in {path}, so nothing was changed. Read the file with "
            "get_current_code and copy the exact text, whitespace included.",
            code="edit_no_match",
        )
    if len(matches) > 1:
        raise ToolError(
            f"old_code matches {len(matches)} places in {path}, so nothing was changed. "
            "Include more surrounding lines so that it matches exactly once.",
            code="edit_ambiguous",
            matches=len(matches),
        )
    at = matches[0]
    return content[:at] + new_code + content[at + len(old_code) :]


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

"""Which version of each file the model last saw, to say so when a file changed under it.

A file can change between the model's read and its edit: the vendor types in the editor,
presses undo, or another request edits the same app. An edit that then fails to match is
refused with that said first, and the current lines shown, instead of a bare "not found".

Every answer that shows the model a file's content (a read, an applied edit, a rename)
carries the file's version, `(version ver_…)`. Within a run the tool box records them as it
answers; a later run of the same session recovers them from the session's conversation,
which holds those answers verbatim. This module writes the mark and is the only one that
reads it back. An answer that no longer carries it (elided to save context) makes the model's
knowledge of that file unknown, and nothing is claimed about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from appwright.errors import InvalidInput
from appwright.files.validation import validate_path
from appwright.models.types import Message, ToolCallPart, ToolResultPart

_MARK = re.compile(r"\(version (ver_[0-9A-Za-z]+)\)")


def version_mark(version_id: str) -> str:
    return f"(version {version_id})"


class SeenVersions:
    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    @classmethod
    def from_conversation(cls, messages: Sequence[Message]) -> SeenVersions:
        seen = cls()
        calls: dict[str, ToolCallPart] = {}
        for message in messages:
            for part in message.parts:
                if isinstance(part, ToolCallPart):
                    calls[part.id] = part
                elif isinstance(part, ToolResultPart) and not part.is_error:
                    call = calls.get(part.tool_call_id)
                    if call is not None:
                        seen._replay(call, part.content)
        return seen

    def _replay(self, call: ToolCallPart, answer: str) -> None:
        mark = _MARK.search(answer)
        version = mark.group(1) if mark else None
        if call.name in ("get_current_code", "apply_edit"):
            self._note(call.input.get("filepath"), version)
        elif call.name == "rename_file":
            self._note(call.input.get("from"), None)
            self._note(call.input.get("to"), version)
        elif call.name == "delete_file":
            self._note(call.input.get("filepath"), None)

    def _note(self, raw_path: object, version: str | None) -> None:
        try:
            path = validate_path(raw_path, max_length=10_000)
        except InvalidInput:
            return
        if version is None:
            self._seen.pop(path, None)
        else:
            self._seen[path] = version

    def saw(self, path: str, version_id: str) -> None:
        self._seen[path] = version_id

    def forget(self, path: str) -> None:
        self._seen.pop(path, None)

    def last_seen(self, path: str) -> str | None:
        return self._seen.get(path)

    def changed_since(self, path: str, current_version_id: str | None) -> str | None:
        """How `path` changed since the model last saw it, or None when it did not (or
        nobody knows)."""
        seen = self._seen.get(path)
        if seen is None or current_version_id is None or seen == current_version_id:
            return None
        return (
            f"you saw version {seen}; it is now version {current_version_id}, changed by an "
            "edit in the editor, an undo, or another request"
        )

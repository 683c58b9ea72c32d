"""The tools' I/O for one run: the app's files through the workspace, the web through the
search provider. Every failure becomes a ToolError whose message tells the model what to do.

What each tool decides is pure and lives elsewhere (files/ for reading windows, matching and
searching; agent/file_ops.py for a message's file operations); this module reads what they
need, runs them, and writes their outcome as one version.

A run's file changes are written through its journal: behind its lease fence, once per
turn, with the turn recorded as open (`open_turn.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from appwright.agent.file_ops import Limits, OpResult, decide, paths_of
from appwright.agent.journal import RunJournal
from appwright.agent.open_turn import AlreadyApplied, OpenTurn
from appwright.agent.parallel import EditBatch, EditResult
from appwright.agent.reads import SeenVersions, version_mark
from appwright.agent.tools import FileOp, GetCurrentCode, SearchCode, ToolKind, WebSearch
from appwright.config import Settings
from appwright.errors import InvalidInput, NotFound, ToolError, Unavailable
from appwright.files import grep
from appwright.files.content import FileContent, describe_size
from appwright.files.numbered import window
from appwright.files.validation import validate_path
from appwright.models.types import Message
from appwright.search.base import SearchProvider, format_results
from appwright.store.apps import FileRecord
from appwright.store.versions import Written
from appwright.workspace import Snapshot, Workspace


class AppToolBox:
    def __init__(
        self,
        settings: Settings,
        workspace: Workspace,
        search: SearchProvider,
        *,
        vendor_id: str,
        app_id: str,
        journal: RunJournal,
        request_text: str,
        history: Sequence[Message] = (),
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.search = search
        self.vendor_id = vendor_id
        self.app_id = app_id
        self.journal = journal
        self.request_text = request_text
        self.seen = SeenVersions.from_conversation(history)

    def timeout_for(self, kind: ToolKind) -> float:
        if kind is ToolKind.SEARCH:
            return self.settings.timeout_web_search
        return self.settings.timeout_file_op

    async def run(self, name: str, tool_input: Any) -> tuple[str, str]:
        try:
            if name == "get_current_code":
                return await self._read(tool_input)
            if name == "list_files":
                return await self._list()
            if name == "search_code":
                return await self._search_code(tool_input)
            if name == "web_search":
                return await self._search(tool_input)
        except (InvalidInput, Unavailable) as error:
            raise ToolError(error.message, code=error.code) from None
        raise ToolError(f"{name} cannot run here.", code="unknown_tool")

    async def _read(self, tool_input: GetCurrentCode) -> tuple[str, str]:
        path = validate_path(tool_input.filepath, max_length=self.settings.max_path_length)
        try:
            record = await self.workspace.file(self.vendor_id, self.app_id, path)
        except NotFound:
            names = [f.path for f in await self.workspace.files(self.vendor_id, self.app_id)]
            raise ToolError(
                f"{path} does not exist. The app's files are: {', '.join(names) or 'none'}.",
                code="file_not_found",
            ) from None
        self.seen.saw(path, record.version_id)
        mark = version_mark(record.version_id)
        if isinstance(record.content, bytes):
            size = describe_size(record.size)
            return (
                f"{path} {mark} is a binary file ({record.content_type}, {size}): it has no "
                "text to show, and apply_edit cannot change it. Text files can refer to it by "
                "its path; delete_file and rename_file work on it.",
                f"Read {path} (binary, {record.content_type})",
            )
        content = record.content or ""
        most = self.settings.read_max_lines
        shown = window(
            content,
            tool_input.offset,
            min(tool_input.limit or most, most),
            self.settings.read_max_bytes,
        )
        if shown.total == 0:
            return f"{path} {mark} is empty.", f"Read {path} (empty)"
        if shown.first > shown.total:
            raise ToolError(
                f"{path} has {shown.total} lines; offset {tool_input.offset} is past its end.",
                code="offset_past_end",
            )
        head = f"{path} {mark}: lines {shown.first}-{shown.last} of {shown.total}"
        if shown.last == shown.total and shown.first == 1:
            return f"{head}\n{shown.text}", f"Read {path} ({shown.total} lines)"
        why = ""
        if shown.cut_by == "bytes":
            why = f" (a window shows at most {self.settings.read_max_bytes:,} bytes)"
        elif shown.cut_by == "lines" and (tool_input.limit or most) >= most:
            why = f" (a window shows at most {most:,} lines)"
        rest = (
            f"\n[Lines {shown.last + 1}-{shown.total} are not shown{why}: call get_current_code "
            f"with offset={shown.last + 1} to read on.]"
            if shown.last < shown.total
            else ""
        )
        return (
            f"{head}{'; more follow' if rest else ''}\n{shown.text}{rest}",
            f"Read {path}, lines {shown.first}-{shown.last} of {shown.total}",
        )

    async def _list(self) -> tuple[str, str]:
        files = await self.workspace.files(self.vendor_id, self.app_id)
        listing = "\n".join(_listed(f) for f in files) or "The app has no files."
        return listing, f"Listed {len(files)} files"

    async def _search_code(self, tool_input: SearchCode) -> tuple[str, str]:
        contents = await self.workspace.contents(self.app_id)
        found = await asyncio.to_thread(
            grep.search, contents, tool_input.pattern, tool_input.path_glob
        )
        return (
            found.answer(tool_input.pattern, tool_input.path_glob),
            f"Searched code for /{tool_input.pattern}/ ({found.summary})",
        )

    async def _search(self, tool_input: WebSearch) -> tuple[str, str]:
        results = await self.search.search(tool_input.query, tool_input.num_results)
        return (
            format_results(results),
            f"Searched “{tool_input.query}” ({len(results)} results)",
        )

    async def apply_edits(
        self, ops: list[tuple[str, FileOp]], *, turn: int, message: Message
    ) -> EditBatch:
        settings = self.settings
        limits = Limits(settings.max_path_length, settings.max_file_bytes, settings.max_app_bytes)

        def compute(snapshot: Snapshot) -> tuple[dict[str, FileContent | None], list[OpResult]]:
            return decide(snapshot, ops, limits, self.seen)

        async def fence(conn: Any) -> None:
            await self.journal.hold(conn)
            recorded = await self.journal.open_turn(conn)
            if recorded is not None and recorded.turn == turn:
                raise AlreadyApplied(recorded.edits)

        async def record(conn: Any, written: Written, results: list[OpResult]) -> None:
            open_turn = OpenTurn(turn, message, _batch(written, results))
            await self.journal.record_open_turn(conn, open_turn)

        try:
            written, results = await self.workspace.edit(
                self.vendor_id,
                self.app_id,
                paths_of([op for _id, op in ops], settings.max_path_length),
                compute,
                source="ai",
                message=_trimmed(self.request_text),
                run_id=self.journal.run_id,
                fence=fence,
                record=record,
            )
        except AlreadyApplied as applied:
            return applied.edits
        except (InvalidInput, Unavailable) as error:
            raise ToolError(error.message, code=error.code) from None
        except asyncio.CancelledError:
            # Stopped at its deadline; a commit under way may have landed all the same.
            landed = await self.journal.landed(turn)
            if landed is None:
                raise
            return landed
        changes = written.changes if written is not None else {}
        for result in results:
            for path in result.paths:
                if path in changes:
                    # The model knows a file it just wrote, unless it had changed under it.
                    if changes[path] is not None and result.fresh and written is not None:
                        self.seen.saw(path, written.version.id)
                    else:
                        self.seen.forget(path)
        return _batch(written, results)


def _batch(written: Written | None, results: list[OpResult]) -> EditBatch:
    """What the run reports of a message's file operations."""
    if written is None:
        return EditBatch(results=[_reported(r, None) for r in results])
    return EditBatch(
        results=[_reported(r, written) for r in results],
        version_id=written.version.id,
        changed={p: c is None for p, c in sorted(written.changes.items())},
    )


def _reported(result: OpResult, written: Written | None) -> EditResult:
    # An answer names the version only of a file that version wrote.
    version = None
    if written is not None and result.paths[-1:] and result.paths[-1] in written.changes:
        version = written.version.id
    return EditResult(result.call_id, result.ok, result.answer(version), result.summary)


def _trimmed(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _listed(record: FileRecord) -> str:
    if record.binary:
        return f"{record.path} ({record.size} bytes, binary {record.content_type})"
    return f"{record.path} ({record.size} bytes)"

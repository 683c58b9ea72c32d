"""The tools' I/O for one run: the app's files through the workspace, the web through the
search provider. Every failure becomes a ToolError whose message tells the model what to do.

A run's edits are written through its journal: behind its lease fence, after the events
announcing them are in the log, and with the turn recorded as open (`open_turn.py`)."""

from __future__ import annotations

from typing import Any

from appwright.agent.journal import RunJournal
from appwright.agent.open_turn import OpenTurn
from appwright.agent.parallel import EditBatch, EditResult
from appwright.agent.tools import ApplyEdit, GetCurrentCode, ToolKind, WebSearch
from appwright.config import Settings
from appwright.errors import InvalidInput, NotFound, ToolError, Unavailable
from appwright.files.edits import line_stats, search_replace
from appwright.files.validation import validate_content, validate_path
from appwright.models.types import Message
from appwright.search.base import SearchProvider, format_results
from appwright.store.versions import Written
from appwright.workspace import Workspace


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
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.search = search
        self.vendor_id = vendor_id
        self.app_id = app_id
        self.journal = journal
        self.request_text = request_text

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
        content = record.content or ""
        return content, f"Read {path} ({content.count(chr(10)) + 1} lines)"

    async def _list(self) -> tuple[str, str]:
        files = await self.workspace.files(self.vendor_id, self.app_id)
        listing = "\n".join(f"{f.path} ({f.size} bytes)" for f in files) or "The app has no files."
        return listing, f"Listed {len(files)} files"

    async def _search(self, tool_input: WebSearch) -> tuple[str, str]:
        results = await self.search.search(tool_input.query, tool_input.num_results)
        return (
            format_results(results),
            f"Searched “{tool_input.query}” ({len(results)} results)",
        )

    async def apply_edits(
        self, edits: list[tuple[str, ApplyEdit]], *, turn: int, message: Message
    ) -> EditBatch:
        settings = self.settings
        paths: list[str] = []
        for _call_id, edit in edits:
            try:
                paths.append(validate_path(edit.filepath, max_length=settings.max_path_length))
            except InvalidInput:
                pass

        def compute(current: dict[str, str]) -> tuple[dict[str, str | None], list[EditResult]]:
            working: dict[str, str | None] = dict(current)
            results: list[EditResult] = []
            for call_id, edit in edits:
                try:
                    path = validate_path(edit.filepath, max_length=settings.max_path_length)
                    before = working.get(path)
                    after = search_replace(path, before, edit.old_code, edit.new_code)
                    validate_content(path, after, max_bytes=settings.max_file_bytes)
                except (ToolError, InvalidInput) as error:
                    results.append(EditResult(call_id, False, error.message, error.message))
                    continue
                working[path] = after
                added, removed = line_stats(before, after)
                verb = "Created" if before is None else "Updated"
                results.append(
                    EditResult(
                        call_id,
                        True,
                        f"{verb} {path}.",
                        f"{verb} {path} (+{added} −{removed})",
                    )
                )
            changes = {p: c for p, c in working.items() if c != current.get(p)}
            return changes, results

        async def record(conn: Any, written: Written, results: list[EditResult]) -> None:
            open_turn = OpenTurn(turn, message, _batch(written, results))
            await self.journal.record_open_turn(conn, open_turn)

        await self.journal.flush()
        try:
            written, results = await self.workspace.edit(
                self.vendor_id,
                self.app_id,
                paths,
                compute,
                source="ai",
                message=_trimmed(self.request_text),
                run_id=self.journal.run_id,
                fence=self.journal.hold,
                record=record,
            )
        except (InvalidInput, Unavailable) as error:
            raise ToolError(error.message, code=error.code) from None
        return _batch(written, results)


def _batch(written: Written | None, results: list[EditResult]) -> EditBatch:
    if written is None:
        return EditBatch(results=results)
    return EditBatch(
        results=results,
        version_id=written.version.id,
        changed={p: c is None for p, c in sorted(written.changes.items())},
    )


def _trimmed(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"

"""One message's file operations (apply_edit, delete_file, rename_file), decided against a
snapshot of the app's files. Pure: the tool box reads the snapshot and writes the outcome.

How a batch behaves (what the model is told, in the system prompt and in each result):

- the operations apply in the order the model made the calls, each to the files as the
  operations before it left them;
- each call is all or nothing on its own (an apply_edit with a list of edits included), and
  is checked in full here: path rules, matching, content, a file inside a file, the app's
  size. A refused call changes nothing, and its own result says why, naming its file;
- the calls that succeed become one version, undone as one; the others in the message do
  not wait for or depend on a refused one. When a call in the message was refused, every
  applied call's result says so, so that the model can check what it applied still makes
  sense without the refused part.

Nothing is left for the store to refuse: a version it would reject (a file inside a file,
an app over its size) is refused here, per call, first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from appwright.agent.reads import SeenVersions, version_mark
from appwright.agent.tools import ApplyEdit, DeleteFile, FileOp, RenameFile
from appwright.errors import AppwrightError, InvalidInput, ToolError
from appwright.files.content import FileContent, content_type, describe_size, size_of
from appwright.files.edits import Applied, Edit, apply_all, line_stats
from appwright.files.numbered import split_lines
from appwright.files.refusals import EditRefused
from appwright.files.tree import clash
from appwright.files.validation import validate_content, validate_path
from appwright.workspace import Snapshot


@dataclass(frozen=True)
class Limits:
    max_path_length: int
    max_file_bytes: int
    max_app_bytes: int


@dataclass(frozen=True)
class OpResult:
    call_id: str
    ok: bool
    message: str  # for the model: a refusal, or what follows `head`
    summary: str  # for people
    head: str = ""  # what was done to which file ("Updated index.html"); the version follows
    paths: tuple[str, ...] = ()  # the files it names
    fresh: bool = True  # the model's view of those files was current before the call
    note: str = ""

    def answer(self, version_id: str | None) -> str:
        mark = f" {version_mark(version_id)}" if version_id and self.head else ""
        return f"{self.head}{mark}{self.message}{self.note}"


def paths_of(ops: Sequence[FileOp], max_length: int) -> list[str]:
    """Every valid path the operations name (what the snapshot must hold)."""
    paths: list[str] = []
    for op in ops:
        raw = [op.source, op.target] if isinstance(op, RenameFile) else [op.filepath]
        for path in raw:
            try:
                paths.append(validate_path(path, max_length=max_length))
            except InvalidInput:
                pass
    return sorted(set(paths))


class _Files:
    """The files as the operations so far left them."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.contents: dict[str, FileContent | None] = {
            p: r.content for p, r in snapshot.files.items()
        }
        self.paths = set(snapshot.paths)
        self.total = snapshot.total_bytes

    def get(self, path: str) -> FileContent | None:
        return self.contents.get(path)

    def put(self, path: str, content: FileContent | None) -> None:
        self.total += _size(content) - _size(self.contents.get(path))
        self.contents[path] = content
        if content is None:
            self.paths.discard(path)
        else:
            self.paths.add(path)

    def changes(self) -> dict[str, FileContent | None]:
        return {p: c for p, c in self.contents.items() if c != self.snapshot.content(p)}


def _size(content: FileContent | None) -> int:
    return size_of(content)


def decide(
    snapshot: Snapshot,
    ops: Sequence[tuple[str, FileOp]],
    limits: Limits,
    seen: SeenVersions,
) -> tuple[dict[str, FileContent | None], list[OpResult]]:
    files = _Files(snapshot)
    results: list[OpResult] = []
    for call_id, op in ops:
        try:
            if isinstance(op, ApplyEdit):
                result = _edit(files, op, limits, seen)
            elif isinstance(op, DeleteFile):
                result = _delete(files, op, limits)
            else:
                result = _rename(files, op, limits, seen)
        except EditRefused as refusal:
            result = OpResult(call_id, False, refusal.message, refusal.summary)
        except AppwrightError as error:
            result = OpResult(call_id, False, error.message, error.message)
        results.append(replace(result, call_id=call_id))
    refused = sum(1 for r in results if not r.ok)
    if refused:
        note = (
            f"\nNote: {refused} other call{'s' if refused > 1 else ''} in this message "
            f"{'were' if refused > 1 else 'was'} refused and changed nothing (see "
            f"{'their results' if refused > 1 else 'its result'}); this one was applied."
        )
        results = [replace(r, note=note) if r.ok else r for r in results]
    return files.changes(), results


def _path(raw: str, limits: Limits, what: str = "") -> str:
    try:
        return validate_path(raw, max_length=limits.max_path_length)
    except InvalidInput as error:
        label = f" ({what})" if what else ""
        raise InvalidInput(
            f"The path {raw!r}{label} was refused: {error.message} Nothing was changed.",
            code=error.code,
        ) from None


def _missing(path: str, files: _Files) -> ToolError:
    names = sorted(files.paths)
    shown = ", ".join(names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")
    return ToolError(
        f"{path} does not exist, so nothing was changed. The app's files are: {shown or 'none'}.",
        code="file_not_found",
    )


def _may_write(files: _Files, path: str, before: str | None, after: str, limits: Limits) -> None:
    try:
        validate_content(path, after, max_bytes=limits.max_file_bytes)
    except InvalidInput as error:
        raise InvalidInput(f"{error.message} Nothing was changed.", code=error.code) from None
    if before is None:
        problem = clash(path, files.paths)
        if problem is not None:
            raise InvalidInput(f"{problem.message} Nothing was changed.", code=problem.code)
    total = files.total + _size(after) - _size(before)
    if total > limits.max_app_bytes:
        raise InvalidInput(
            f"Writing {path} would make the app {total} bytes; apps are limited to "
            f"{limits.max_app_bytes} bytes. Nothing was changed.",
            code="app_too_large",
        )


def _edit(files: _Files, op: ApplyEdit, limits: Limits, seen: SeenVersions) -> OpResult:
    path = _path(op.filepath, limits)
    before = files.get(path)
    if isinstance(before, bytes):
        raise ToolError(
            f"{path} is a binary file ({content_type(path, before)}, "
            f"{describe_size(len(before))}): apply_edit changes text files only, so nothing "
            "was changed. It can be deleted or renamed, and text files can refer to it.",
            code="binary_file",
        )
    changed = _changed(files, path, seen)
    specs = [Edit(s.old_code, s.new_code) for s in op.specs()]
    after, applied = apply_all(path, before, specs, changed=changed)
    _may_write(files, path, before, after, limits)
    files.put(path, after)
    added, removed = line_stats(before, after)
    fresh = changed is None
    if before == after:
        message = " is unchanged: new_code is the same as the text it replaces."
        return OpResult("", True, message, f"{path} unchanged", path, (path,), fresh)
    numbers = "; the line numbers copied into new_code were taken out"
    message = f" ({len(split_lines(after))} lines{numbers if applied[0].numbers_removed else ''})."
    if before is None:
        return OpResult("", True, message, f"Created {path} (+{added})", f"Created {path}", (path,))
    if applied[0].level is None:
        summary = f"Rewrote {path} (+{added} −{removed})"
        return OpResult("", True, message, summary, f"Rewrote {path}", (path,))
    summary = f"Updated {path} (+{added} −{removed})"
    return OpResult("", True, f": {_where(applied)}.", summary, f"Updated {path}", (path,), fresh)


def _changed(files: _Files, path: str, seen: SeenVersions) -> str | None:
    record = files.snapshot.files.get(path)
    return seen.changed_since(path, record.version_id if record else None)


def _where(applied: list[Applied]) -> str:
    if len(applied) == 1:
        return applied[0].describe()
    return f"{len(applied)} edits: " + "; ".join(
        f"{i}) {a.describe()}" for i, a in enumerate(applied, 1)
    )


def _delete(files: _Files, op: DeleteFile, limits: Limits) -> OpResult:
    path = _path(op.filepath, limits)
    if path not in files.paths:
        raise _missing(path, files)
    files.put(path, None)
    return OpResult("", True, ".", f"Deleted {path}", f"Deleted {path}", (path,))


def _rename(files: _Files, op: RenameFile, limits: Limits, seen: SeenVersions) -> OpResult:
    source = _path(op.source, limits, "from")
    target = _path(op.target, limits, "to")
    if source == target:
        raise ToolError(f"{source} already has that name; nothing was changed.", code="same_path")
    if source not in files.paths:
        raise _missing(source, files)
    if target in files.paths:
        raise ToolError(
            f"{target} already exists, so {source} was not renamed. Delete it first with "
            "delete_file if you mean to replace it, or choose another name.",
            code="file_exists",
        )
    content = files.get(source)
    assert content is not None
    problem = clash(target, files.paths - {source})
    if problem is not None:
        raise InvalidInput(f"{problem.message} Nothing was changed.", code=problem.code)
    files.put(source, None)
    files.put(target, content)
    return OpResult(
        "",
        True,
        f". Files that refer to {source} still do: update them with apply_edit "
        "(search_code finds them).",
        f"Renamed {source} → {target}",
        f"Renamed {source} to {target}",
        (source, target),
        _changed(files, source, seen) is None,
    )

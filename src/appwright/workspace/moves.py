"""Renaming (moving) a file from the page: one version, so one undo takes it back.

The old path and the new are read and written in one transaction under the app's lock
(`Workspace.edit`): the content moved is the content there at that moment, and a file that
appeared at the new path meanwhile is never overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appwright.errors import Conflict, NotFound
from appwright.files.validation import validate_path
from appwright.store.versions import Written

if TYPE_CHECKING:
    from appwright.workspace import Snapshot, Workspace


async def rename_file(
    workspace: Workspace, vendor_id: str, app_id: str, source: str, target: str
) -> Written | None:
    """Moves `source` to `target` as one manual version; None when they are the same path."""
    limit = workspace.settings.max_path_length
    source = validate_path(source, max_length=limit)
    target = validate_path(target, max_length=limit)

    def compute(snapshot: Snapshot) -> tuple[dict[str, str | bytes | None], None]:
        record = snapshot.files.get(source)
        if record is None:
            raise NotFound(f"No file {source!r} in this app.", code="file_not_found", path=source)
        if source == target:
            return {}, None
        if target in snapshot.paths:
            raise Conflict(
                f"{target} exists already, so {source} was not renamed. Choose another name, "
                "or delete that file first.",
                code="file_exists",
                path=target,
            )
        return {source: None, target: record.content}, None

    written, _ = await workspace.edit(
        vendor_id,
        app_id,
        sorted({source, target}),
        compute,
        source="manual",
        message=f"Rename {source} to {target}",
    )
    return written

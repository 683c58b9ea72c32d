"""An old version, whole: its files read back (for a read-only preview) and restored as one
new version (so one undo takes the restore back).

A version's files are replayed from the recorded changes (`commits.snapshot_at`): history
never changes, so they can be read before the write's transaction; only the current files
are read under the app's lock, where the restore is decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appwright.store import apps as app_store
from appwright.store import versions as version_store
from appwright.store.commits import snapshot_at
from appwright.store.versions import Written

if TYPE_CHECKING:
    from appwright.workspace import Snapshot, Workspace


async def files_at(
    workspace: Workspace, vendor_id: str | None, app_id: str, version_id: str
) -> tuple[version_store.VersionRecord, dict[str, str | bytes]]:
    """The version and the app's files as it left them; 404 for a version of another app."""

    async def work(conn: Any) -> tuple[version_store.VersionRecord, dict[str, str | bytes]]:
        await app_store.get_app(conn, app_id, vendor_id)
        version = await version_store.get_version(conn, app_id, version_id)
        return version, await snapshot_at(conn, app_id, version.number)

    return await workspace.db.read(work)


async def restore_version(
    workspace: Workspace, vendor_id: str, app_id: str, version_id: str
) -> Written | None:
    """Makes the app's files what they were right after `version_id`, as one version
    (source `revert`); None when they are so already."""
    version, target = await files_at(workspace, vendor_id, app_id, version_id)

    def compute(snapshot: Snapshot) -> tuple[dict[str, str | bytes | None], None]:
        changes: dict[str, str | bytes | None] = {
            p: None for p in snapshot.paths if p not in target
        }
        changes.update(target)  # write_version keeps only what differs
        return changes, None

    written, _ = await workspace.edit(
        vendor_id,
        app_id,
        sorted(target),
        compute,
        source="revert",
        message=f"Restore of version {version.number}",
    )
    return written

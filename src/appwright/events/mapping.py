"""Facts to wire events: the one place that says which events a change makes.

The store returns facts (a version written, a commit's new state); the services hand them
here and append what comes back through the journal (`journal/`). Pure: no I/O, no store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from appwright.events.types import (
    CommitUpdated,
    ErrorInfo,
    FileUpdated,
    RunUsage,
    VersionCreated,
    _Event,
)
from appwright.models.types import Usage


def file_updates(
    version_id: str,
    deleted_by_path: Mapping[str, bool],
    run_id: str | None,
    binary: Collection[str] = (),
) -> list[FileUpdated]:
    """One `file.updated` per path a version changed, in path order: for the app's log when
    the version is written, and for the session's log when a run's edit wrote it. `binary`:
    the paths whose new content is bytes (an image, a font)."""
    return [
        FileUpdated(
            path=path,
            version_id=version_id,
            deleted=deleted,
            binary=path in binary,
            run_id=run_id,
        )
        for path, deleted in sorted(deleted_by_path.items())
    ]


def version_written(
    version_id: str,
    source: str,
    changes: Mapping[str, str | bytes | None],
    run_id: str | None,
) -> list[_Event]:
    """The app log's events for a new version: `version.created`, then its files."""
    return [
        VersionCreated(
            version_id=version_id,
            source=source,  # type: ignore[arg-type]
            paths=sorted(changes),
            run_id=run_id,
        ),
        *file_updates(
            version_id,
            {p: c is None for p, c in changes.items()},
            run_id,
            binary={p for p, c in changes.items() if isinstance(c, bytes)},
        ),
    ]


def commit_updates(changes: Iterable[tuple[str, str, str | None, Any]]) -> list[_Event]:
    """`commit.updated` for each (version id, state, sha, error dict or None)."""
    return [
        CommitUpdated(
            version_id=version_id,
            state=state,  # type: ignore[arg-type]
            sha=sha,
            error=ErrorInfo(code=error["code"], message=error["message"]) if error else None,
        )
        for version_id, state, sha, error in changes
    ]


def run_usage(usage: Usage, cost_usd: float | None) -> RunUsage:
    """Model usage added up (a run's, a session's) as `run.finished` and the API carry it."""
    return RunUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cost_usd=cost_usd,
    )

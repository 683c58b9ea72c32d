"""An app's paths as a tree: a path cannot be a file and a folder at once.

Git, and every disk an app is exported to, refuse a file inside a file, so such a version
could never be committed. The store checks a version as a whole; the model's tools check
each operation, against the files as the operations before it left them, so that one
clashing path is refused on its own and names itself.
"""

from __future__ import annotations

from collections.abc import Collection

from appwright.errors import InvalidInput


def folders_of(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def clash(
    path: str, files: Collection[str], folders: Collection[str] | None = None
) -> InvalidInput | None:
    """Why `path` cannot be a file when the app's files are `files` (`folders`: theirs,
    when the caller has them already), or None when it can."""
    if folders is None:
        folders = {folder for other in files for folder in folders_of(other)}
    if path in folders:
        return InvalidInput(
            f"{path!r} is a folder in this app; a file cannot have the same path.",
            code="path_conflict",
            path=path,
        )
    for folder in folders_of(path):
        if folder in files:
            return InvalidInput(
                f"{path!r} would be inside {folder!r}, which is a file.",
                code="path_conflict",
                path=path,
            )
    return None

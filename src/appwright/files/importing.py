"""What an import keeps of a folder, an archive or a git tip, and what it leaves out.

A site's folder as people have it on disk carries things that are not part of the site:
git's own data, the metadata macOS and Windows add to folders and archives. Those are left
out by name, and every import says which it left out and why, so nothing vanishes silently.
"""

from __future__ import annotations

from pathlib import PurePosixPath

Skipped = list[tuple[str, str]]  # (path, why)

_FOLDERS = {
    ".git": "git's own data, not a file of the app",
    "__MACOSX": "metadata macOS adds to archives",
}
_NAMES = {
    ".DS_Store": "metadata macOS adds to folders",
    "Thumbs.db": "a thumbnail cache Windows adds to folders",
    "desktop.ini": "settings Windows adds to folders",
}


def skip_reason(path: str) -> str | None:
    """Why `path` (relative, '/'-separated) is left out of an import, or None to keep it."""
    parts = PurePosixPath(path).parts
    for part in parts[:-1]:
        if part in _FOLDERS or part.lower() == ".git":
            return _FOLDERS.get(part, _FOLDERS[".git"])
    if parts and parts[-1].lower() == ".git":
        return _FOLDERS[".git"]
    if parts and (parts[-1] in _NAMES or parts[-1].startswith("._")):
        return _NAMES.get(parts[-1], "metadata macOS adds to files")
    return None


def common_folder(paths: list[str]) -> str:
    """The single top-level folder every path is inside ("site/" for an archive made by
    zipping the folder `site`), or "" when there is none."""
    firsts = {p.split("/", 1)[0] for p in paths}
    if len(firsts) != 1 or any("/" not in p for p in paths):
        return ""
    return f"{firsts.pop()}/"

"""Snapshots <-> git trees: `{path: content}` in, tree id out, and back. A text file is
written as its UTF-8 bytes, a binary one byte for byte.

A version is a full snapshot of the app's files, so a commit's tree is built from scratch
each time rather than patched: the result is exactly the snapshot, whatever the previous
tree held. Blobs and subtrees that already exist are not written again, so an edit to one
file costs one blob plus the trees on its path.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Mapping

from dulwich.file import FileLocked
from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, ObjectID, ShaFile, Tree

from appwright.files.content import FileContent, from_bytes, to_bytes
from appwright.git.errors import COMMIT_FAILED, INVALID_PATH, GitError

FILE_MODE = 0o100644
DIR_MODE = stat.S_IFDIR
# How long to wait for another writer's lock on an identical object: 100 x 20 ms.
_LOCK_WAITS = 100
_LOCK_PAUSE = 0.02

# A nested folder: name -> content (a file) or another folder.
_Folder = dict[str, "str | bytes | _Folder"]


def _segments(path: str) -> list[str]:
    """Split and check one path. These are the names git itself refuses (or that would let
    a checkout write outside, or into, the repository), so we refuse them before writing."""
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or part.lower() == ".git" or "\x00" in part:
            raise GitError(f"not a valid file path for git: {path!r}", code=INVALID_PATH)
    return parts


def _nest(files: Mapping[str, FileContent]) -> _Folder:
    root: _Folder = {}
    for path, text in files.items():
        parts = _segments(path)
        folder = root
        for name in parts[:-1]:
            child = folder.setdefault(name, {})
            if not isinstance(child, dict):
                raise GitError(f"{path!r} is inside a file", code=INVALID_PATH)
            folder = child
        if parts[-1] in folder:
            # Only reachable when a folder of that name was made by a longer path first.
            raise GitError(f"{path!r} is both a file and a folder", code=INVALID_PATH)
        folder[parts[-1]] = text
    return root


def write_tree(store: BaseObjectStore, files: Mapping[str, FileContent]) -> ObjectID:
    """Store a tree whose content is exactly `files` and return its id."""
    return _write_folder(store, _nest(files))


def _write_folder(store: BaseObjectStore, folder: _Folder) -> ObjectID:
    tree = Tree()
    for name, entry in folder.items():
        if isinstance(entry, dict):
            tree.add(name.encode(), DIR_MODE, _write_folder(store, entry))
        else:
            blob = Blob.from_string(to_bytes(entry))
            add_object(store, blob)
            tree.add(name.encode(), FILE_MODE, blob.id)
    add_object(store, tree)
    return tree.id


def add_object(store: BaseObjectStore, obj: ShaFile) -> None:
    """Store `obj` unless present. Two threads writing the same object (a retry racing a
    commit that outlived its deadline) collide on dulwich's lock file; the content is the
    same by definition, so the loser waits for the winner's copy instead of failing."""
    for _ in range(_LOCK_WAITS):
        if obj.id in store:
            return
        try:
            store.add_object(obj)
            return
        except FileLocked:
            time.sleep(_LOCK_PAUSE)
    raise GitError(f"object {obj.id.decode()} stayed locked", code=COMMIT_FAILED)


Skipped = list[tuple[str, str]]  # (path, why)


def read_files(store: BaseObjectStore, tree_id: ObjectID) -> tuple[dict[str, FileContent], Skipped]:
    """The files under `tree_id` (text, or bytes for a binary file), and the paths skipped
    with the reason: names that are not UTF-8, symlinks and submodules. Trees we wrote never
    contain those; imported ones may.
    """
    files: dict[str, FileContent] = {}
    skipped: Skipped = []
    stack: list[tuple[str, ObjectID]] = [("", tree_id)]
    while stack:
        prefix, tid = stack.pop()
        tree = store[tid]
        assert isinstance(tree, Tree)
        for item in tree.items():
            try:
                path = prefix + item.path.decode("utf-8")
            except UnicodeDecodeError:
                # Decoding with replacement would let two such names collapse into one.
                name = prefix + item.path.decode("utf-8", "replace")
                skipped.append((name, "its name is not UTF-8"))
                continue
            if stat.S_ISDIR(item.mode):
                stack.append((path + "/", item.sha))
            elif stat.S_ISLNK(item.mode):
                skipped.append((path, "a symbolic link"))
            elif not stat.S_ISREG(item.mode):  # a submodule (0o160000)
                skipped.append((path, "a submodule"))
            else:
                files[path] = from_bytes(store[item.sha].as_raw_string())
    return dict(sorted(files.items())), sorted(skipped)

"""One app's own git repository: one commit per version, on branch `main`.

The repository is **bare**. The app's files live in the store; git holds their history.
A working tree would be a second copy of the same files that could drift from the store
(a crash between writing it and committing, or someone editing it by hand), and keeping
an index in step with it is work we would do only to throw away. Commits are built
straight from snapshots (`trees.write_tree`), which a bare repository is made for, and
a bare repository is also what one can safely push into or clone from.

Every method is a coroutine: dulwich is synchronous, so each call runs in a worker thread
under `asyncio.timeout`. A thread cannot be killed; a local operation that outlives its
deadline finishes in the background. That is safe because `commit` is idempotent per
version id and moves `main` only by compare-and-swap (see `_commit`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dulwich.errors import NotGitRepository
from dulwich.file import FileLocked
from dulwich.objects import Commit, ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from appwright.files.content import FileContent
from appwright.git.errors import (
    COMMIT_FAILED,
    COMMIT_TIMED_OUT,
    HISTORY_MISMATCH,
    UNKNOWN_COMMIT,
    GitError,
)
from appwright.git.trees import add_object, read_files, write_tree

log = logging.getLogger(__name__)

MAIN = Ref(b"refs/heads/main")
VERSION_TRAILER = "Appwright-Version"
_CAS_ATTEMPTS = 50
_CAS_PAUSE = 0.02

T = TypeVar("T")


@dataclass(frozen=True)
class CommitMeta:
    """Everything of a commit besides its tree and parent: with the same tree and parent,
    the same meta makes the same sha. Kept on the version row once committed, so the
    repository can be rebuilt from the database commit for commit (`git/history.py`)."""

    author: str  # `Name <email>`, also the committer
    time: int  # seconds since the epoch, UTC, author and commit time alike
    message: str  # the whole message, trailer included

    @classmethod
    def of(cls, message: str, name: str, email: str, version_id: str, when: float) -> CommitMeta:
        return cls(_ident(name, email).decode(), int(when), _with_trailer(message, version_id))

    def to_json(self) -> dict[str, object]:
        return {"author": self.author, "time": self.time, "message": self.message}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CommitMeta:
        return cls(str(data["author"]), int(str(data["time"])), str(data["message"]))


@dataclass(frozen=True)
class Replayed:
    """One commit to write again while rebuilding: its files, its meta, and the sha the
    database says it has (the rebuild stops at the first that differs)."""

    version_id: str
    files: Mapping[str, FileContent]
    meta: CommitMeta
    sha: str


class AppRepository:
    """The git repository of one app, at `path` (a directory; created by `ensure`)."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 15.0) -> None:
        self.path = Path(path)
        self.timeout = timeout

    async def ensure(self) -> None:
        """Create the bare repository if it does not exist yet; harmless if it does."""
        await self._run(self._ensure)

    async def commit(
        self,
        files: Mapping[str, FileContent],
        message: str,
        author_name: str,
        author_email: str,
        version_id: str,
        when: float | None = None,
    ) -> str:
        """Commit `files` (the full snapshot) on top of `main`; return the commit sha.

        If the tip of `main` already records `version_id`, its sha is returned and nothing
        is written: the outbox retries after a crash between committing and recording it.
        """
        meta = CommitMeta.of(
            message, author_name, author_email, version_id, time.time() if when is None else when
        )
        return await self.commit_as(files, meta, version_id)

    async def commit_as(
        self, files: Mapping[str, FileContent], meta: CommitMeta, version_id: str
    ) -> str:
        """`commit` with its meta already made (the outbox's way: the meta is recorded)."""
        if not version_id or any(c in version_id for c in "\r\n"):
            raise ValueError("a version id must be one non-empty line")
        return await self._run(self._commit, dict(files), meta, version_id)

    async def rebuild(self, commits: Sequence[Replayed]) -> str | None:
        """Make the repository anew from `commits` (the first has no parent), built beside
        it and renamed into place, so a crash leaves either the old one or the new one; a
        damaged one found there is moved aside. The new tip; GitError as `replay`."""
        return await self._run(self._rebuild, list(commits))

    async def meta(self, sha: str) -> CommitMeta:
        """The author, time and message commit `sha` was written with."""
        return await self._run(self._meta, sha)

    async def head(self) -> tuple[str, str | None, str | None] | None:
        """(sha, first parent, version it records) of `main`'s tip, None before the first
        commit. Raises GitError if the tip cannot be read (a damaged repository)."""
        return await self._run(self._head)

    async def replay(self, parent: str | None, commits: Sequence[Replayed]) -> str | None:
        """Write `commits` on top of `parent` (None: from nothing) and move `main` there,
        checking each sha against the recorded one; the new tip. Raises GitError with code
        `history_mismatch` if one differs (nothing moves then)."""
        return await self._run(self._replay, parent, list(commits))

    async def tip(self) -> str | None:
        """The sha at the tip of `main`, or None before the first commit."""
        return await self._run(self._tip)

    async def log(self, limit: int | None = None) -> list[tuple[str, str, dict[str, FileContent]]]:
        """(sha, message, files) of `main`'s commits, newest first, following first parents."""
        return await self._run(self._log, limit)

    async def read_tree(self, sha: str) -> dict[str, FileContent]:
        """The files (text and binary) of commit (or tree) `sha`."""
        return await self._run(self._read_tree, sha)

    # -- worker-thread side ---------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.to_thread(fn, *args)
        except TimeoutError:
            raise GitError(
                f"the app's git repository did not answer within {self.timeout:g} s",
                code=COMMIT_TIMED_OUT,
            ) from None
        except GitError:
            raise
        except Exception as exc:  # dulwich raises many types; callers get one
            # Our own repository on disk: no secret can be in these texts.
            raise GitError(
                f"the app's git repository failed: {type(exc).__name__}: {exc}"[:300],
                code=COMMIT_FAILED,
            ) from exc

    def _open(self) -> Repo:
        return Repo(str(self.path))

    def _ensure(self) -> None:
        try:
            self._open().close()
            return
        except NotGitRepository:
            pass
        # Built in a staging folder and renamed into place, so a crash mid-init never
        # leaves a half-made repository at `path` (dulwich cannot init over one).
        staging = self._staging("init")
        try:
            os.rename(staging, self.path)  # atomic; replaces only an empty folder
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            # A concurrent ensure() may have won the rename; anything else is an error.
            self._open().close()

    def _staging(self, why: str) -> str:
        """A new, empty bare repository beside `path`, for renaming into place."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{self.path.name}.{why}-", dir=self.path.parent)
        # default_branch makes HEAD name `main`, so a clone checks it out.
        with Repo.init_bare(staging, default_branch=b"main") as repo:
            # dulwich fsyncs refs but not loose objects by default; without this a
            # crash could leave `main` naming a commit whose objects never hit the disk.
            config = repo.get_config()
            config.set((b"core",), b"fsyncObjectFiles", True)
            config.write_to_path()
        return staging

    def _rebuild(self, commits: list[Replayed]) -> str | None:
        staging = AppRepository(self._staging("rebuild"), timeout=self.timeout)
        try:
            tip = staging._replay(None, commits)
        except BaseException:
            shutil.rmtree(staging.path, ignore_errors=True)
            raise
        if self.path.exists():  # damaged: kept aside for a person to look at, not deleted
            os.rename(self.path, self.path.with_name(f".{self.path.name}.damaged-{time.time_ns()}"))
        os.rename(staging.path, self.path)
        return tip

    def _tip(self) -> str | None:
        with self._open() as repo:
            sha = main_tip(repo)
            return sha.decode() if sha else None

    def _commit(self, files: dict[str, FileContent], meta: CommitMeta, version_id: str) -> str:
        with self._open() as repo:
            tree_id = write_tree(repo.object_store, files)
            # Compare-and-swap on `main`: a retry racing a commit that outlived its
            # deadline must not leave two commits for one version, nor lose either.
            for _ in range(_CAS_ATTEMPTS):
                tip = main_tip(repo)
                if tip is not None:
                    head = repo[tip]
                    assert isinstance(head, Commit)
                    if version_of(head.message.decode("utf-8", "replace")) == version_id:
                        return tip.decode()
                commit = _make_commit(tree_id, tip, meta)
                add_object(repo.object_store, commit)
                if _swap_main(repo, tip, commit.id, f"commit: version {version_id}"):
                    log.debug("committed version %s as %s", version_id, commit.id.decode())
                    return commit.id.decode()
                time.sleep(_CAS_PAUSE)  # lost the race: re-read the tip and check again
        raise GitError("the app's branch kept moving while committing", code=COMMIT_FAILED)

    def _meta(self, sha: str) -> CommitMeta:
        with self._open() as repo:
            commit = repo[ObjectID(sha.encode("ascii"))]
            assert isinstance(commit, Commit)
            return CommitMeta(commit.author.decode(), commit.author_time, commit.message.decode())

    def _head(self) -> tuple[str, str | None, str | None] | None:
        with self._open() as repo:
            tip = main_tip(repo)
            if tip is None:
                return None
            commit = repo[tip]
            if not isinstance(commit, Commit) or commit.tree not in repo.object_store:
                raise GitError("the tip of the app's branch is damaged", code=COMMIT_FAILED)
            parent = commit.parents[0].decode() if commit.parents else None
            return tip.decode(), parent, version_of(commit.message.decode("utf-8", "replace"))

    def _replay(self, parent: str | None, commits: list[Replayed]) -> str | None:
        with self._open() as repo:
            start = ObjectID(parent.encode()) if parent else None
            tip = start
            for entry in commits:
                commit = _make_commit(write_tree(repo.object_store, entry.files), tip, entry.meta)
                if commit.id.decode() != entry.sha:
                    raise GitError(
                        f"version {entry.version_id} does not rebuild as the commit the "
                        "database records; the repository was left as it was",
                        code=HISTORY_MISMATCH,
                    )
                add_object(repo.object_store, commit)
                tip = commit.id
            if tip != start and tip is not None and not _swap_main(repo, start, tip, "rebuild"):
                raise GitError("the app's branch moved while it was rebuilt", code=COMMIT_FAILED)
            return tip.decode() if tip is not None else None

    def _log(self, limit: int | None) -> list[tuple[str, str, dict[str, FileContent]]]:
        out: list[tuple[str, str, dict[str, FileContent]]] = []
        with self._open() as repo:
            sha = main_tip(repo)
            while sha is not None and (limit is None or len(out) < limit):
                commit = repo[sha]
                assert isinstance(commit, Commit)
                files, _ = read_files(repo.object_store, commit.tree)
                out.append((sha.decode(), commit.message.decode("utf-8", "replace"), files))
                sha = commit.parents[0] if commit.parents else None
        return out

    def _read_tree(self, sha: str) -> dict[str, FileContent]:
        with self._open() as repo:
            try:
                obj = repo[ObjectID(sha.encode("ascii"))]
            except (KeyError, ValueError, UnicodeEncodeError):
                raise GitError(
                    f"no commit {sha!r} in the app's repository", code=UNKNOWN_COMMIT
                ) from None
            if isinstance(obj, Commit):
                obj = repo[obj.tree]
            if not isinstance(obj, Tree):
                raise GitError(f"{sha!r} is not a commit", code=UNKNOWN_COMMIT)
            files, _ = read_files(repo.object_store, obj.id)
            return files


def _make_commit(tree: ObjectID, parent: ObjectID | None, meta: CommitMeta) -> Commit:
    commit = Commit()
    commit.tree = tree
    commit.parents = [parent] if parent is not None else []
    commit.author = commit.committer = meta.author.encode()
    commit.author_time = commit.commit_time = meta.time
    commit.author_timezone = commit.commit_timezone = 0
    commit.encoding = b"UTF-8"
    commit.message = meta.message.encode()
    return commit


def _swap_main(repo: Repo, old: ObjectID | None, new: ObjectID, why: str) -> bool:
    """Point `main` at `new` only if it still points at `old` (None: does not exist)."""
    try:
        if old is None:
            return repo.refs.add_if_new(MAIN, new, message=why.encode())
        return repo.refs.set_if_equals(MAIN, old, new, message=why.encode())
    except FileLocked:  # another writer holds the ref right now: as good as moved
        return False


def main_tip(repo: Repo) -> ObjectID | None:
    """The sha `main` points at, or None before the first commit."""
    try:
        return repo.refs[MAIN]
    except KeyError:
        return None


def _ident(name: str, email: str) -> bytes:
    """`Name <email>`, with the characters git's ident format cannot hold removed."""

    def clean(value: str) -> str:
        return " ".join(value.translate({ord(c): " " for c in "<>\r\n\x00"}).split())

    return f"{clean(name) or 'appwright'} <{clean(email) or 'appwright@localhost'}>".encode()


def _with_trailer(message: str, version_id: str) -> str:
    # The trailer is always the last line, so `version_of` reads only that line and text in
    # the user's request that looks like a trailer can never be mistaken for ours.
    body = message.replace("\x00", "").strip() or "Update"
    return f"{body}\n\n{VERSION_TRAILER}: {version_id}\n"


def version_of(message: str) -> str | None:
    """The version id a commit message records, or None for commits we did not make."""
    lines = message.rstrip("\n").split("\n")
    prefix = f"{VERSION_TRAILER}: "
    last = lines[-1] if lines else ""
    return last[len(prefix) :].strip() if last.startswith(prefix) else None

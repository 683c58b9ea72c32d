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
from collections.abc import Callable, Mapping
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
        if not version_id or any(c in version_id for c in "\r\n"):
            raise ValueError("a version id must be one non-empty line")
        return await self._run(
            self._commit, dict(files), message, author_name, author_email, version_id, when
        )

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{self.path.name}.init-", dir=self.path.parent)
        try:
            # default_branch makes HEAD name `main`, so a clone checks it out.
            with Repo.init_bare(staging, default_branch=b"main") as repo:
                # dulwich fsyncs refs but not loose objects by default; without this a
                # crash could leave `main` naming a commit whose objects never hit the disk.
                config = repo.get_config()
                config.set((b"core",), b"fsyncObjectFiles", True)
                config.write_to_path()
            os.rename(staging, self.path)  # atomic; replaces only an empty folder
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            # A concurrent ensure() may have won the rename; anything else is an error.
            self._open().close()

    def _tip(self) -> str | None:
        with self._open() as repo:
            sha = main_tip(repo)
            return sha.decode() if sha else None

    def _commit(
        self,
        files: dict[str, FileContent],
        message: str,
        author_name: str,
        author_email: str,
        version_id: str,
        when: float | None,
    ) -> str:
        ident = _ident(author_name, author_email)
        stamp = int(time.time() if when is None else when)
        full_message = _with_trailer(message, version_id)
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
                commit = Commit()
                commit.tree = tree_id
                commit.parents = [tip] if tip is not None else []
                commit.author = commit.committer = ident
                commit.author_time = commit.commit_time = stamp
                commit.author_timezone = commit.commit_timezone = 0
                commit.encoding = b"UTF-8"
                commit.message = full_message.encode()
                add_object(repo.object_store, commit)
                if _swap_main(repo, tip, commit.id, f"commit: version {version_id}"):
                    log.debug("committed version %s as %s", version_id, commit.id.decode())
                    return commit.id.decode()
                time.sleep(_CAS_PAUSE)  # lost the race: re-read the tip and check again
        raise GitError("the app's branch kept moving while committing", code=COMMIT_FAILED)

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

"""Talking to an app's remote: push `main`, read a branch's tip, import a branch's files.

Every call runs dulwich in a worker thread under `asyncio.timeout(timeout)`; the thread's
own socket operations are bounded by the same deadline (see `transport.py`), so a timed-out
call does not leave a thread blocked on a silent server for long.

A push never forces. If the remote branch holds a commit that is not an ancestor of our
tip (someone pushed elsewhere), the push stops with `non_fast_forward` before sending
anything, and the remote is left as it was: the vendor decides what to do, not us.

The functions take `timeout` themselves (rather than leaving it to the caller's
`asyncio.timeout`) because the caller's deadline cannot reach into the worker thread: the
same number has to bound dulwich's sockets as well as the await.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Set
from typing import TypeVar

from dulwich.client import GitClient
from dulwich.objects import ZERO_SHA, Commit, ObjectID
from dulwich.pack import UnpackedObject
from dulwich.refs import Ref, check_ref_format
from dulwich.repo import Repo

from appwright.files.content import FileContent
from appwright.git.errors import (
    BRANCH_NOT_FOUND,
    COMMIT_FAILED,
    FETCH_TIMED_OUT,
    INVALID_REMOTE,
    NON_FAST_FORWARD,
    PUSH_FAILED,
    PUSH_TIMED_OUT,
    GitError,
)
from appwright.git.reach import RemotePolicy
from appwright.git.repository import MAIN, AppRepository, main_tip
from appwright.git.transport import (
    Endpoint,
    Op,
    abort,
    open_client,
    parse_remote,
    remote_path,
    to_git_error,
)
from appwright.git.trees import Skipped, read_files
from appwright.redaction import redact

log = logging.getLogger(__name__)

T = TypeVar("T")
RepoLike = AppRepository | str | os.PathLike[str]
# Public https remotes only: a caller that may reach more says so with its own policy.
STRICT = RemotePolicy()

# What git servers answer for a ref update refused because the branch moved; dulwich's
# local client says "unable to set" when its compare-and-swap loses a race.
_MOVED_MARKERS = ("non-fast-forward", "fetch first", "stale info", "unable to set")


async def push(
    repo: RepoLike,
    url: str,
    token: str | None = None,
    branch: str = "main",
    timeout: float = 15.0,  # noqa: ASYNC109 - see the module docstring
    *,
    policy: RemotePolicy = STRICT,
) -> str:
    """Push the app's `main` to the remote's `branch`; return the sha now on the remote."""
    endpoint = parse_remote(url, token)
    ref = _branch_ref(branch)
    repo_path = str(repo.path if isinstance(repo, AppRepository) else repo)
    sha = await _run(
        "push", endpoint, timeout, policy, lambda c: _push(c, endpoint, repo_path, ref)
    )
    log.info("pushed %s to %s (%s)", sha, endpoint.location, branch)
    return sha


async def fetch_tip(
    url: str,
    token: str | None = None,
    branch: str = "main",
    timeout: float = 15.0,  # noqa: ASYNC109 - see the module docstring
    *,
    policy: RemotePolicy = STRICT,
) -> str | None:
    """The sha at the tip of the remote's `branch`, or None if it has no such branch."""
    endpoint = parse_remote(url, token)
    ref = _branch_ref(branch)
    return await _run("fetch", endpoint, timeout, policy, lambda c: _fetch_tip(c, endpoint, ref))


async def import_tip(
    url: str,
    token: str | None = None,
    branch: str = "main",
    timeout: float = 15.0,  # noqa: ASYNC109 - see the module docstring
    *,
    into: AppRepository | None = None,
    policy: RemotePolicy = STRICT,
    on_skip: Callable[[str, str], None] | None = None,
) -> dict[str, FileContent]:
    """The files (text and binary) at the tip of the remote's `branch` (for `app create
    --from-git`).

    Symlinks, submodules and names that are not UTF-8 are left out: each is logged and
    handed to `on_skip(path, why)`. With
    `into` (an ensured, still empty app repository) the remote's history is fetched into it
    and its `main` set to the remote tip, so the app's first commit builds on that tip and
    pushing back to the same remote is a fast-forward. Note that commit's tree is then the
    imported files only: the files left out are deleted by it.
    """
    endpoint = parse_remote(url, token)
    ref = _branch_ref(branch)
    into_path = str(into.path) if into is not None else None
    files, skipped = await _run(
        "fetch", endpoint, timeout, policy, lambda c: _import(c, endpoint, ref, into_path)
    )
    if skipped:
        shown = ", ".join(f"{path} ({why})" for path, why in skipped[:20])
        where = endpoint.location
        log.info("import from %s left out %d files: %s", where, len(skipped), shown)
    for path, why in skipped:
        if on_skip is not None:
            on_skip(path, why)
    return files


# -- the async/thread boundary -------------------------------------------------------------


async def _run(
    op: Op,
    endpoint: Endpoint,
    timeout: float,  # noqa: ASYNC109 - see the module docstring
    policy: RemotePolicy,
    fn: Callable[[GitClient], T],
) -> T:
    deadline = time.monotonic() + timeout
    client = open_client(endpoint, deadline, timeout, policy)
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.to_thread(fn, client)
    except asyncio.CancelledError:
        abort(client)  # the caller gave up (e.g. shutdown): free the thread's socket too
        raise
    except TimeoutError:
        # The thread lives on until its current socket operation hits the same deadline;
        # shutting the sockets of responses being read makes that immediate.
        abort(client)
        code = PUSH_TIMED_OUT if op == "push" else FETCH_TIMED_OUT
        message = f"{endpoint.location} is unreachable: no answer within {timeout:g} s"
        error, detail = GitError(message, code=code), "deadline"
    except Exception as exc:  # every failure becomes a GitError, scrubbed
        error = to_git_error(exc, op, endpoint)
        detail = redact(f"{type(exc).__name__}: {exc}", endpoint.secrets)[:300]
    # Logged and raised outside the except blocks so no traceback chains the raw exception.
    # The detail (what answered) is for the operator's log only.
    message = redact(error.message, endpoint.secrets)
    log.warning("%s to %s failed: %s: %s (%s)", op, endpoint.location, error.code, message, detail)
    raise error


def _branch_ref(branch: str) -> Ref:
    ref = Ref(b"refs/heads/" + branch.encode("utf-8", "replace"))
    if not branch or not check_ref_format(ref):
        raise GitError(f"not a valid branch name: {branch!r}", code=INVALID_REMOTE)
    return ref


# -- worker-thread side --------------------------------------------------------------------


def _push(client: GitClient, endpoint: Endpoint, repo_path: str, ref: Ref) -> str:
    try:
        with Repo(repo_path) as repo:
            tip = main_tip(repo)
            if tip is None:
                raise GitError("nothing to push: the app has no commits yet", code=PUSH_FAILED)

            def update_refs(remote: dict[Ref, ObjectID]) -> dict[Ref, ObjectID]:
                old = remote.get(ref)
                if old not in (None, ZERO_SHA, tip) and not _is_ancestor(repo, old, tip):
                    raise GitError(
                        f"{endpoint.location} rejected the push: the remote branch "
                        f"{_name(ref)} has commits this app does not have (pushed from "
                        "elsewhere); it was left unchanged",
                        code=NON_FAST_FORWARD,
                        remote_sha=old.decode(),
                    )
                return {ref: tip}

            def pack_data(
                have: Set[ObjectID],
                want: Set[ObjectID],
                *,
                ofs_delta: bool = False,
                progress: Callable[..., None] | None = None,
            ) -> tuple[int, Iterator[UnpackedObject]]:
                return repo.generate_pack_data(
                    set(have), set(want), progress=progress, ofs_delta=ofs_delta
                )

            result = client.send_pack(remote_path(endpoint), update_refs, pack_data)
            refused = (result.ref_status or {}).get(ref)
            if refused:
                text = redact(str(refused), endpoint.secrets)[:200]
                log.info("%s refused the ref update: %s", endpoint.location, text)
                if any(marker in text for marker in _MOVED_MARKERS):
                    raise GitError(
                        f"{endpoint.location} rejected the push: the remote branch "
                        f"{_name(ref)} moved during it; it was left unchanged",
                        code=NON_FAST_FORWARD,
                    )
                raise GitError(f"{endpoint.location} rejected the push", code=PUSH_FAILED)
            return tip.decode()
    finally:
        client.close()


def _is_ancestor(repo: Repo, old: ObjectID, tip: ObjectID) -> bool:
    """Is `old` reachable from `tip`? A plain walk: dulwich's `can_fast_forward` prunes by
    commit time, which a remote with a skewed clock could make answer wrongly."""
    if old not in repo.object_store:
        return False  # we never saw that commit, so our history cannot contain it
    seen: set[ObjectID] = set()
    stack = [tip]
    while stack:
        sha = stack.pop()
        if sha == old:
            return True
        if sha in seen:
            continue
        seen.add(sha)
        try:
            commit = repo.object_store[sha]
        except KeyError:  # history cut short (an import's missing parents)
            continue
        if isinstance(commit, Commit):
            stack.extend(commit.parents)
    return False


def _fetch_tip(client: GitClient, endpoint: Endpoint, ref: Ref) -> str | None:
    try:
        sha = client.get_refs(remote_path(endpoint)).refs.get(ref)
        return sha.decode() if sha and sha != ZERO_SHA else None
    finally:
        client.close()


def _import(
    client: GitClient, endpoint: Endpoint, ref: Ref, into_path: str | None
) -> tuple[dict[str, FileContent], Skipped]:
    # A scratch repository on disk, not MemoryRepo: a large remote must not fill our RAM.
    with tempfile.TemporaryDirectory(prefix="appwright-import-") as scratch:
        target = Repo(into_path) if into_path else Repo.init_bare(scratch)
        try:
            if into_path and main_tip(target) is not None:
                raise GitError("the app's repository already has commits", code=COMMIT_FAILED)
            wanted: list[ObjectID] = []

            def determine_wants(
                refs: Mapping[Ref, ObjectID], depth: int | None = None
            ) -> list[ObjectID]:
                sha = refs.get(ref)
                if sha is None or sha == ZERO_SHA:
                    raise GitError(
                        f"{endpoint.location} has no branch {_name(ref)}", code=BRANCH_NOT_FOUND
                    )
                wanted.append(sha)
                return [sha]

            client.fetch(remote_path(endpoint), target, determine_wants=determine_wants)
            commit = target[wanted[0]]
            assert isinstance(commit, Commit)
            if into_path and not target.refs.add_if_new(MAIN, commit.id, message=b"import"):
                raise GitError("the app's repository already has commits", code=COMMIT_FAILED)
            return read_files(target.object_store, commit.tree)
        finally:
            target.close()
            client.close()


def _name(ref: Ref) -> str:
    return repr(ref.decode("utf-8", "replace").removeprefix("refs/heads/"))

"""push / fetch_tip / import_tip against real remotes: local bare repos, smart HTTP with
basic auth, a closed port and a server that never answers, all on this machine (under a
policy that allows local remotes; the strict default is tested in test_reach.py)."""

from __future__ import annotations

import logging
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from appwright import git
from appwright.git import AppRepository, GitError
from appwright.git.reach import RemotePolicy
from appwright.git.transport import scrub

LOCAL = RemotePolicy(allow_local=True)
push = partial(git.push, policy=LOCAL)
fetch_tip = partial(git.fetch_tip, policy=LOCAL)
import_tip = partial(git.import_tip, policy=LOCAL)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\xff\xd8"
FILES = [
    {"index.html": "<h1>one</h1>\n"},
    {"index.html": "<h1>two</h1>\n", "css/a.css": "a{}\n"},
    {"index.html": "<h1>three</h1>\n", "css/a.css": "a{b:c}\n", "js/x/y.js": "1;\n"},
]


async def add_versions(repo: AppRepository, versions: list[dict[str, str]], start: int = 1):
    shas = []
    for n, files in enumerate(versions, start):
        shas.append(await repo.commit(files, f"v{n}", "Ada", "ada@example.com", f"v{n}"))
    return shas


def remote_history(path: Path, branch: bytes = b"refs/heads/main") -> list[str]:
    """Shas of the remote branch, oldest first (first parents)."""
    with Repo(str(path)) as raw:
        try:
            sha = raw.refs[branch]
        except KeyError:
            return []
        out = []
        while sha:
            out.append(sha.decode())
            commit = raw[sha]
            sha = commit.parents[0] if commit.parents else None
        return out[::-1]


def foreign_commit(path: Path, branch: bytes = b"refs/heads/main") -> str:
    """Someone else pushes an unrelated commit to the remote."""
    with Repo(str(path)) as raw:
        blob = Blob.from_string(b"theirs\n")
        tree = Tree()
        tree.add(b"README", 0o100644, blob.id)
        commit = Commit()
        commit.tree = tree.id
        commit.author = commit.committer = b"Other <other@example.com>"
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"elsewhere\n"
        for obj in (blob, tree, commit):
            raw.object_store.add_object(obj)
        raw.refs[branch] = commit.id
        return commit.id.decode()


def assert_no_secret(error: BaseException, caplog: pytest.LogCaptureFixture, secret: str):
    texts = [str(error), repr(error), caplog.text, *(r.getMessage() for r in caplog.records)]
    if isinstance(error, GitError):
        texts += [error.message, str(error.as_payload()), str(error.data)]
    for text in texts:
        assert secret not in text


# -- local remotes ---------------------------------------------------------------------


async def test_push_to_local_bare_repo_in_order(app_repo: AppRepository, bare_remote: Path):
    shas = await add_versions(app_repo, FILES[:2])
    assert await push(app_repo, str(bare_remote)) == shas[-1]
    shas += await add_versions(app_repo, FILES[2:], start=3)
    assert await push(app_repo, f"file://{bare_remote}") == shas[-1]
    assert remote_history(bare_remote) == shas
    # Pushing again is a no-op that still answers the sha on the remote.
    assert await push(app_repo, str(bare_remote)) == shas[-1]
    assert await fetch_tip(str(bare_remote)) == shas[-1]
    assert await fetch_tip(str(bare_remote), branch="nope") is None


async def test_push_to_another_branch(app_repo: AppRepository, bare_remote: Path):
    (sha,) = await add_versions(app_repo, FILES[:1])
    await push(app_repo, str(bare_remote), branch="appwright/live")
    assert remote_history(bare_remote, b"refs/heads/appwright/live") == [sha]
    assert remote_history(bare_remote) == []


async def test_unreachable_path_then_restored(app_repo: AppRepository, tmp_path: Path):
    shas = await add_versions(app_repo, FILES)
    missing = tmp_path / "later" / "remote.git"
    for url in (str(missing), f"file://{missing}"):
        with pytest.raises(GitError) as caught:
            await push(app_repo, url)
        assert caught.value.code == "remote_unreachable"
        assert caught.value.retryable
    missing.mkdir(parents=True)
    Repo.init_bare(str(missing)).close()
    assert await push(app_repo, str(missing)) == shas[-1]
    assert remote_history(missing) == shas


async def test_non_fast_forward_leaves_remote_alone(app_repo: AppRepository, bare_remote: Path):
    await add_versions(app_repo, FILES[:1])
    theirs = foreign_commit(bare_remote)
    with pytest.raises(GitError) as caught:
        await push(app_repo, str(bare_remote))
    error = caught.value
    assert error.code == "non_fast_forward" and not error.retryable and error.status == 409
    assert error.data["remote_sha"] == theirs
    assert remote_history(bare_remote) == [theirs]


async def test_diverged_after_our_own_push(app_repo: AppRepository, bare_remote: Path):
    """We pushed v1; someone built on it elsewhere; our v2 must not overwrite that."""
    await add_versions(app_repo, FILES[:1])
    await push(app_repo, str(bare_remote))
    with Repo(str(bare_remote)) as raw:
        ours = raw.refs[b"refs/heads/main"]
        child = Commit()
        child.tree = raw[ours].tree
        child.parents = [ours]
        child.author = child.committer = b"Other <o@example.com>"
        child.author_time = child.commit_time = int(time.time())
        child.author_timezone = child.commit_timezone = 0
        child.message = b"theirs on top\n"
        raw.object_store.add_object(child)
        raw.refs[b"refs/heads/main"] = child.id
    await add_versions(app_repo, FILES[1:2], start=2)
    with pytest.raises(GitError) as caught:
        await push(app_repo, str(bare_remote))
    assert caught.value.code == "non_fast_forward"
    assert remote_history(bare_remote)[-1] == child.id.decode()


async def test_nothing_to_push_and_bad_inputs(app_repo: AppRepository, bare_remote: Path):
    with pytest.raises(GitError) as caught:
        await push(app_repo, str(bare_remote))
    assert caught.value.code == "push_failed"
    for url in ("git@github.com:o/r.git", "ssh://git@github.com/o/r.git", "ftp://x/y", " "):
        with pytest.raises(GitError) as caught:
            await push(app_repo, url)
        assert caught.value.code == "invalid_remote"
    with pytest.raises(GitError) as caught:
        await push(app_repo, str(bare_remote), branch="bad..name")
    assert caught.value.code == "invalid_remote"


# -- import -------------------------------------------------------------------------------


async def test_import_tip_keeps_binary_files_and_names_what_it_skips(
    tmp_path: Path, bare_remote: Path
):
    source = AppRepository(tmp_path / "source.git")
    await source.ensure()
    await add_versions(source, FILES)
    await push(source, str(bare_remote))
    with Repo(str(bare_remote)) as raw:  # add a binary file to the remote's tip
        tip = raw[raw.refs[b"refs/heads/main"]]
        png = Blob.from_string(PNG)
        link = Blob.from_string(b"index.html")
        tree = raw[tip.tree]
        tree.add(b"logo.png", 0o100644, png.id)
        tree.add(b"home.html", 0o120000, link.id)
        commit = Commit()
        commit.tree, commit.parents = tree.id, [tip.id]
        commit.author = commit.committer = b"X <x@example.com>"
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"logo\n"
        for obj in (png, link, tree, commit):
            raw.object_store.add_object(obj)
        raw.refs[b"refs/heads/main"] = commit.id
    skipped: list[tuple[str, str]] = []
    imported = await import_tip(str(bare_remote), on_skip=lambda *s: skipped.append(s))
    assert imported == {**FILES[2], "logo.png": PNG}
    assert skipped == [("home.html", "a symbolic link")]

    with pytest.raises(GitError) as caught:
        await import_tip(str(bare_remote), branch="missing")
    assert caught.value.code == "branch_not_found"
    with pytest.raises(GitError) as caught:
        await import_tip(str(tmp_path / "nowhere"))
    assert caught.value.code == "remote_unreachable"


async def test_import_into_app_repo_then_push_back_fast_forwards(tmp_path: Path, bare_remote: Path):
    source = AppRepository(tmp_path / "source.git")
    await source.ensure()
    source_shas = await add_versions(source, FILES[:2])
    await push(source, str(bare_remote))

    app = AppRepository(tmp_path / "imported.git")
    await app.ensure()
    files = await import_tip(f"file://{bare_remote}", into=app)
    assert files == FILES[1]
    assert await app.tip() == source_shas[-1]
    mine = await app.commit(files, "initial", "Ada", "ada@example.com", "v-initial")
    assert await push(app, str(bare_remote)) == mine
    assert remote_history(bare_remote) == [*source_shas, mine]
    with pytest.raises(GitError) as caught:  # only an empty repository can be seeded
        await import_tip(str(bare_remote), into=app)
    assert caught.value.code == "commit_failed"


# -- HTTP -----------------------------------------------------------------------------------


async def test_http_auth_refused_then_pushed(
    app_repo: AppRepository,
    http_remote: Any,
    bare_remote: Path,
    caplog: pytest.LogCaptureFixture,
    good_token: str,
):
    caplog.set_level(logging.DEBUG)
    shas = await add_versions(app_repo, FILES)
    url = http_remote.url()
    wrong = "ghp_WrongTokenValue_fedcba9876543210"
    for token in (wrong, None):
        with pytest.raises(GitError) as caught:
            await push(app_repo, url, token, timeout=5)
        assert caught.value.code == "auth_refused" and not caught.value.retryable
        assert_no_secret(caught.value, caplog, wrong)
    assert remote_history(bare_remote) == []

    assert await push(app_repo, url, good_token, timeout=5) == shas[-1]
    assert remote_history(bare_remote) == shas
    assert await fetch_tip(url, good_token, timeout=5) == shas[-1]
    assert await import_tip(url, good_token, timeout=5) == FILES[2]
    # Credentials written into the URL work too, and are scrubbed the same way.
    assert await fetch_tip(url.replace("://", f"://x-access-token:{good_token}@")) == shas[-1]
    with pytest.raises(GitError) as caught:
        await push(app_repo, url.replace("://", f"://x-access-token:{wrong}@"))
    assert caught.value.code == "auth_refused"
    assert_no_secret(caught.value, caplog, wrong)

    # A later non-fast-forward over HTTP: refused before anything is sent.
    theirs = foreign_commit(bare_remote)
    with pytest.raises(GitError) as caught:
        await push(app_repo, url, good_token, timeout=5)
    assert caught.value.code == "non_fast_forward"
    assert remote_history(bare_remote)[-1] == theirs
    assert good_token not in caplog.text
    assert_no_secret(caught.value, caplog, good_token)


async def test_http_403_is_auth_refused(
    app_repo: AppRepository, http_remote_403: Any, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    await add_versions(app_repo, FILES[:1])
    with pytest.raises(GitError) as caught:
        await push(app_repo, http_remote_403.url(), "ghp_NoAccess_123", timeout=5)
    assert caught.value.code == "auth_refused"
    assert_no_secret(caught.value, caplog, "ghp_NoAccess_123")


async def test_http_missing_repository_is_unreachable(
    app_repo: AppRepository, http_remote: Any, good_token: str
):
    await add_versions(app_repo, FILES[:1])
    with pytest.raises(GitError) as caught:
        await push(app_repo, http_remote.url("nope.git"), good_token, timeout=5)
    assert caught.value.code == "remote_unreachable"


async def test_http_closed_port_is_unreachable(
    app_repo: AppRepository, closed_port: int, caplog: pytest.LogCaptureFixture, good_token: str
):
    caplog.set_level(logging.DEBUG)
    await add_versions(app_repo, FILES[:1])
    url = f"http://127.0.0.1:{closed_port}/remote.git"
    started = time.monotonic()
    with pytest.raises(GitError) as caught:
        await push(app_repo, url, good_token, timeout=5)
    assert caught.value.code == "remote_unreachable" and caught.value.retryable
    assert time.monotonic() - started < 2
    assert_no_secret(caught.value, caplog, good_token)


async def test_hanging_remote_times_out_within_the_deadline(
    app_repo: AppRepository, hanging_url: str, caplog: pytest.LogCaptureFixture, good_token: str
):
    caplog.set_level(logging.DEBUG)
    await add_versions(app_repo, FILES[:1])
    started = time.monotonic()
    with pytest.raises(GitError) as caught:
        await push(app_repo, hanging_url, good_token, timeout=0.5)
    assert caught.value.code == "push_timed_out" and caught.value.retryable
    assert time.monotonic() - started < 1.0
    assert_no_secret(caught.value, caplog, good_token)

    started = time.monotonic()
    with pytest.raises(GitError) as caught:
        await fetch_tip(hanging_url, good_token, timeout=0.5)
    assert caught.value.code == "fetch_timed_out"
    assert time.monotonic() - started < 1.0


def test_scrub_removes_every_form_of_a_secret():
    import base64
    from urllib.parse import quote

    secret = "tok/en+with=odd&chars"
    text = " ".join(
        [
            f"https://x-access-token:{secret}@github.com/o/r.git",
            secret,
            quote(secret, safe=""),
            base64.b64encode(f"x-access-token:{secret}".encode()).decode(),
        ]
    )
    cleaned = scrub(text, (secret,))
    assert secret not in cleaned and quote(secret, safe="") not in cleaned
    assert "github.com/o/r.git" in cleaned
    assert base64.b64encode(f"x-access-token:{secret}".encode()).decode() not in cleaned

"""AppRepository: one commit per version, tree == snapshot, idempotent per version id."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from dulwich.objects import Commit
from dulwich.repo import Repo

from appwright.git import AppRepository, GitError, version_of

V1 = {"index.html": "<h1>hi</h1>\n", "css/site.css": "h1 { color: red }\n"}
V2 = {
    "index.html": "<h1>hello</h1>\n",
    "css/site.css": "h1 { color: blue }\n",
    "js/lib/deep/util.js": "export const x = 1;\n",
}
V3 = {"index.html": "<h1>hello</h1>\n", "js/lib/deep/util.js": "export const x = 2;\n"}


async def commit(repo: AppRepository, files: dict[str, str], vid: str, msg: str = "") -> str:
    return await repo.commit(files, msg or f"ai: {vid}", "Ada Vendor", "ada@example.com", vid)


async def test_ensure_makes_a_bare_repo_on_main_and_is_idempotent(tmp_path: Path) -> None:
    repo = AppRepository(tmp_path / "a" / "b.git")
    await repo.ensure()
    await repo.ensure()
    with Repo(str(repo.path)) as raw:
        assert raw.bare
        assert raw.refs.read_ref(b"HEAD") == b"ref: refs/heads/main"
    assert await repo.tip() is None
    assert await repo.log() == []


async def test_commits_mirror_snapshots_in_order(app_repo: AppRepository) -> None:
    s1 = await commit(app_repo, V1, "v1", "initial")
    s2 = await commit(app_repo, V2, "v2", "ai: make it blue\n\nmake the heading blue")
    s3 = await commit(app_repo, V3, "v3", "manual")
    assert await app_repo.tip() == s3

    history = await app_repo.log()
    assert [sha for sha, _, _ in history] == [s3, s2, s1]
    assert [files for _, _, files in history] == [V3, V2, V1]
    # A full snapshot: css/site.css is gone from v3's tree, not carried over.
    assert await app_repo.read_tree(s3) == V3
    assert await app_repo.read_tree(s1) == V1
    assert [version_of(m) for _, m, _ in history] == ["v3", "v2", "v1"]
    assert history[1][1].startswith("ai: make it blue\n\nmake the heading blue\n\n")

    with Repo(str(app_repo.path)) as raw:
        c3, c2, c1 = (raw[s.encode()] for s in (s3, s2, s1))
        assert isinstance(c3, Commit)
        assert c3.parents == [c2.id] and c2.parents == [c1.id] and c1.parents == []
        assert c3.author == c3.committer == b"Ada Vendor <ada@example.com>"


async def test_commit_is_idempotent_per_version_id(app_repo: AppRepository) -> None:
    first = await commit(app_repo, V1, "v1")
    again = await commit(app_repo, V2, "v1")  # a retry after a crash: same version id
    assert again == first
    assert len(await app_repo.log()) == 1
    # A different version with the same files is still its own commit.
    other = await commit(app_repo, V1, "v2")
    assert other != first
    assert len(await app_repo.log()) == 2


async def test_racing_retries_of_one_version_make_one_commit(app_repo: AppRepository) -> None:
    await commit(app_repo, V1, "v1")
    shas = await asyncio.gather(*(commit(app_repo, V2, "v2") for _ in range(6)))
    assert len(set(shas)) == 1
    assert len(await app_repo.log()) == 2


async def test_commit_time_author_and_untrusted_message(app_repo: AppRepository) -> None:
    sha = await app_repo.commit(
        V1,
        "ai: request says\nAppwright-Version: forged\n",
        "Eve <evil>\nX",
        "e<v>e@example.com",
        "v-real",
        when=1_700_000_000.7,
    )
    with Repo(str(app_repo.path)) as raw:
        c = raw[sha.encode()]
        assert isinstance(c, Commit)
        assert c.author_time == c.commit_time == 1_700_000_000
        assert c.author == b"Eve evil X <e v e@example.com>"
    # The trailer is always our last line, so a lookalike in the request is ignored.
    assert version_of(c.message.decode()) == "v-real"
    assert version_of("no trailer here") is None


@pytest.mark.parametrize(
    "bad", ["/abs.html", "a//b.html", "../up.html", "a/./b", ".git/config", "x/.GIT/hooks", ""]
)
async def test_invalid_paths_are_refused(app_repo: AppRepository, bad: str) -> None:
    with pytest.raises(GitError) as caught:
        await commit(app_repo, {bad: "x"}, "v1")
    assert caught.value.code == "invalid_path"
    assert await app_repo.tip() is None


async def test_file_and_folder_of_one_name_is_refused(app_repo: AppRepository) -> None:
    for files in ({"a": "1", "a/b": "2"}, {"a/b": "2", "a": "1"}):
        with pytest.raises(GitError) as caught:
            await commit(app_repo, files, "v1")
        assert caught.value.code == "invalid_path"


async def test_empty_snapshot_and_unicode(app_repo: AppRepository) -> None:
    s1 = await commit(app_repo, {"ünï/cødé.txt": "naïve ☃\n"}, "v1")
    s2 = await commit(app_repo, {}, "v2")
    assert await app_repo.read_tree(s1) == {"ünï/cødé.txt": "naïve ☃\n"}
    assert await app_repo.read_tree(s2) == {}


async def test_read_tree_of_unknown_sha(app_repo: AppRepository) -> None:
    for sha in ("0" * 40, "not-a-sha"):
        with pytest.raises(GitError) as caught:
            await app_repo.read_tree(sha)
        assert caught.value.code == "unknown_commit"
        assert caught.value.status == 404


async def test_missing_repository_is_a_typed_error(tmp_path: Path) -> None:
    repo = AppRepository(tmp_path / "never-ensured")
    with pytest.raises(GitError) as caught:
        await repo.tip()
    assert caught.value.code == "commit_failed"
    assert caught.value.retryable


async def test_ensure_into_an_existing_empty_folder_and_concurrently(tmp_path: Path) -> None:
    (tmp_path / "empty.git").mkdir()
    await AppRepository(tmp_path / "empty.git").ensure()
    repos = [AppRepository(tmp_path / "race.git") for _ in range(5)]
    await asyncio.gather(*(r.ensure() for r in repos))
    assert await repos[0].tip() is None
    assert sorted(os.listdir(tmp_path)) == ["empty.git", "race.git"]  # no staging litter


async def test_ensure_refuses_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file.txt").write_text("not git")
    with pytest.raises(GitError) as caught:
        await AppRepository(tmp_path / "junk").ensure()
    assert caught.value.code == "commit_failed"
    assert (tmp_path / "junk" / "file.txt").read_text() == "not git"

"""Undo, redo, revert and diff, as a person editing an app sees them.

Every step is a version; undo restores the state before the newest change not yet undone,
redo re-applies the newest undone one, and any new change clears what could be redone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


async def files_of(vendor: Any, app_id: str) -> dict[str, str]:
    listing = await vendor.get(f"/api/apps/{app_id}/files")
    assert listing.status_code == 200, listing.text
    return {
        f["path"]: (await vendor.get(f"/api/apps/{app_id}/files/{f['path']}")).json()["content"]
        for f in listing.json()
    }


async def versions_of(vendor: Any, app_id: str) -> list[dict[str, Any]]:
    response = await vendor.get(f"/api/apps/{app_id}/versions")
    assert response.status_code == 200, response.text
    return response.json()


def assert_chained(versions: list[dict[str, Any]]) -> None:
    """Newest first, numbered n..1 without a gap, each the child of the one before it."""
    assert [v["number"] for v in versions] == list(range(len(versions), 0, -1))
    for newer, older in zip(versions, versions[1:], strict=False):
        assert newer["parent_id"] == older["id"], (newer, older)
    if versions:
        assert versions[-1]["parent_id"] is None


def conflict(response: Any, code: str) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == code


async def test_a_scripted_session_of_edits_undos_and_redos(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"a.txt": "1"})
    url = f"/api/apps/{app_id}"
    conflict(await vendor.post(f"{url}/undo"), "nothing_to_undo")  # the initial version stays
    conflict(await vendor.post(f"{url}/redo"), "nothing_to_redo")

    async def step(response: Any, expected_files: dict[str, str], source: str) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body = response.json()
        version = body.get("version", body) if source == "manual" else body
        assert version["source"] == source
        assert await files_of(vendor, app_id) == expected_files
        return version

    v2 = await step(
        await vendor.put(f"{url}/files/a.txt", json={"content": "2"}), {"a.txt": "2"}, "manual"
    )
    v3 = await step(
        await vendor.put(f"{url}/files/b.txt", json={"content": "b"}),
        {"a.txt": "2", "b.txt": "b"},
        "manual",
    )
    v4 = await step(await vendor.delete(f"{url}/files/a.txt"), {"b.txt": "b"}, "manual")
    assert v4["paths"] == ["a.txt"]
    v5 = await step(await vendor.post(f"{url}/undo"), {"a.txt": "2", "b.txt": "b"}, "undo")
    assert v5["target_id"] == v4["id"]
    v6 = await step(await vendor.post(f"{url}/undo"), {"a.txt": "2"}, "undo")
    assert v6["target_id"] == v3["id"]
    v7 = await step(await vendor.post(f"{url}/redo"), {"a.txt": "2", "b.txt": "b"}, "redo")
    assert v7["target_id"] == v3["id"]
    # A new change: what was undone before it (deleting a.txt) can no longer be redone.
    await step(
        await vendor.put(f"{url}/files/c.txt", json={"content": "c"}),
        {"a.txt": "2", "b.txt": "b", "c.txt": "c"},
        "manual",
    )
    conflict(await vendor.post(f"{url}/redo"), "nothing_to_redo")
    await step(await vendor.post(f"{url}/undo"), {"a.txt": "2", "b.txt": "b"}, "undo")
    await step(await vendor.post(f"{url}/undo"), {"a.txt": "2"}, "undo")
    v11 = await step(await vendor.post(f"{url}/undo"), {"a.txt": "1"}, "undo")
    assert v11["target_id"] == v2["id"]
    conflict(await vendor.post(f"{url}/undo"), "nothing_to_undo")
    await step(await vendor.post(f"{url}/redo"), {"a.txt": "2"}, "redo")
    # Writing what is already there is no change: no version, and redo still works.
    same = await vendor.put(f"{url}/files/a.txt", json={"content": "2"})
    assert same.status_code == 200 and same.json()["version"] is None
    await step(await vendor.post(f"{url}/redo"), {"a.txt": "2", "b.txt": "b"}, "redo")

    versions = await versions_of(vendor, app_id)
    assert [v["source"] for v in versions] == [
        "redo",
        "redo",
        "undo",
        "undo",
        "undo",
        "manual",
        "redo",
        "undo",
        "undo",
        "manual",
        "manual",
        "manual",
        "initial",
    ]
    assert_chained(versions)
    assert all(v["commit"]["state"] in ("pending", "committed", "pushed") for v in versions)
    missing_file = await vendor.delete(f"{url}/files/nope.txt")
    assert missing_file.status_code == 404
    assert missing_file.json()["error"]["code"] == "file_not_found"
    assert len(await versions_of(vendor, app_id)) == len(versions)


async def test_an_app_created_empty_starts_its_history_at_the_first_edit(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({})
    assert await versions_of(vendor, app_id) == []
    first = await vendor.put(f"/api/apps/{app_id}/files/index.html", json={"content": "hi"})
    assert first.json()["version"]["number"] == 1
    assert first.json()["version"]["parent_id"] is None
    undone = await vendor.post(f"/api/apps/{app_id}/undo")
    assert undone.status_code == 200, undone.text
    assert await files_of(vendor, app_id) == {}
    assert_chained(await versions_of(vendor, app_id))


# --- the property: the service behaves like a simple editor model ---------------------------

PATHS = ["a.txt", "b.txt", "dir/c.txt"]
CONTENTS = ["", "x", "yy", "é"]

Action = tuple[Any, ...]
actions = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(PATHS), st.sampled_from(CONTENTS)),
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.just(("undo",)),
    st.just(("redo",)),
)


@dataclass
class Editor:
    """The editor everyone knows: a stack of changes to undo, a stack of undone ones to redo."""

    files: dict[str, str]
    undo: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)
    redo: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=lambda: ["initial"])

    def change(self, new: dict[str, str]) -> bool:
        if new == self.files:
            return False
        self.undo.append((self.files, new))
        self.redo.clear()
        self.files = new
        self.sources.append("manual")
        return True

    def apply(self, action: Action) -> tuple[int, str | None]:
        """The status the service should answer and the source of the version it makes."""
        kind = action[0]
        if kind == "write":
            changed = self.change({**self.files, action[1]: action[2]})
            return 200, "manual" if changed else None
        if kind == "delete":
            if action[1] not in self.files:
                return 404, None
            self.change({p: c for p, c in self.files.items() if p != action[1]})
            return 200, "manual"
        stack, other = (self.undo, self.redo) if kind == "undo" else (self.redo, self.undo)
        if not stack:
            return 409, None
        before, after = stack.pop()
        other.append((before, after))
        self.files = before if kind == "undo" else after
        self.sources.append(kind)
        return 200, kind


async def perform(vendor: Any, app_id: str, action: Action) -> Any:
    url = f"/api/apps/{app_id}"
    if action[0] == "write":
        return await vendor.put(f"{url}/files/{action[1]}", json={"content": action[2]})
    if action[0] == "delete":
        return await vendor.delete(f"{url}/files/{action[1]}")
    return await vendor.post(f"{url}/{action[0]}")


def made_source(response: Any, action: Action) -> str | None:
    if response.status_code != 200:
        return None
    body = response.json()
    if action[0] in ("write", "delete"):
        return body["version"]["source"] if body["version"] else None
    return body["source"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    initial=st.dictionaries(st.sampled_from(PATHS), st.sampled_from(CONTENTS), min_size=1),
    script=st.lists(actions, max_size=14),
)
async def test_undo_and_redo_behave_like_an_editor(new_vendor, initial, script) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(initial)
    model = Editor(dict(initial))
    for i, action in enumerate(script):
        status, source = model.apply(action)
        response = await perform(vendor, app_id, action)
        assert response.status_code == status, (i, action, response.text)
        assert made_source(response, action) == source, (i, action, response.text)
    assert await files_of(vendor, app_id) == model.files
    versions = await versions_of(vendor, app_id)
    assert [v["source"] for v in reversed(versions)] == model.sources
    assert_chained(versions)


# --- revert and diff ------------------------------------------------------------------------

SITE = {"index.html": "<h1>one</h1>", "style.css": "h1 { color: red; }"}


async def test_revert_takes_back_a_version_or_some_of_its_paths(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    url = f"/api/apps/{app_id}"
    initial = (await versions_of(vendor, app_id))[0]
    v2 = (await vendor.put(f"{url}/files/index.html", json={"content": "<h1>two</h1>"})).json()
    await vendor.put(f"{url}/files/style.css", json={"content": "h1 { color: blue; }"})

    reverted = await vendor.post(f"{url}/versions/{v2['version']['id']}/revert")
    assert reverted.status_code == 201, reverted.text
    assert reverted.json()["version"]["source"] == "revert"
    assert reverted.json()["version"]["paths"] == ["index.html"]
    assert await files_of(vendor, app_id) == {
        "index.html": "<h1>one</h1>",
        "style.css": "h1 { color: blue; }",
    }
    # Reverting it again changes nothing.
    again = await vendor.post(f"{url}/versions/{v2['version']['id']}/revert", json={})
    assert again.status_code == 200 and again.json()["version"] is None

    # Only one path of the initial version: style.css did not exist before it.
    only_css = await vendor.post(
        f"{url}/versions/{initial['id']}/revert", json={"paths": ["style.css"]}
    )
    assert only_css.status_code == 201, only_css.text
    assert await files_of(vendor, app_id) == {"index.html": "<h1>one</h1>"}

    before = await versions_of(vendor, app_id)
    wrong = await vendor.post(
        f"{url}/versions/{v2['version']['id']}/revert", json={"paths": ["style.css"]}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "path_not_in_version"
    unknown = await vendor.post(f"{url}/versions/ver_00000000000000000000/revert")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "version_not_found"
    assert await versions_of(vendor, app_id) == before

    # A revert is a change like any other: it can be undone.
    undone = await vendor.post(f"{url}/undo")
    assert undone.status_code == 200
    assert undone.json()["target_id"] == only_css.json()["version"]["id"]
    assert await files_of(vendor, app_id) == {
        "index.html": "<h1>one</h1>",
        "style.css": "h1 { color: blue; }",
    }
    assert_chained(await versions_of(vendor, app_id))


async def test_revert_with_files_applies_a_partial_rejection(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"page.html": "a\nb\nc\n", "other.txt": "o"})
    url = f"/api/apps/{app_id}"
    change = await vendor.put(f"{url}/files/page.html", json={"content": "A\nb\nC\n"})
    version_id = change.json()["version"]["id"]
    # The client rejected the first hunk and kept the second.
    partial = await vendor.post(
        f"{url}/versions/{version_id}/revert", json={"files": {"page.html": "a\nb\nC\n"}}
    )
    assert partial.status_code == 201, partial.text
    assert await files_of(vendor, app_id) == {"page.html": "a\nb\nC\n", "other.txt": "o"}

    before = await versions_of(vendor, app_id)
    outside = await vendor.post(
        f"{url}/versions/{version_id}/revert", json={"files": {"other.txt": "changed"}}
    )
    assert outside.status_code == 422
    assert outside.json()["error"]["code"] == "path_not_in_version"
    binary = await vendor.post(
        f"{url}/versions/{version_id}/revert", json={"files": {"page.html": "nul\x00"}}
    )
    assert binary.status_code == 422 and binary.json()["error"]["code"] == "invalid_text"
    assert await versions_of(vendor, app_id) == before
    assert await files_of(vendor, app_id) == {"page.html": "a\nb\nC\n", "other.txt": "o"}


async def test_diff_shows_each_path_before_and_after(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    url = f"/api/apps/{app_id}"
    initial = (await versions_of(vendor, app_id))[0]
    edit = (await vendor.put(f"{url}/files/index.html", json={"content": "<h1>two</h1>"})).json()
    deletion = (await vendor.delete(f"{url}/files/style.css")).json()

    first = (await vendor.get(f"{url}/versions/{initial['id']}/diff")).json()
    assert first["source"] == "initial" and first["parent_id"] is None
    assert first["files"] == [
        {"path": "index.html", "before": None, "after": SITE["index.html"]},
        {"path": "style.css", "before": None, "after": SITE["style.css"]},
    ]
    second = (await vendor.get(f"{url}/versions/{edit['version']['id']}/diff")).json()
    assert second["version_id"] == edit["version"]["id"]
    assert second["parent_id"] == initial["id"]
    assert second["files"] == [
        {"path": "index.html", "before": SITE["index.html"], "after": "<h1>two</h1>"}
    ]
    third = (await vendor.get(f"{url}/versions/{deletion['version']['id']}/diff")).json()
    assert third["files"] == [{"path": "style.css", "before": SITE["style.css"], "after": None}]
    missing = await vendor.get(f"{url}/versions/ver_00000000000000000000/diff")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "version_not_found"

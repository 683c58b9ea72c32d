"""No silent overwrite: a manual save names the version it started from, and a file changed
since then is refused with what it is now, saving nothing."""

from __future__ import annotations

from typing import Any

PAGE = "<h1>Shop</h1>\n<p>Welcome</p>\n"


async def put(vendor: Any, app: str, path: str, content: str, base: str | None) -> Any:
    body: dict[str, Any] = {"content": content}
    if base is not None:
        body["base_version"] = base
    return await vendor.put(f"/api/apps/{app}/files/{path}", json=body)


async def file_of(vendor: Any, app: str, path: str) -> dict[str, Any]:
    response = await vendor.get(f"/api/apps/{app}/files/{path}")
    assert response.status_code == 200, response.text
    return response.json()


async def version_count(vendor: Any, app: str) -> int:
    return len((await vendor.get(f"/api/apps/{app}/versions")).json())


async def test_two_tabs_editing_the_top_of_a_page_the_second_is_told(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": PAGE, "style.css": "h1 {}\n"})
    opened = (await file_of(vendor, app, "index.html"))["version_id"]

    first = await put(vendor, app, "index.html", "<h1>Tab one</h1>\n<p>Welcome</p>\n", opened)
    assert first.status_code == 200, first.text
    versions = await version_count(vendor, app)

    second = await put(vendor, app, "index.html", "<h1>Tab two</h1>\n<p>Welcome</p>\n", opened)
    assert second.status_code == 409, second.text
    error = second.json()["error"]
    assert error["code"] == "edit_conflict"
    assert "index.html" in error["message"]
    assert error["current"]["content"] == "<h1>Tab one</h1>\n<p>Welcome</p>\n"
    assert error["current"]["version_id"] == first.json()["version"]["id"]
    assert error["current"]["deleted"] is False
    # Nothing saved: the first tab's text stands, and no version was made.
    assert (await file_of(vendor, app, "index.html"))["content"].startswith("<h1>Tab one")
    assert await version_count(vendor, app) == versions

    # The second tab merges and saves on top of what it was shown.
    merged = "<h1>Tab one and two</h1>\n<p>Welcome</p>\n"
    third = await put(vendor, app, "index.html", merged, error["current"]["version_id"])
    assert third.status_code == 200, third.text
    assert (await file_of(vendor, app, "index.html"))["content"] == merged


async def test_changes_to_other_files_are_no_conflict(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": PAGE, "style.css": "h1 {}\n"})
    opened = (await file_of(vendor, app, "index.html"))["version_id"]
    assert (await put(vendor, app, "style.css", "h1 { color: red }\n", None)).status_code == 200
    saved = await put(vendor, app, "index.html", "<h1>Mine</h1>\n", opened)
    assert saved.status_code == 200, saved.text
    # And saving one's own save again, based on the version it made, is fine too.
    again = await put(
        vendor, app, "index.html", "<h1>Mine again</h1>\n", saved.json()["version_id"]
    )
    assert again.status_code == 200, again.text


async def test_the_same_text_on_both_sides_is_no_conflict(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": PAGE})
    opened = (await file_of(vendor, app, "index.html"))["version_id"]
    assert (await put(vendor, app, "index.html", "<h1>Same</h1>\n", opened)).status_code == 200
    same = await put(vendor, app, "index.html", "<h1>Same</h1>\n", opened)
    assert same.status_code == 200, same.text
    assert same.json()["version"] is None


async def test_undo_and_delete_since_the_base_are_conflicts_too(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": PAGE, "about.html": "about\n"})
    assert (await put(vendor, app, "index.html", "<h1>Two</h1>\n", None)).status_code == 200
    opened = (await file_of(vendor, app, "index.html"))["version_id"]
    assert (await vendor.post(f"/api/apps/{app}/undo")).status_code == 200
    undone = await put(vendor, app, "index.html", "<h1>Three</h1>\n", opened)
    assert undone.status_code == 409
    assert undone.json()["error"]["current"]["content"] == PAGE

    about = (await file_of(vendor, app, "about.html"))["version_id"]
    assert (await vendor.delete(f"/api/apps/{app}/files/about.html")).status_code == 200
    gone = await put(vendor, app, "about.html", "about, edited\n", about)
    assert gone.status_code == 409
    current = gone.json()["error"]["current"]
    assert current["deleted"] is True and current["content"] is None
    assert (await vendor.get(f"/api/apps/{app}/files/about.html")).status_code == 404


async def test_a_base_that_is_not_a_version_of_the_app_is_refused(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": PAGE})
    other = await vendor.create_app({"index.html": PAGE})
    foreign = (await file_of(vendor, other, "index.html"))["version_id"]
    for base in ("ver_nope", foreign):
        response = await put(vendor, app, "index.html", "x\n", base)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "base_version_unknown"
    assert (await file_of(vendor, app, "index.html"))["content"] == PAGE


async def test_another_vendors_app_is_not_found(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app({"index.html": PAGE})
    opened = (await file_of(owner, app, "index.html"))["version_id"]
    response = await put(stranger, app, "index.html", "stolen\n", opened)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "app_not_found"


async def test_rejecting_a_hunk_computed_from_an_older_file_is_a_conflict(new_vendor) -> None:
    vendor = await new_vendor()
    app = await vendor.create_app({"index.html": "<h1>One</h1>\n<p>a</p>\n"})
    edit = await put(vendor, app, "index.html", "<h1>Two</h1>\n<p>a</p>\n", None)
    target = edit.json()["version"]["id"]
    seen = (await file_of(vendor, app, "index.html"))["version_id"]
    # Another tab edits the file after this one computed its rejection.
    assert (
        await put(vendor, app, "index.html", "<h1>Two</h1>\n<p>b</p>\n", None)
    ).status_code == 200
    url = f"/api/apps/{app}/versions/{target}/revert"
    stale = await vendor.post(
        url, json={"files": {"index.html": "<h1>One</h1>\n<p>a</p>\n"}, "base_version": seen}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["current"]["content"] == "<h1>Two</h1>\n<p>b</p>\n"
    assert (await file_of(vendor, app, "index.html"))["content"] == "<h1>Two</h1>\n<p>b</p>\n"
    now = (await file_of(vendor, app, "index.html"))["version_id"]
    fresh = await vendor.post(
        url, json={"files": {"index.html": "<h1>One</h1>\n<p>b</p>\n"}, "base_version": now}
    )
    assert fresh.status_code == 201, fresh.text

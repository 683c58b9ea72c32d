"""The app log over HTTP: every change to an app's files, in order, with contiguous seq."""

from __future__ import annotations

import asyncio
from typing import Any


async def log_of(vendor: Any, app_id: str, after: int | None = None) -> list[dict[str, Any]]:
    url = f"/api/apps/{app_id}/events" + ("" if after is None else f"?after={after}")
    response = await vendor.get(url)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def group_by_version(events: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict]]]:
    """Split the log into (version.created, its file.updated events), checking that nothing
    of another version sits in between."""
    groups: list[tuple[dict[str, Any], list[dict]]] = []
    for event in events:
        if event["type"] == "version.created":
            groups.append((event, []))
        elif event["type"] == "file.updated":
            assert groups, f"file.updated before any version.created: {event}"
            created, updates = groups[-1]
            assert event["version_id"] == created["version_id"], (
                f"seq {event['seq']} belongs to {event['version_id']} but follows "
                f"version.created of {created['version_id']}"
            )
            updates.append(event)
    for created, updates in groups:
        assert [u["path"] for u in updates] == created["paths"], (created, updates)
    return groups


async def test_every_version_appends_its_events_in_order(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"style.css": "a{}", "index.html": "<p>1</p>"})
    url = f"/api/apps/{app_id}"
    await vendor.put(f"{url}/files/index.html", json={"content": "<p>2</p>"})
    await vendor.put(f"{url}/files/index.html", json={"content": "<p>2</p>"})  # no change
    await vendor.delete(f"{url}/files/style.css")
    await vendor.post(f"{url}/undo")
    await vendor.post(f"{url}/redo")

    events = await log_of(vendor, app_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [(e["type"], e.get("path"), e.get("deleted")) for e in events] == [
        ("version.created", None, None),
        ("file.updated", "index.html", False),
        ("file.updated", "style.css", False),
        ("version.created", None, None),
        ("file.updated", "index.html", False),
        ("version.created", None, None),
        ("file.updated", "style.css", True),
        ("version.created", None, None),
        ("file.updated", "style.css", False),
        ("version.created", None, None),
        ("file.updated", "style.css", True),
    ]
    groups = group_by_version(events)
    versions = (await vendor.get(f"{url}/versions")).json()
    assert [c["version_id"] for c, _ in groups] == [v["id"] for v in reversed(versions)]
    assert [c["source"] for c, _ in groups] == ["initial", "manual", "manual", "undo", "redo"]
    for event in events:
        assert event["ts"].endswith("Z") and "T" in event["ts"]
        assert "run_id" not in event  # manual changes belong to no run


async def test_after_returns_only_later_events(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"a.txt": "1"})
    for i in range(2, 5):
        await vendor.put(f"/api/apps/{app_id}/files/a.txt", json={"content": str(i)})
    everything = await log_of(vendor, app_id)
    assert len(everything) == 8
    assert await log_of(vendor, app_id, after=0) == everything
    for n in (1, 2, 5, 7):
        assert await log_of(vendor, app_id, after=n) == everything[n:]
    assert await log_of(vendor, app_id, after=8) == []
    assert await log_of(vendor, app_id, after=1000) == []
    # Another app's log is its own, with its own seq.
    other = await vendor.create_app({"b.txt": "b"})
    assert [e["seq"] for e in await log_of(vendor, other)] == [1, 2]
    assert await log_of(vendor, app_id) == everything


async def test_concurrent_writes_keep_the_log_contiguous_and_unmixed(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "start"})
    url = f"/api/apps/{app_id}/files"
    writes = [(f"p{i % 5}.txt", f"write {i}") for i in range(20)]
    responses = await asyncio.gather(
        *(vendor.put(f"{url}/{path}", json={"content": content}) for path, content in writes)
    )
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    numbers = sorted(r.json()["version"]["number"] for r in responses)
    assert numbers == list(range(2, 22))

    versions = (await vendor.get(f"/api/apps/{app_id}/versions")).json()
    assert [v["number"] for v in versions] == list(range(21, 0, -1))
    for newer, older in zip(versions, versions[1:], strict=False):
        assert newer["parent_id"] == older["id"]

    events = await log_of(vendor, app_id)
    assert [e["seq"] for e in events] == list(range(1, 43))
    groups = group_by_version(events)
    assert [c["version_id"] for c, _ in groups] == [v["id"] for v in reversed(versions)]

    # The files hold what the last version to touch each path wrote.
    content_of = {
        r.json()["version"]["id"]: (r.json()["path"], c)
        for r, (_, c) in zip(responses, writes, strict=True)
    }
    last: dict[str, str] = {}
    for created, _ in groups[1:]:
        path, content = content_of[created["version_id"]]
        last[path] = content
    for path, content in last.items():
        read = await vendor.get(f"{url}/{path}")
        assert read.json()["content"] == content, path

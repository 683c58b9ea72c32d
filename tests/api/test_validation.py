"""Paths and contents the store refuses, each with its own code, through every way in.

After every refusal the app is exactly as it was: same files, same contents, same versions,
same log. The service here runs with small limits (files 100 bytes, apps 300 bytes).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

MAX_FILE = 100
MAX_APP = 300
SITE = {"index.html": "<h1>shop</h1>", "css/site.css": "h1 { color: red; }"}

# (path as the vendor would name it, what the URL carries, the code)
# A newline is refused too (path_control_char), but only a body can carry it: no route
# matches a URL path with a line break in it.
BAD_PATHS = [
    ("   ", "%20%20%20", "path_empty"),
    ("a\x01b.txt", "a%01b.txt", "path_control_char"),
    ("nul\x00.txt", "nul%00.txt", "path_control_char"),
    ("tab\tname.txt", "tab%09name.txt", "path_control_char"),
    ("css\\site.css", "css%5Csite.css", "path_backslash"),
    ("/etc/passwd", "/etc/passwd", "path_absolute"),
    ("C:/Windows/win.ini", "C:/Windows/win.ini", "path_absolute"),
    ("../outside.txt", "%2e%2e/outside.txt", "path_traversal"),
    ("css/../../outside.txt", "css/%2e%2e/%2E%2E/outside.txt", "path_traversal"),
    ("css/", "css/", "path_is_folder"),
    (".", "%2e", "path_is_folder"),
    (" index.html", "%20index.html", "path_whitespace"),
    ("css /site.css", "css%20/site.css", "path_whitespace"),
    ("a" * 256, "a" * 256, "path_too_long"),
    ("d/" * 126 + "x.txt", "d/" * 126 + "x.txt", "path_too_long"),
    (".appwright/secret", ".appwright/secret", "path_reserved"),
    (".git/config", ".git/config", "path_reserved"),
    ("sub/.GIT/hooks/x", "sub/.GIT/hooks/x", "path_reserved"),
]


@pytest.fixture
async def shop(make_service) -> tuple[Any, str]:
    service = await make_service(max_file_bytes=MAX_FILE, max_app_bytes=MAX_APP)
    vendor = await service.vendor("limited")
    app_id = await vendor.create_app(SITE)
    return vendor, app_id


async def snapshot(vendor: Any, app_id: str) -> dict[str, Any]:
    files = (await vendor.get(f"/api/apps/{app_id}/files")).json()
    return {
        "files": files,
        "contents": {
            f["path"]: (await vendor.get(f"/api/apps/{app_id}/files/{f['path']}")).json()["content"]
            for f in files
        },
        "versions": (await vendor.get(f"/api/apps/{app_id}/versions")).json(),
        "events": (await vendor.get(f"/api/apps/{app_id}/events")).json(),
        "app": (await vendor.get(f"/api/apps/{app_id}")).json(),
    }


def refused(response: Any, code: str, what: str = "", status: int = 422) -> None:
    assert response.status_code == status, (what, code, response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, (what, body)
    assert body["error"]["message"], body


async def test_bad_paths_are_refused_through_put_and_delete(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    for path, in_url, code in BAD_PATHS:
        url = f"/api/apps/{app_id}/files/{in_url}"
        refused(await vendor.put(url, json={"content": "x"}), code, f"PUT {path!r}")
        refused(await vendor.delete(url), code, f"DELETE {path!r}")
        refused(await vendor.get(url), code, f"GET {path!r}")
        assert await snapshot(vendor, app_id) == before, path


async def test_bad_paths_are_refused_through_app_creation(shop) -> None:
    vendor, _ = shop
    apps_before = (await vendor.get("/api/apps")).json()
    for path, _, code in BAD_PATHS:
        files = {"index.html": "<h1>fine</h1>", path: "content"}
        created = await vendor.post("/api/apps", json={"name": "new", "files": files})
        # A NUL anywhere in a JSON body is refused by the body's text rule.
        refused(created, "invalid_text" if "\x00" in path else code, repr(path))
    for path, code in [("", "path_empty"), ("line\nbreak.txt", "path_control_char")]:
        created = await vendor.post("/api/apps", json={"name": "new", "files": {path: "x"}})
        refused(created, code)
    assert (await vendor.get("/api/apps")).json() == apps_before


async def test_an_empty_path_in_the_url_is_refused(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    refused(await vendor.put(f"/api/apps/{app_id}/files/", json={"content": "x"}), "path_empty")
    assert await snapshot(vendor, app_id) == before


async def test_encoded_dot_dot_and_nul_never_reach_another_file(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    for in_url, code in [
        ("css/%2e%2e/index.html", "path_traversal"),
        ("%2e%2e/%2e%2e/api/apps", "path_traversal"),
        ("%2E%2E%2Findex.html", "path_traversal"),
        ("index.html%00.txt", "path_control_char"),
        ("%00", "path_control_char"),
    ]:
        refused(await vendor.get(f"/api/apps/{app_id}/files/{in_url}"), code)
        refused(await vendor.put(f"/api/apps/{app_id}/files/{in_url}", json={"content": "x"}), code)
        refused(await vendor.delete(f"/api/apps/{app_id}/files/{in_url}"), code)
    assert await snapshot(vendor, app_id) == before


# A single "é" is two bytes in UTF-8: limits count bytes, not characters.
BAD_CONTENTS = [
    (123, "not_text"),
    (["a", "b"], "not_text"),
    ({"text": "a"}, "not_text"),
    # Refused by the JSON body's text rule before the file rules see them.
    ("binary\x00data", "invalid_text"),
    ("lone surrogate \ud800", "invalid_text"),
    ("x" * (MAX_FILE + 1), "file_too_large"),
    ("é" * (MAX_FILE // 2 + 1), "file_too_large"),
]


def as_json(body: Any) -> dict[str, Any]:
    """Request arguments for `body` as ASCII JSON (a lone surrogate is legal JSON text,
    which httpx's own encoder refuses to send)."""
    return {"content": json.dumps(body).encode(), "headers": {"Content-Type": "application/json"}}


async def test_bad_contents_are_refused(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    for content, code in BAD_CONTENTS:
        body = {"content": content}
        what = repr(content)[:40]
        new_file = f"/api/apps/{app_id}/files/new.txt"
        refused(await vendor.put(new_file, **as_json(body)), code, f"new file {what}")
        old_file = f"/api/apps/{app_id}/files/index.html"
        refused(await vendor.put(old_file, **as_json(body)), code, f"existing file {what}")
        new_app = {"name": "n", "files": {"a.txt": content}}
        refused(await vendor.post("/api/apps", **as_json(new_app)), code, f"new app {what}")
        assert await snapshot(vendor, app_id) == before, what
    assert [a["id"] for a in (await vendor.get("/api/apps")).json()] == [app_id]


async def test_the_size_limits_are_inclusive(shop) -> None:
    vendor, app_id = shop
    exactly = "é" * (MAX_FILE // 2)
    ok = await vendor.put(f"/api/apps/{app_id}/files/full.txt", json={"content": exactly})
    assert ok.status_code == 200, ok.text
    assert ok.json()["size"] == MAX_FILE


async def test_an_app_cannot_grow_past_its_limit(shop) -> None:
    vendor, app_id = shop
    used = sum(len(c.encode()) for c in SITE.values())
    # Fill the app up to exactly its limit, in files of at most MAX_FILE bytes.
    room = MAX_APP - used
    n = 0
    while room:
        size = min(room, MAX_FILE)
        fill = f"/api/apps/{app_id}/files/fill{n}.txt"
        put = await vendor.put(fill, json={"content": "f" * size})
        assert put.status_code == 200, put.text
        room -= size
        n += 1
    assert (await vendor.get(f"/api/apps/{app_id}")).json()["total_bytes"] == MAX_APP
    before = await snapshot(vendor, app_id)
    refused(
        await vendor.put(f"/api/apps/{app_id}/files/one-more.txt", json={"content": "x"}),
        "app_too_large",
    )
    refused(
        await vendor.put(
            f"/api/apps/{app_id}/files/index.html", json={"content": SITE["index.html"] + "!"}
        ),
        "app_too_large",
    )
    assert await snapshot(vendor, app_id) == before
    # Replacing a file by one of the same size, or shrinking, is fine at the limit.
    fill0 = f"/api/apps/{app_id}/files/fill0.txt"
    same = await vendor.put(fill0, json={"content": "g" * MAX_FILE})
    assert same.status_code == 200 and same.json()["version"] is not None
    # Deleting makes room again.
    assert (await vendor.delete(fill0)).status_code == 200
    grown = await vendor.put(f"/api/apps/{app_id}/files/one-more.txt", json={"content": "x"})
    assert grown.status_code == 200, grown.text


async def test_an_app_too_large_to_create_is_not_created(shop) -> None:
    vendor, app_id = shop
    files = {f"f{i}.txt": "x" * MAX_FILE for i in range(MAX_APP // MAX_FILE + 1)}
    refused(await vendor.post("/api/apps", json={"name": "big", "files": files}), "app_too_large")
    assert [a["id"] for a in (await vendor.get("/api/apps")).json()] == [app_id]


async def test_a_path_cannot_be_both_a_file_and_a_folder(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    # css/site.css exists: "css" is a folder, and index.html is a file.
    refused(
        await vendor.put(f"/api/apps/{app_id}/files/css", json={"content": "x"}), "path_conflict"
    )
    refused(
        await vendor.put(f"/api/apps/{app_id}/files/index.html/x.js", json={"content": "x"}),
        "path_conflict",
    )
    clash = {"lib": "x", "lib/a.js": "y"}
    refused(await vendor.post("/api/apps", json={"name": "n", "files": clash}), "path_conflict")
    assert await snapshot(vendor, app_id) == before
    # Once the folder is gone, its name is free for a file.
    assert (await vendor.delete(f"/api/apps/{app_id}/files/css/site.css")).status_code == 200
    made = await vendor.put(f"/api/apps/{app_id}/files/css", json={"content": "x"})
    assert made.status_code == 200, made.text


async def test_malformed_requests_are_refused(shop) -> None:
    vendor, app_id = shop
    before = await snapshot(vendor, app_id)
    url = f"/api/apps/{app_id}/files/index.html"
    refused(await vendor.put(url, json={}), "content_required")
    refused(await vendor.put(url, json={"content": None}), "content_required")
    json_type = {"Content-Type": "application/json"}
    bad_json = await vendor.put(url, content=b"{not json", headers=json_type)
    assert bad_json.status_code == 422 and bad_json.json()["error"]["code"], bad_json.text
    refused(await vendor.put(url, json=["content"]), "invalid_request")
    refused(await vendor.post("/api/apps", json={"name": "", "files": {}}), "name_required")
    refused(await vendor.post("/api/apps", json={"name": "x" * 201}), "name_too_long")
    refused(await vendor.post("/api/apps", json={"files": {}}), "invalid_request")
    refused(
        await vendor.post("/api/apps", json={"name": "n", "files": ["a.txt"]}), "invalid_request"
    )
    refused(await vendor.get(f"/api/apps/{app_id}/events?after=-1"), "invalid_request")
    assert await snapshot(vendor, app_id) == before
    assert [a["id"] for a in (await vendor.get("/api/apps")).json()] == [app_id]


async def test_equivalent_spellings_of_a_path_name_one_file(shop) -> None:
    vendor, app_id = shop
    put = await vendor.put(f"/api/apps/{app_id}/files/css//.//site.css", json={"content": "b{}"})
    assert put.status_code == 200, put.text
    assert put.json()["path"] == "css/site.css"
    paths = [f["path"] for f in (await vendor.get(f"/api/apps/{app_id}/files")).json()]
    assert paths == ["css/site.css", "index.html"]
    read = await vendor.get(f"/api/apps/{app_id}/files/css/site.css")
    assert read.json()["content"] == "b{}"
    deleted = await vendor.delete(f"/api/apps/{app_id}/files/./css//site.css")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["path"] == "css/site.css"
    assert deleted.json()["version"]["paths"] == ["css/site.css"]
    paths = [f["path"] for f in (await vendor.get(f"/api/apps/{app_id}/files")).json()]
    assert paths == ["index.html"]

"""Binary files (images, fonts) as a vendor uses them over HTTP: sent as base64, read back
byte for byte with their type, listed as binary, versioned, undone, redone, reverted,
diffed as "binary file changed" and served by the preview under their own Content-Type."""

from __future__ import annotations

import base64
from typing import Any

from fixtures.images import jpeg, png


def b64(data: bytes) -> dict[str, str]:
    return {"base64": base64.b64encode(data).decode("ascii")}


def refused(response: Any, code: str, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


async def read(vendor: Any, app_id: str, path: str) -> dict[str, Any]:
    response = await vendor.get(f"/api/apps/{app_id}/files/{path}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_image_is_kept_byte_for_byte_and_served_with_its_type(new_vendor) -> None:
    vendor = await new_vendor()
    logo, photo = png(), jpeg()
    app_id = await vendor.create_app(
        {"index.html": "<img src='logo.png'>", "logo.png": b64(logo), "img/photo.jpg": b64(photo)}
    )
    got = await read(vendor, app_id, "logo.png")
    assert got["content_type"] == "image/png" and got["size"] == len(logo)
    assert base64.b64decode(got["base64"]) == logo and "content" not in got
    assert base64.b64decode((await read(vendor, app_id, "img/photo.jpg"))["base64"]) == photo

    listing = {f["path"]: f for f in (await vendor.get(f"/api/apps/{app_id}/files")).json()}
    assert listing["logo.png"]["binary"] is True
    assert listing["logo.png"]["content_type"] == "image/png"
    assert listing["img/photo.jpg"]["content_type"] == "image/jpeg"
    assert listing["index.html"]["binary"] is False
    assert (await read(vendor, app_id, "index.html"))["content"] == "<img src='logo.png'>"

    served = await vendor.get(f"/preview/{app_id}/logo.png")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == logo
    assert (await vendor.get(f"/preview/{app_id}/img/photo.jpg")).content == photo


async def test_bytes_that_are_text_stay_text_for_the_editor(new_vendor) -> None:
    vendor = await new_vendor()
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
    app_id = await vendor.create_app({"icon.svg": b64(svg.encode())})
    got = await read(vendor, app_id, "icon.svg")
    assert got["content"] == svg and got["binary"] is False
    assert got["content_type"] == "image/svg+xml"


async def test_uploads_are_versions_that_undo_redo_revert_and_diff(new_vendor) -> None:
    vendor = await new_vendor()
    first, second = png(rgb=(10, 200, 10)), png(rgb=(200, 10, 10), width=30)
    app_id = await vendor.create_app({"index.html": "<p>hi</p>"})
    url = f"/api/apps/{app_id}"

    put = await vendor.put(f"{url}/files/logo.png", json=b64(first))
    assert put.status_code == 200, put.text
    assert put.json()["binary"] is True and put.json()["version"]["paths"] == ["logo.png"]
    replaced = await vendor.put(f"{url}/files/logo.png", json=b64(second))
    version_id = replaced.json()["version"]["id"]
    same = await vendor.put(f"{url}/files/logo.png", json=b64(second))
    assert same.json()["version"] is None  # the same bytes again change nothing

    events = (await vendor.get(f"{url}/events")).json()["events"]
    updates = [(e["path"], e["binary"]) for e in events if e["type"] == "file.updated"]
    assert updates[-2:] == [("logo.png", True), ("logo.png", True)]
    assert ("index.html", False) in updates

    diff = (await vendor.get(f"{url}/versions/{version_id}/diff")).json()
    (entry,) = diff["files"]
    assert entry["binary"] is True and entry["content_type"] == "image/png"
    assert (entry["before_size"], entry["after_size"]) == (len(first), len(second))
    assert base64.b64decode(entry["before_base64"]) == first
    assert base64.b64decode(entry["after_base64"]) == second

    assert (await vendor.post(f"{url}/undo")).status_code == 200
    assert base64.b64decode((await read(vendor, app_id, "logo.png"))["base64"]) == first
    assert (await vendor.post(f"{url}/redo")).status_code == 200
    assert base64.b64decode((await read(vendor, app_id, "logo.png"))["base64"]) == second
    reverted = await vendor.post(f"{url}/versions/{version_id}/revert")
    assert reverted.status_code == 201, reverted.text
    assert base64.b64decode((await read(vendor, app_id, "logo.png"))["base64"]) == first

    # A binary file replaced by text (and back) is an ordinary change of content.
    await vendor.put(f"{url}/files/logo.png", json={"content": "now text"})
    assert (await read(vendor, app_id, "logo.png"))["content"] == "now text"
    assert (await vendor.post(f"{url}/undo")).status_code == 200
    assert base64.b64decode((await read(vendor, app_id, "logo.png"))["base64"]) == first

    deleted = await vendor.delete(f"{url}/files/logo.png")
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert (await vendor.get(f"{url}/files/logo.png")).status_code == 404
    app = (await vendor.get(url)).json()
    assert app["total_bytes"] == len("<p>hi</p>")


async def test_bad_binary_values_are_refused_and_change_nothing(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"logo.png": b64(png())})
    url = f"/api/apps/{app_id}/files/logo.png"
    error = refused(await vendor.put(url, json={"base64": "not base64!!"}), "invalid_base64")
    assert "logo.png" in error["message"]
    refused(await vendor.put(url, json={"base64": 12}), "not_text")
    refused(await vendor.put(url, json={"content": "x", "base64": "eA=="}), "content_required")
    refused(await vendor.put(url, json={}), "content_required")
    bad = await vendor.post("/api/apps", json={"name": "x", "files": {"a.png": {"base64": "%%%"}}})
    refused(bad, "invalid_base64")
    refused(
        await vendor.post("/api/apps", json={"name": "x", "files": {"a.png": {"b64": "eA=="}}}),
        "not_text",
    )
    assert base64.b64decode((await read(vendor, app_id, "logo.png"))["base64"]) == png()
    assert [a["id"] for a in (await vendor.get("/api/apps")).json()] == [app_id]


async def test_limits_apply_to_binary_files_and_name_them(make_service) -> None:
    service = await make_service(max_file_bytes=2000, max_app_bytes=3000)
    vendor = await service.vendor()
    big = png(width=200, height=200, rgb=(1, 2, 3)) + bytes(range(256)) * 10
    assert len(big) > 2000
    error = refused(
        await vendor.post("/api/apps", json={"name": "x", "files": {"big.png": b64(big)}}),
        "file_too_large",
    )
    assert "big.png" in error["message"] and "2000" in error["message"]
    app_id = await vendor.create_app({"a.bin": b64(bytes(1500))})
    error = refused(
        await vendor.put(f"/api/apps/{app_id}/files/b.bin", json=b64(bytes(1600))),
        "app_too_large",
    )
    assert "3000" in error["message"]
    assert (await vendor.get(f"/api/apps/{app_id}/files/b.bin")).status_code == 404

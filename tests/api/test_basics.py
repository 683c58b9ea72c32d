from __future__ import annotations

SITE = {"index.html": "<html><body><h1>Shop</h1></body></html>", "style.css": "h1 { color: red; }"}


async def test_vendor_creates_app_and_reads_files(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    files = (await vendor.get(f"/api/apps/{app_id}/files")).json()
    assert [f["path"] for f in files] == ["index.html", "style.css"]
    body = (await vendor.get(f"/api/apps/{app_id}/files/style.css")).json()
    assert body["content"] == SITE["style.css"]
    versions = (await vendor.get(f"/api/apps/{app_id}/versions")).json()
    assert [v["source"] for v in versions] == ["initial"]
    assert versions[0]["commit"]["state"] == "pending"

"""`POST /api/apps/import`: an app made from a zip archive, as a vendor who zipped a site's
folder sends it; and every hostile archive refused with a code and a message naming the
entry, with no app made."""

from __future__ import annotations

import base64
import io
import stat
import zipfile
from typing import Any

import pytest

from fixtures.images import site, zipped

ZIP = {"Content-Type": "application/zip"}


async def import_zip(vendor: Any, data: bytes, name: str = "cafe") -> Any:
    return await vendor.post("/api/apps/import", params={"name": name}, content=data, headers=ZIP)


def archive(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return out.getvalue()


async def test_a_zipped_site_becomes_an_app_with_its_images(new_vendor) -> None:
    vendor = await new_vendor()
    files = site()
    response = await import_zip(vendor, zipped(files))
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["name"] == "cafe" and made["version_count"] == 1
    skipped = {s["path"]: s["reason"] for s in made["skipped"]}
    assert "harbour-cafe/.git/HEAD" in skipped and "git" in skipped["harbour-cafe/.git/HEAD"]
    assert "__MACOSX/harbour-cafe/._index.html" in skipped
    assert "harbour-cafe/.DS_Store" in skipped

    app_id = made["id"]
    listing = (await vendor.get(f"/api/apps/{app_id}/files")).json()
    assert sorted(f["path"] for f in listing) == sorted(files)  # the folder is stripped
    for path, content in files.items():
        got = (await vendor.get(f"/api/apps/{app_id}/files/{path}")).json()
        if isinstance(content, bytes):
            assert base64.b64decode(got["base64"]) == content, path
        else:
            assert got["content"] == content, path
    page = await vendor.get(f"/preview/{app_id}/images/photo.jpg")
    assert page.headers["content-type"] == "image/jpeg"


async def test_an_archive_without_a_folder_keeps_its_paths(new_vendor) -> None:
    vendor = await new_vendor()
    response = await import_zip(vendor, zipped({"a.txt": "a", "b/c.txt": "c"}, folder=None))
    assert response.status_code == 201, response.text
    listing = (await vendor.get(f"/api/apps/{response.json()['id']}/files")).json()
    assert [f["path"] for f in listing] == ["a.txt", "b/c.txt"]


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("site/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _lying_size() -> bytes:
    """An entry that declares 10 bytes but inflates to 3 MB (a bomb past the size check):
    inflating stops at the declared size, and the entry fails its checksum."""
    data = archive([("site/bomb.txt", b"a" * 3_000_000)])
    body = bytearray(data)
    big = (3_000_000).to_bytes(4, "little")
    small = (10).to_bytes(4, "little")
    count = body.count(big)
    assert count == 2  # the local header and the central directory
    return bytes(body.replace(big, small))


HOSTILE = [
    (
        "zip-slip",
        archive([("site/ok.txt", b"ok"), ("../evil.txt", b"x")]),
        "path_traversal",
        "../evil.txt",
    ),
    ("nested slip", archive([("site/a/../../evil.txt", b"x")]), "path_traversal", "evil.txt"),
    ("absolute", archive([("/etc/passwd", b"x")]), "archive_absolute_path", "/etc/passwd"),
    ("backslash", archive([("..\\evil.txt", b"x")]), "archive_absolute_path", "evil.txt"),
    (
        "symlink",
        archive([("site/index.html", b"<p>"), (_symlink(), b"/etc/passwd")]),
        "archive_symlink",
        "site/link",
    ),
    (
        "declared too large",
        archive([("site/big.txt", b"a" * 1_100_000)]),
        "file_too_large",
        "site/big.txt",
    ),
    ("lying size", _lying_size(), "archive_corrupt", "site/bomb.txt"),
    ("not a zip", b"PK\x03\x04 certainly not", "not_a_zip", "not a zip"),
    ("empty body", b"", "not_a_zip", "not a zip"),
    ("bad path", archive([("site/a\u202eb.txt", b"x")]), "path_bidi_char", "site/a"),
    (
        "one name twice",
        archive([("site/caf\u00e9.txt", b"1"), ("site/cafe\u0301.txt", b"2")]),
        "path_duplicate",
        "site/cafe",
    ),
]


@pytest.mark.parametrize(
    ("data", "code", "named"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
async def test_a_hostile_archive_is_refused_and_nothing_is_made(
    new_vendor, data: bytes, code: str, named: str
) -> None:
    vendor = await new_vendor()
    response = await import_zip(vendor, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert named in error["message"], error
    assert (await vendor.get("/api/apps")).json() == []


async def test_too_many_entries_and_too_many_bytes_are_refused(make_service) -> None:
    service = await make_service(max_app_files=5, max_app_bytes=5000, max_file_bytes=4000)
    vendor = await service.vendor()
    many = archive([(f"site/{i}.txt", b"x") for i in range(11)])
    error = (await import_zip(vendor, many)).json()["error"]
    assert error["code"] == "archive_too_many_entries" and "11 entries" in error["message"]
    six = archive([(f"site/{i}.txt", b"x") for i in range(6)])
    assert (await import_zip(vendor, six)).json()["error"]["code"] == "too_many_files"
    heavy = archive([(f"site/{i}.txt", b"y" * 3000) for i in range(2)])
    error = (await import_zip(vendor, heavy)).json()["error"]
    assert error["code"] == "app_too_large" and "5000" in error["message"]
    huge = b"PK" + bytes(5000 + 5 * 1024 + 64 * 1024)
    error = (await import_zip(vendor, huge)).json()["error"]
    assert error["code"] == "archive_too_large"
    assert (await vendor.get("/api/apps")).json() == []

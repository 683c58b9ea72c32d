"""Images from the page: a zipped site (real PNG and JPEG files) imported from the apps page,
its image opened from the file tree and shown as a picture, shown in the preview, and images
uploaded from the tree (the button, and a drop) with the version's before and after shown as
thumbnails in review."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from fixtures.images import png, site, zipped

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser


def natural_width(locator: Any) -> int:
    return locator.evaluate("img => img.complete ? img.naturalWidth : 0")


def wait_decoded(locator: Any, width: int) -> None:
    locator.wait_for()
    locator.evaluate(
        "(img, w) => new Promise((resolve, reject) => {"
        "  const check = () => img.complete && img.naturalWidth === w;"
        "  if (check()) return resolve(true);"
        "  img.addEventListener('load', () => check() ? resolve(true) : reject('width ' + img.naturalWidth));"
        "  img.addEventListener('error', () => reject('not decoded'));"
        "})",
        width,
    )


def test_import_a_zipped_site_then_view_and_upload_images(page, server, api, tmp_path: Path):
    archive = tmp_path / "harbour-cafe.zip"
    archive.write_bytes(zipped(site()))
    page.goto(f"{server.base}/?token={server.token}")
    page.get_by_test_id("import-drop").wait_for()
    shot(page, "ux-import-site")
    page.get_by_test_id("import-zip").set_input_files(str(archive))
    page.wait_for_url(re.compile(r"/apps/app_\w+"))
    app = page.url.rsplit("/apps/", 1)[1].split("?")[0]
    assert api.request("GET", f"/api/apps/{app}")["name"] == "harbour-cafe"
    ws = Workspace(page, server, app)
    ws.wait_connected()

    # The preview shows the site's images, served under their own types...
    ws.preview_frame().wait_for_selector("#logo", state="attached")
    frame = ws.preview_frame()
    frame.wait_for_function("document.getElementById('logo').naturalWidth === 24")
    frame.wait_for_function("document.getElementById('photo').naturalWidth === 32")
    # ...and its script reads the site's own JSON file, as on a real host.
    frame.wait_for_function("document.getElementById('hours').textContent === 'Open 8-18'")

    # An image opened from the tree is shown as a picture, not as text.
    page.locator("[data-testid=file][data-path='images/logo.png']").click()
    image = page.get_by_test_id("image-view")
    wait_decoded(image, 24)
    assert "image/png" in page.get_by_test_id("binary-info").inner_text()
    page.locator("[data-testid=file][data-path='images/photo.jpg']").click()
    wait_decoded(page.get_by_test_id("image-view"), 32)
    shot(page, "ux-image-in-editor")

    # Upload from the tree's button: a new image, a new version, opened as a picture.
    badge = png(width=40, height=30, rgb=(30, 160, 90))
    upload = tmp_path / "badge.png"
    upload.write_bytes(badge)
    page.get_by_test_id("upload-input").set_input_files(str(upload))
    page.locator("[data-testid=file][data-path='badge.png']").wait_for()
    wait_decoded(page.get_by_test_id("image-view"), 40)
    stored = api.request("GET", f"/api/apps/{app}/files/badge.png")
    assert base64.b64decode(stored["base64"]) == badge

    # A file dropped on the tree replaces it: the version shows both sides as thumbnails.
    newer = png(width=50, height=20, rgb=(200, 60, 160))
    page.get_by_test_id("tree-drop").evaluate(
        "(target, b64) => {"
        "  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));"
        "  const data = new DataTransfer();"
        "  data.items.add(new File([bytes], 'badge.png', { type: 'image/png' }));"
        "  for (const type of ['dragover', 'drop'])"
        "    target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));"
        "}",
        base64.b64encode(newer).decode(),
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=version]')?.textContent.includes('badge.png')"
        " && document.querySelectorAll('[data-testid=version]').length === 3"
    )
    wait_decoded(page.get_by_test_id("image-view"), 50)
    page.locator("[data-testid=version]").first.click()
    diff = page.get_by_test_id("binary-diff")
    diff.filter(has_text="Binary file changed").wait_for()
    wait_decoded(page.get_by_test_id("diff-before").get_by_test_id("diff-thumbnail"), 40)
    wait_decoded(page.get_by_test_id("diff-after").get_by_test_id("diff-thumbnail"), 50)
    assert f"{len(badge)} bytes" in page.get_by_test_id("diff-before").inner_text()
    shot(page, "ux-image-diff-thumbnails")


def test_import_a_folder_from_the_apps_page(page, server, api, tmp_path: Path):
    folder = tmp_path / "corner-shop"
    files = site()
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    page.goto(f"{server.base}/?token={server.token}")
    page.get_by_test_id("import-folder").set_input_files(str(folder))
    page.wait_for_url(re.compile(r"/apps/app_\w+"))
    app = page.url.rsplit("/apps/", 1)[1].split("?")[0]
    assert api.request("GET", f"/api/apps/{app}")["name"] == "corner-shop"
    listing = api.request("GET", f"/api/apps/{app}/files")
    assert sorted(f["path"] for f in listing) == sorted(files)
    logo = api.request("GET", f"/api/apps/{app}/files/images/logo.png")
    assert base64.b64decode(logo["base64"]) == files["images/logo.png"]
    page.locator("[data-testid=file][data-path='images/logo.png']").click()
    wait_decoded(page.get_by_test_id("image-view"), 24)


def test_a_refused_archive_is_named_on_the_page(page, server, api, tmp_path: Path):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("site/index.html", "<p>hi</p>")
        archive.writestr("../escape.html", "<p>out</p>")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(out.getvalue())
    before = len(api.request("GET", "/api/apps"))
    page.goto(f"{server.base}/?token={server.token}")
    page.get_by_test_id("import-zip").set_input_files(str(bad))
    error = page.get_by_test_id("import-error")
    error.filter(has_text="../escape.html").wait_for()
    assert "Nothing was created" in error.inner_text()
    assert len(api.request("GET", "/api/apps")) == before
    shot(page, "ux-import-refused")

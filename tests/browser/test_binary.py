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

    # The preview shows the site's images.
    ws.preview_frame().wait_for_selector("#logo", state="attached")
    frame = ws.preview_frame()
    frame.wait_for_function("document.getElementById('logo').naturalWidth === 24")
    frame.wait_for_function("document.getElementById('photo').naturalWidth === 32")

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

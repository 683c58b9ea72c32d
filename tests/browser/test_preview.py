"""The preview updates in place: HTML changes reload it keeping its scroll, CSS changes are
hot-swapped into the same document."""

from __future__ import annotations

import pytest

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser

TALL = (
    '<!doctype html>\n<html>\n<head><link rel="stylesheet" href="style.css"></head>\n<body>\n'
    "<h1>Tall page</h1>\n"
    + "".join(f'<p style="height: 60px">Paragraph {i}</p>\n' for i in range(80))
    + "</body>\n</html>\n"
)
CSS = "h1 { color: rgb(0, 0, 255); }\n"


def test_preview_scroll_survives_an_html_change(page, server, api):
    app = api.create_app({"index.html": TALL, "style.css": CSS})
    ws = Workspace(page, server, app).open()
    frame = ws.preview_frame()
    frame.wait_for_selector("text=Paragraph 79")
    frame.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-frame]').dataset.scrollY === '1500'"
    )

    api.write(
        app, "index.html", TALL.replace("<h1>Tall page</h1>", '<h1 id="changed">Changed</h1>')
    )
    frame.wait_for_selector("#changed")
    frame.wait_for_function("window.scrollY === 1500")
    assert ws.preview_activity()["reloads"] == 1
    shot(page, "preview-scroll-kept")


def test_css_change_applies_without_a_reload(page, server, api):
    app = api.create_app({"index.html": TALL, "style.css": CSS})
    ws = Workspace(page, server, app).open()
    frame = ws.preview_frame()
    frame.wait_for_function(
        "getComputedStyle(document.querySelector('h1')).color === 'rgb(0, 0, 255)'"
    )
    frame.evaluate("document.__appwrightTestMarker = 'same document'")

    api.write(app, "style.css", "h1 { color: rgb(255, 0, 0); }\n")
    frame.wait_for_function(
        "getComputedStyle(document.querySelector('h1')).color === 'rgb(255, 0, 0)'"
    )
    assert frame.evaluate("document.__appwrightTestMarker") == "same document"
    assert ws.preview_activity() == {"reloads": 0, "css_swaps": 1}
    shot(page, "preview-css-hot-swapped")

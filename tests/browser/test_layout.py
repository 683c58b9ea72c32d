"""The workspace's layout: panes resized by dragging or from the keyboard and remembered in the
browser, a preview that fits a 600 px page by default, can be maximised, and shows phone,
tablet or desktop widths, all on the same iframe, whose follower keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import shot
from .workspace import Workspace

pytestmark = pytest.mark.browser

WIDE = (
    '<!doctype html>\n<html>\n<head><link rel="stylesheet" href="style.css"></head>\n'
    '<body style="margin: 0">\n<div id="wide" style="width: 600px; height: 40px; background: #ccc">'
    "600 px</div>\n"
    + "".join(f'<p style="height: 60px">Paragraph {i}</p>\n' for i in range(60))
    + "</body>\n</html>\n"
)
CSS = "p { color: rgb(0, 0, 255); }\n"


def value(page: Any, splitter: str) -> int:
    return int(page.get_by_test_id(splitter).get_attribute("aria-valuenow"))


def pane_width(page: Any, selector: str) -> float:
    return page.locator(selector).evaluate("el => el.getBoundingClientRect().width")


def renders(page: Any) -> dict[str, int]:
    return page.evaluate("({...window.__appwright_debug.renders})")


def open_wide_app(page: Any, server: Any, api: Any) -> tuple[str, Workspace, Any, Any]:
    """A workspace on the 600 px page: (app, workspace, preview frame, iframe element)."""
    app = api.create_app({"index.html": WIDE, "style.css": CSS})
    ws = Workspace(page, server, app).open()
    frame = ws.preview_frame()
    frame.wait_for_selector("#wide")
    return app, ws, frame, ws.preview_element().element_handle()


def test_panes_resize_by_drag_and_keyboard_and_are_remembered(page, server, api):
    _app, ws, frame, iframe = open_wide_app(page, server, api)
    # At the default size a 600 px layout is not clipped.
    fits = frame.evaluate(
        "({right: document.querySelector('#wide').getBoundingClientRect().right,"
        " inner: document.documentElement.clientWidth,"
        " scroll: document.documentElement.scrollWidth})"
    )
    assert fits["right"] <= fits["inner"] and fits["scroll"] <= fits["inner"], fits

    # Drag the handle left of the preview 120 px to the left: the preview grows by 120.
    before = value(page, "splitter-preview")
    box = page.get_by_test_id("splitter-preview").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y, steps=4)
    page.mouse.move(x - 120, y, steps=4)  # passing over the editor, ending nowhere special
    page.mouse.up()
    assert value(page, "splitter-preview") == before + 120
    assert abs(pane_width(page, "[data-testid=preview]") - (before + 120)) <= 1

    # The keyboard: arrows step 16 px, Shift+arrow 80, Home goes to the minimum. Resizing
    # re-renders none of the panes (measured once the version listing and commit are in).
    page.wait_for_selector("[data-testid=version] .version-no:text-is('#1')")
    page.wait_for_selector("[data-testid=commit-state].commit-committed")
    settled = renders(page)
    handle = page.get_by_test_id("splitter-chat")
    handle.focus()
    chat = value(page, "splitter-chat")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert value(page, "splitter-chat") == chat + 32
    page.keyboard.press("Shift+ArrowLeft")
    assert value(page, "splitter-chat") == chat + 32 - 80
    assert renders(page) == settled, "resizing must not re-render the chat, editor or preview"
    page.keyboard.press("Home")
    assert value(page, "splitter-chat") == int(handle.get_attribute("aria-valuemin"))
    page.keyboard.press("Enter")  # back to the default
    assert value(page, "splitter-chat") == chat
    page.keyboard.press("ArrowLeft")
    stored = json.loads(page.evaluate("localStorage.getItem('appwright.layout')"))
    assert stored["chat"] == chat - 16 and stored["preview"] == before + 120
    assert page.evaluate("el => el.isConnected", iframe), "the preview iframe was recreated"
    shot(page, "ux-layout")

    page.reload()
    ws.wait_connected()
    assert value(page, "splitter-chat") == chat - 16
    assert value(page, "splitter-preview") == before + 120


def test_maximised_preview_keeps_following_and_escape_restores(page, server, api):
    app, ws, frame, iframe = open_wide_app(page, server, api)

    page.get_by_test_id("preview-maximise").click()
    page.get_by_test_id("chat").wait_for(state="hidden")
    viewport = page.viewport_size["width"]
    assert pane_width(page, "[data-testid=preview]") == viewport
    assert page.locator(".editor-pane").is_hidden()

    api.write(app, "style.css", "p { color: rgb(255, 0, 0); }\n")
    frame.wait_for_function(
        "getComputedStyle(document.querySelector('p')).color === 'rgb(255, 0, 0)'"
    )
    assert ws.preview_activity() == {"reloads": 0, "css_swaps": 1}
    shot(page, "ux-preview-maximised")

    page.keyboard.press("Escape")
    page.get_by_test_id("chat").wait_for()
    assert page.get_by_test_id("preview-maximise").inner_text() == "Maximise"
    assert page.locator(".editor-pane").is_visible()
    assert page.evaluate("el => el.isConnected", iframe), "the preview iframe was recreated"


def test_device_widths_restyle_the_same_frame_and_the_follower_keeps_working(page, server, api):
    app, ws, frame, iframe = open_wide_app(page, server, api)

    for device, width in (("tablet", 820), ("phone", 390)):
        page.get_by_test_id(f"preview-device-{device}").click()
        frame.wait_for_function("w => window.innerWidth === w", arg=width)
        assert (
            page.get_by_test_id(f"preview-device-{device}").get_attribute("aria-pressed") == "true"
        )

    # On the phone width: an HTML change reloads in place and keeps the scroll...
    frame.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-frame]').dataset.scrollY === '1500'"
    )
    api.write(
        app, "index.html", WIDE.replace("600 px</div>", '600 px</div><h2 id="changed">Hi</h2>')
    )
    frame.wait_for_selector("#changed")
    frame.wait_for_function("window.scrollY === 1500")
    # ...and a CSS change is hot-swapped into the same document.
    frame.evaluate("document.__marker = 'same document'")
    api.write(app, "style.css", "p { color: rgb(0, 128, 0); }\n")
    frame.wait_for_function(
        "getComputedStyle(document.querySelector('p')).color === 'rgb(0, 128, 0)'"
    )
    assert frame.evaluate("document.__marker") == "same document"
    assert ws.preview_activity() == {"reloads": 1, "css_swaps": 1}
    assert page.evaluate("el => el.isConnected", iframe), "the preview iframe was recreated"
    assert page.locator("[data-testid=preview-frame]").count() == 1
    shot(page, "ux-preview-phone")

    # Remembered in this browser.
    page.reload()
    ws.wait_connected()
    assert page.get_by_test_id("preview-device-phone").get_attribute("aria-pressed") == "true"
    ws.preview_frame().wait_for_function("window.innerWidth === 390")
    page.get_by_test_id("preview-device-desktop").click()
    pane = pane_width(page, "[data-testid=preview-frame]")
    ws.preview_frame().wait_for_function("w => Math.abs(window.innerWidth - w) <= 1", arg=pane)

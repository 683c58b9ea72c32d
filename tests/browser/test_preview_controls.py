"""The preview's controls: an address bar that follows the app's own navigation, goes back
and forward, opens a typed path or one of the app's pages, and shows a page (not JSON) for a
missing file; a console panel that counts the preview's errors and asks the model to fix them."""

from __future__ import annotations

import json

import pytest

from fixtures.sites import real_site

from .conftest import MODEL, shot
from .workspace import Workspace, text, tool, turn

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html>
<html>
<head><script src="broken.js"></script></head>
<body>
  <h1>Broken</h1>
  <script>
    console.error("custom problem", { code: 7 });
    Promise.reject(new Error("nope"));
  </script>
</body>
</html>
"""
FIXED = "<!doctype html>\n<html>\n<head></head>\n<body>\n  <h1>Fixed</h1>\n</body>\n</html>\n"


def address(page) -> str:
    return page.get_by_test_id("preview-address").input_value()


def wait_address(page, expected: str) -> None:
    page.wait_for_function(
        "v => document.querySelector('[data-testid=preview-address]').value === v", arg=expected
    )


def test_the_address_bar_follows_goes_back_and_opens_pages(page, server, api):
    app = api.create_app(real_site(), name="Harbour")
    ws = Workspace(page, server, app).open()
    frame = ws.preview_frame()
    wait_address(page, "/")
    back, forward = page.get_by_test_id("preview-back"), page.get_by_test_id("preview-forward")
    assert back.is_disabled() and forward.is_disabled()

    # The app's own link: the address follows.
    frame.click("#to-about")
    frame.wait_for_selector("#about")
    wait_address(page, "/about.html")
    back.click()
    frame.wait_for_selector("#theme")
    wait_address(page, "/")
    forward.click()
    frame.wait_for_selector("#about")
    wait_address(page, "/about.html")
    assert forward.is_disabled() and back.is_enabled()

    # A typed path (a folder, which the preview sends to its slash).
    box = page.get_by_test_id("preview-address")
    box.fill("/menu")
    box.press("Enter")
    frame.wait_for_selector("#menu")
    wait_address(page, "/menu/")

    # One of the app's pages, from the list.
    pages = page.get_by_test_id("preview-pages")
    options = pages.locator("option").all_inner_texts()
    assert options[1:] == ["index.html", "menu/index.html", "about.html"]
    pages.select_option("about.html")
    frame.wait_for_selector("#about")
    wait_address(page, "/about.html")
    back.click()
    frame.wait_for_selector("#menu")
    wait_address(page, "/menu/")

    # A missing file: a page saying so, with the app's pages to go on from.
    box.fill("/opening-hours.html")
    box.press("Enter")
    frame.wait_for_selector("text=No page here")
    wait_address(page, "/opening-hours.html")
    assert "opening-hours.html" in frame.inner_text("body")
    assert "error" not in frame.inner_text("body").lower()
    shot(page, "preview-address-missing-page")
    frame.click("a[href$='/index.html']")
    frame.wait_for_selector("#theme")
    wait_address(page, "/index.html")
    shot(page, "preview-address-bar")


@pytest.mark.app_errors("Cannot set properties of null", "nope")
def test_the_console_counts_the_previews_errors_and_fix_with_ai_asks_the_model(
    page, server, sim, api
):
    app = api.create_app(
        {
            "index.html": BROKEN,
            "broken.js": 'document.querySelector("#missing").textContent = "x";\n',
        }
    )
    ws = Workspace(page, server, app).open()
    count = page.get_by_test_id("preview-console-count")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-console-count]').textContent === '3'"
    )
    page.get_by_test_id("preview-console-toggle").click()
    entries = page.get_by_test_id("preview-console-entry")
    assert entries.count() == 3
    levels = sorted(entries.evaluate_all("els => els.map(e => e.dataset.level)"))
    assert levels == ["error", "exception", "rejection"]
    panel = page.get_by_test_id("preview-console").inner_text()
    # Quoted by the app's own paths and lines (the injected agent moves no line).
    assert "TypeError" in panel and "/broken.js:1:" in panel and "/:8:" in panel
    assert "localhost" not in panel
    assert "custom problem" in panel and '{"code":7}' in panel
    assert "nope" in panel
    shot(page, "preview-console-errors")

    sim.script(
        MODEL,
        [
            turn(tool("apply_edit", filepath="index.html", old_code="", new_code=FIXED)),
            turn(text("Removed the broken script and the stray errors.")),
        ],
    )
    page.get_by_test_id("preview-console-fix").click()
    ws.wait_runs(1)
    asked = page.locator("[data-testid=run] .msg.user").first.inner_text()
    assert asked.startswith("The preview shows these errors:")
    assert "TypeError" in asked and "custom problem" in asked and "nope" in asked
    bodies = [json.dumps(r["body"]) for r in sim.requests(MODEL)]
    assert any("TypeError" in b and "broken.js" in b and "custom problem" in b for b in bodies)

    # The fix reloads the preview: a new page, no errors.
    ws.preview_frame().wait_for_selector("text=Fixed")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-console-count]').textContent === '0'"
    )
    assert count.inner_text() == "0"
    assert page.get_by_test_id("preview-console-fix").is_disabled()
    shot(page, "preview-console-fixed")

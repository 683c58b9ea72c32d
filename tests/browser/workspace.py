"""A page object for the workspace, and builders for the sim's model scripts."""

from __future__ import annotations

from typing import Any

# A page whose title and footer two tests' edits change (two hunks, far apart).
SHOP_PAGE = """<!doctype html>
<html>
<head><title>Shop</title></head>
<body>
  <h1>Old title</h1>
  <p>one</p>
  <p>two</p>
  <p>three</p>
  <p>four</p>
  <footer>Old footer</footer>
</body>
</html>
"""
SHOP_PAGE_TWO_HUNKS = SHOP_PAGE.replace("Old title", "New title").replace(
    "Old footer", "New footer"
)


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def tool(name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


def turn(*content: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"content": list(content), **options}


class Workspace:
    def __init__(self, page: Any, server: Any, app_id: str) -> None:
        self.page = page
        self.server = server
        self.app_id = app_id

    def open(self) -> Workspace:
        self.page.goto(f"{self.server.base}/apps/{self.app_id}?token={self.server.token}")
        self.wait_connected()
        self.page.wait_for_function(
            "window.__appwright_debug.editor?.getModel()?.getValue().length > 0"
        )
        self.preview_frame().wait_for_selector("body")
        return self

    def wait_connected(self) -> None:
        self.page.wait_for_selector("[data-testid=conn-chat][data-status=open]")
        self.page.wait_for_selector("[data-testid=conn-app][data-status=open]")

    # ---- chat ----

    def send(self, message: str) -> None:
        box = self.page.get_by_test_id("composer")
        box.fill(message)
        box.press("Enter")

    def runs(self) -> Any:
        return self.page.locator("[data-testid=run]")

    def wait_runs(self, count: int, status: str = "completed") -> None:
        self.page.wait_for_function(
            "([n, s]) => document.querySelectorAll(`[data-testid=run][data-status=${s}]`).length >= n",
            arg=[count, status],
        )

    # ---- editor ----

    def editor(self, expression: str) -> Any:
        """Evaluates `expression` with `ed` bound to the mounted Monaco editor."""
        return self.page.evaluate(
            f"(() => {{ const ed = window.__appwright_debug.editor; return {expression}; }})()"
        )

    def editor_value(self) -> str:
        return self.editor("ed.getModel().getValue()")

    def wait_editor_value(self, expected: str) -> None:
        self.page.wait_for_function(
            "v => window.__appwright_debug.editor?.getModel()?.getValue() === v", arg=expected
        )

    def wait_editor_contains(self, fragment: str) -> None:
        self.page.wait_for_function(
            "v => window.__appwright_debug.editor?.getModel()?.getValue().includes(v)", arg=fragment
        )

    # ---- preview ----

    def preview_element(self) -> Any:
        return self.page.locator("[data-testid=preview-frame]")

    def preview_frame(self) -> Any:
        handle = self.preview_element().element_handle()
        frame = handle.content_frame()
        assert frame is not None
        return frame

    def preview_activity(self) -> dict[str, int]:
        el = self.page.get_by_test_id("preview-activity")
        return {
            "reloads": int(el.get_attribute("data-reloads") or 0),
            "css_swaps": int(el.get_attribute("data-css-swaps") or 0),
        }

    # ---- debug counters ----

    def counters(self) -> dict[str, int]:
        return self.page.evaluate(
            "(() => { const d = window.__appwright_debug;"
            " return {timers: d.timers, listeners: d.listeners, sockets: d.sockets}; })()"
        )

    def wait_counters(self, expected: dict[str, int]) -> None:
        self.page.wait_for_function(
            "e => { const d = window.__appwright_debug;"
            " return d.timers === e.timers && d.listeners === e.listeners && d.sockets === e.sockets; }",
            arg=expected,
        )


def shop_edited_by_ai(page: Any, server: Any, sim: Any, api: Any) -> tuple[str, Workspace]:
    """An app on SHOP_PAGE, open, whose first run made SHOP_PAGE_TWO_HUNKS (version 2)."""
    from .conftest import MODEL

    app = api.create_app({"index.html": SHOP_PAGE})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            turn(
                tool("apply_edit", filepath="index.html", old_code="", new_code=SHOP_PAGE_TWO_HUNKS)
            ),
            turn(text("Updated the title and the footer.")),
        ],
    )
    ws.send("New title and footer")
    ws.wait_runs(1)
    ws.wait_editor_value(SHOP_PAGE_TWO_HUNKS)
    return app, ws

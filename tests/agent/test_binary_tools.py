"""The model's tools on an app with images, through a whole run: list_files marks them,
get_current_code says what one is instead of showing bytes, apply_edit refuses to change
one, search_code looks only in text, and delete_file / rename_file move them intact."""

from __future__ import annotations

import base64
from typing import Any

from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool
from fixtures.images import jpeg, png


def results_of(model: ScriptedModel, turn: int) -> list[tuple[bool, str]]:
    return [(p.is_error, p.content) for p in model.requests[turn].messages[-1].parts]


def b64(data: bytes) -> dict[str, str]:
    return {"base64": base64.b64encode(data).decode("ascii")}


async def read(h: Any, app_id: str, path: str) -> dict[str, Any] | None:
    r = await h.client.get(f"/api/apps/{app_id}/files/{path}", headers=h.headers)
    return r.json() if r.status_code == 200 else None


async def test_the_tools_treat_an_image_as_a_binary_file(harness) -> None:
    logo, photo = png(), jpeg()
    model = ScriptedModel(
        [
            Turn(
                [
                    tool("list_files"),
                    tool("get_current_code", filepath="img/logo.png"),
                    tool("search_code", pattern="PNG|IHDR|JFIF"),
                ]
            ),
            Turn(
                [
                    tool("apply_edit", filepath="img/logo.png", old_code="PNG", new_code="GIF"),
                    tool("apply_edit", filepath="img/photo.jpg", old_code="", new_code="text"),
                    tool("rename_file", **{"from": "img/logo.png", "to": "img/brand.png"}),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="img/logo.png",
                        new_code="img/brand.png",
                    ),
                ]
            ),
            Turn([tool("delete_file", filepath="img/photo.jpg")]),
            Turn([text("Renamed the logo.")]),
        ]
    )
    h = await harness(model)
    app_id = await h.app(
        {
            "index.html": '<img src="img/logo.png">\n',
            "img/logo.png": b64(logo),
            "img/photo.jpg": b64(photo),
        }
    )
    session = await h.session(app_id)
    end = await h.run(session, "call the logo brand.png")
    assert end["status"] == "completed", end

    listed, shown, searched = results_of(model, 1)
    assert listed == (
        False,
        f"img/logo.png ({len(logo)} bytes, binary image/png)\n"
        f"img/photo.jpg ({len(photo)} bytes, binary image/jpeg)\n"
        "index.html (25 bytes)",
    )
    assert not shown[0]
    assert shown[1].startswith("img/logo.png (version ver_")
    assert "is a binary file (image/png, " in shown[1] and "apply_edit cannot change it" in shown[1]
    assert searched == (False, "No line matches /PNG|IHDR|JFIF/ in 1 file.")

    edit_logo, overwrite_photo, rename, reference = results_of(model, 2)
    assert edit_logo[0] and "img/logo.png is a binary file (image/png" in edit_logo[1]
    assert "nothing was changed" in edit_logo[1]
    assert overwrite_photo[0] and "img/photo.jpg is a binary file (image/jpeg" in overwrite_photo[1]
    assert not rename[0] and not reference[0]
    (deleted,) = results_of(model, 3)
    assert deleted[1].startswith("Deleted img/photo.jpg")

    moved = await read(h, app_id, "img/brand.png")
    assert moved is not None and base64.b64decode(moved["base64"]) == logo
    assert await read(h, app_id, "img/logo.png") is None
    assert await read(h, app_id, "img/photo.jpg") is None
    assert (await read(h, app_id, "index.html"))["content"] == '<img src="img/brand.png">\n'
    # The vendor's undo brings the photo back, byte for byte.
    assert (await h.client.post(f"/api/apps/{app_id}/undo", headers=h.headers)).status_code == 200
    back = await read(h, app_id, "img/photo.jpg")
    assert back is not None and base64.b64decode(back["base64"]) == photo

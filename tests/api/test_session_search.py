"""Searching an app's conversations by what was said in them (messages and answers)."""

from __future__ import annotations

from typing import Any

from appwright.testing.scripted_model import ScriptedModel, Turn, text

FILES = {"index.html": "<h1>Shop</h1>\n"}


async def search(h: Any, app_id: str, q: str) -> list[str]:
    r = await h.client.get(f"/api/apps/{app_id}/sessions", params={"q": q}, headers=h.headers)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def test_search_finds_sessions_by_their_messages_and_answers(harness) -> None:
    model = ScriptedModel(
        [
            Turn([text("The heading is now a calm "), text("zebra blue.")]),
            Turn([text("Added the contact form.")]),
        ],
        turns_by="order",  # one turn per session, in order
    )
    h = await harness(model)
    app_id = await h.app(FILES)
    heading = await h.session(app_id)
    await h.run(heading, "Make the heading blue")
    form = await h.session(app_id)
    await h.run(form, "Add a contact form about Pricing")
    empty = await h.session(app_id)

    assert await search(h, app_id, "") == [empty, form, heading]
    assert await search(h, app_id, "zebra") == [heading]  # only in an answer
    assert await search(h, app_id, "calm zebra") == [heading]  # across two deltas
    assert await search(h, app_id, "pricing FORM") == [form]  # any case, any order
    assert await search(h, app_id, "blue form") == []  # every word, in one session
    assert await search(h, app_id, "nothing like this") == []


async def test_search_is_scoped_to_the_callers_app(harness) -> None:
    h = await harness(ScriptedModel([Turn([text("Secret plans.")])]))
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    await h.run(session, "Tell me the secret")
    other = await h.app(FILES)
    assert await search(h, other, "secret") == []

    stranger = await h.client.post(
        "/api/vendors", json={"name": "s"}, headers={"Authorization": "Bearer admin-test-token"}
    )
    headers = {"Authorization": f"Bearer {stranger.json()['token']}"}
    r = await h.client.get(f"/api/apps/{app_id}/sessions", params={"q": "secret"}, headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "app_not_found"
    too_long = await h.client.get(
        f"/api/apps/{app_id}/sessions", params={"q": "x" * 501}, headers=h.headers
    )
    assert too_long.status_code == 422

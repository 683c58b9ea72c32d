"""The app's list of conversations: each session with its title (its first message) and its
model usage, on both databases, for sessions made before titles were stored too."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from appwright.store.schema import sessions as sessions_table
from appwright.testing.scripted_model import ScriptedModel, Turn, text

FILES = {"index.html": "<h1>Shop</h1>\n"}
LONG = "Rework the whole pricing page so that every plan " + "really clearly " * 8 + "stands out"


async def listed(h: Any, app_id: str) -> dict[str, dict[str, Any]]:
    r = await h.client.get(f"/api/apps/{app_id}/sessions", headers=h.headers)
    assert r.status_code == 200, r.text
    return {s["id"]: s for s in r.json()}


async def test_sessions_are_listed_with_their_title_and_usage(harness) -> None:
    model = ScriptedModel([Turn([text("Done.")]), Turn([text("Done again.")])])
    h = await harness(model)
    app_id = await h.app(FILES)
    talked = await h.session(app_id)
    silent = await h.session(app_id)

    before = await listed(h, app_id)
    assert before[talked]["title"] is None and before[talked]["usage"] is None

    first = await h.run(talked, "\n  Make the   heading blue\nand bigger, please")
    second = await h.run(talked, "Now the footer")
    shown = await listed(h, app_id)
    assert list(shown) == [silent, talked], "newest first"
    assert shown[silent] == {
        "id": silent,
        "app_id": app_id,
        "created_at": before[silent]["created_at"],
        "title": None,
        "usage": None,
    }
    assert shown[talked]["title"] == "Make the heading blue", "the first message's first line"
    usage = shown[talked]["usage"]
    for kind in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        assert usage[kind] == first["usage"][kind] + second["usage"][kind]
    assert usage["input_tokens"] > 0
    assert abs(usage["cost_usd"] - first["usage"]["cost_usd"] - second["usage"]["cost_usd"]) < 1e-6
    detail = (await h.client.get(f"/api/sessions/{talked}", headers=h.headers)).json()
    assert detail["usage"] == usage


async def test_a_long_first_message_is_cut_at_a_word(harness) -> None:
    h = await harness(ScriptedModel([Turn([text("Done.")])]))
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    await h.run(session, LONG)
    title = (await listed(h, app_id))[session]["title"]
    assert len(title) <= 80 and title.endswith("…")
    assert LONG.startswith(title[:-1]) and LONG[len(title) - 1] == " ", title


async def test_a_session_titled_before_titles_were_stored_is_titled_from_its_first_run(
    harness,
) -> None:
    h = await harness(ScriptedModel([Turn([text("One.")]), Turn([text("Two.")])]))
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    await h.run(session, "Add a contact form")
    await h.run(session, "And a map")

    async def forget_title(conn: Any) -> None:
        await conn.execute(
            sa.update(sessions_table).where(sessions_table.c.id == session).values(title="")
        )

    await h.runtime.db.run(forget_title)
    assert (await listed(h, app_id))[session]["title"] == "Add a contact form"


async def test_a_model_without_a_price_lists_tokens_and_no_cost(harness) -> None:
    h = await harness(ScriptedModel([Turn([text("hi")])]), model="someone-elses-model")
    app_id = await h.app(FILES)
    session = await h.session(app_id)
    await h.run(session, "hello")
    usage = (await listed(h, app_id))[session]["usage"]
    assert usage["input_tokens"] > 0 and usage["cost_usd"] is None

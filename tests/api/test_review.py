"""Review marks: accepting a version is stored with it, so the versions list says so to every
tab and after every reload."""

from __future__ import annotations


async def test_an_accepted_version_stays_accepted(new_vendor) -> None:
    owner = await new_vendor("owner")
    app = await owner.create_app({"index.html": "<h1>One</h1>\n"})
    await owner.put(f"/api/apps/{app}/files/index.html", json={"content": "<h1>Two</h1>\n"})
    newest, first = (await owner.get(f"/api/apps/{app}/versions")).json()
    assert newest["accepted_at"] is None and first["accepted_at"] is None

    accepted = await owner.post(f"/api/apps/{app}/versions/{newest['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    when = accepted.json()["accepted_at"]
    assert when is not None
    listed = (await owner.get(f"/api/apps/{app}/versions")).json()
    assert [v["accepted_at"] for v in listed] == [when, None]

    # Accepting again keeps the first acceptance.
    again = await owner.post(f"/api/apps/{app}/versions/{newest['id']}/accept")
    assert again.status_code == 200 and again.json()["accepted_at"] == when


async def test_accepting_what_is_not_yours_is_not_found(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app({"index.html": "x\n"})
    other = await owner.create_app({"index.html": "y\n"})
    version = (await owner.get(f"/api/apps/{app}/versions")).json()[0]["id"]
    theirs = await stranger.post(f"/api/apps/{app}/versions/{version}/accept")
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "app_not_found"
    elsewhere = await owner.post(f"/api/apps/{other}/versions/{version}/accept")
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "version_not_found"
    assert (await owner.get(f"/api/apps/{app}/versions")).json()[0]["accepted_at"] is None

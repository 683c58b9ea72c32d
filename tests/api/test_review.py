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


async def test_restoring_an_old_version_is_one_version(new_vendor) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app({"index.html": "<h1>One</h1>\n", "style.css": "h1 {}\n"})
    first = (await owner.get(f"/api/apps/{app}/versions")).json()[0]["id"]
    await owner.put(f"/api/apps/{app}/files/index.html", json={"content": "<h1>Two</h1>\n"})
    await owner.put(f"/api/apps/{app}/files/extra.js", json={"content": "// later\n"})
    await owner.delete(f"/api/apps/{app}/files/style.css")

    assert (await stranger.post(f"/api/apps/{app}/versions/{first}/restore")).status_code == 404
    restored = await owner.post(f"/api/apps/{app}/versions/{first}/restore")
    assert restored.status_code == 201, restored.text
    version = restored.json()["version"]
    assert version["source"] == "revert"
    assert version["paths"] == ["extra.js", "index.html", "style.css"]
    listing = {f["path"] for f in (await owner.get(f"/api/apps/{app}/files")).json()}
    assert listing == {"index.html", "style.css"}
    page = (await owner.get(f"/api/apps/{app}/files/index.html")).json()["content"]
    assert page == "<h1>One</h1>\n"
    assert len((await owner.get(f"/api/apps/{app}/versions")).json()) == 5

    again = await owner.post(f"/api/apps/{app}/versions/{first}/restore")
    assert again.status_code == 200 and again.json()["version"] is None
    # One undo takes the whole restore back.
    assert (await owner.post(f"/api/apps/{app}/undo")).status_code == 200
    listing = {f["path"] for f in (await owner.get(f"/api/apps/{app}/files")).json()}
    assert listing == {"extra.js", "index.html"}
    missing = await owner.post(f"/api/apps/{app}/versions/ver_nope/restore")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "version_not_found"


async def test_an_old_version_can_be_previewed_read_only(new_vendor, client) -> None:
    owner, stranger = await new_vendor("owner"), await new_vendor("stranger")
    app = await owner.create_app({"index.html": "<h1>One</h1>", "style.css": "h1 {}"})
    first = (await owner.get(f"/api/apps/{app}/versions")).json()[0]["id"]
    await owner.put(f"/api/apps/{app}/files/index.html", json={"content": "<h1>Two</h1>"})
    await owner.delete(f"/api/apps/{app}/files/style.css")

    link = await owner.get(f"/api/apps/{app}/preview", params={"version": first})
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    page = await client.get(url)
    assert page.status_code == 200 and "<h1>One</h1>" in page.text
    assert "allow-same-origin" not in page.headers["content-security-policy"]
    style = await client.get(url + "style.css")
    assert style.status_code == 200 and style.text == "h1 {}"
    assert (await client.get(url + "nope.css")).status_code == 404
    # The current preview is unchanged; the version link cannot be bent to another version.
    now = (await owner.get(f"/api/apps/{app}/preview")).json()["url"]
    assert "<h1>Two</h1>" in (await client.get(now)).text
    assert (await client.get(now + "style.css")).status_code == 404
    forged = url.replace(f".{first}/", ".ver_00000000000000000000/")
    assert (await client.get(forged)).status_code == 401

    theirs = await stranger.get(f"/api/apps/{app}/preview", params={"version": first})
    assert theirs.status_code == 404
    other = await owner.create_app({"index.html": "x"})
    elsewhere = await owner.get(f"/api/apps/{other}/preview", params={"version": first})
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "version_not_found"

"""Plain bad input never gets a 5xx, on SQLite and PostgreSQL: lone surrogates and NUL in
any body field or URL, a `null` file, an empty client_msg_id, an `after` past the seq
column, an app with too many files, and file names that hide what they are."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from appwright import text as text_rule
from appwright.git.reach import RemotePolicy
from hostile import hostile_json, hostile_text

SITE = {"index.html": "<h1>shop</h1>"}


def raw_json(body: Any) -> dict[str, Any]:
    """Request arguments for `body` as ASCII JSON: a lone surrogate is legal JSON text,
    which httpx's own encoder refuses to send."""
    return {"content": json.dumps(body).encode(), "headers": {"Content-Type": "application/json"}}


def as_received(body: Any) -> Any:
    """`body` as the server parses it: two surrogate halves side by side in a Python
    string are escaped as a pair, which JSON reads as one valid character."""
    return json.loads(json.dumps(body))


def code_of(response: Any) -> str:
    return str(response.json()["error"]["code"])


async def world(vendor: Any) -> dict[str, Any]:
    """What a vendor could see: refusals must leave all of it as it was."""
    apps = (await vendor.get("/api/apps")).json()
    seen: dict[str, Any] = {"apps": apps}
    for app in apps:
        seen[app["id"]] = [
            (await vendor.get(f"/api/apps/{app['id']}/files")).json(),
            (await vendor.get(f"/api/apps/{app['id']}/versions")).json(),
            (await vendor.get(f"/api/apps/{app['id']}/events")).json(),
        ]
    return seen


def no_lookups(host: str) -> list[str]:
    """A resolver for remotes set here: a documentation address (refused as not public),
    so that no test looks up, let alone reaches, a host it made up."""
    return ["192.0.2.1"]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=hostile_text, anything=hostile_json)
async def test_hostile_text_in_any_body_field_is_a_4xx_never_a_5xx(
    client, runtime, new_vendor, value: str, anything: Any
) -> None:
    runtime.git_outbox.policy = RemotePolicy(resolver=no_lookups)
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    session = (await vendor.post(f"/api/apps/{app_id}/sessions")).json()["id"]
    before = await world(vendor)
    admin = {"Authorization": "Bearer admin-test-token"}
    calls = [
        ("POST", "/api/apps", {"name": value, "files": {"a.txt": "x"}}),
        ("POST", "/api/apps", {"name": "n", "files": {value: "x"}}),
        ("POST", "/api/apps", {"name": "n", "files": {"a.txt": value}}),
        ("PUT", f"/api/apps/{app_id}/files/index.html", {"content": value}),
        ("PUT", f"/api/apps/{app_id}/remote", {"url": f"https://{value}/x.git"}),
        ("PUT", f"/api/apps/{app_id}/remote", {"url": "https://h/x.git", "token": value}),
        ("PUT", f"/api/apps/{app_id}/remote", {"url": "https://h/x.git", "branch": value}),
        ("POST", f"/api/sessions/{session}/messages", {"text": value, "client_msg_id": "m"}),
        ("POST", f"/api/sessions/{session}/messages", {"text": "x", "client_msg_id": value}),
        ("POST", f"/api/apps/{app_id}/versions/x/revert", {"paths": [value]}),
    ]
    # Any JSON at all where text belongs: plain text is rightly accepted (an app, a run),
    # so these come after the check that nothing was made of the hostile text.
    anything_calls = [
        ("POST", "/api/apps", {"name": "n", "files": {"a.txt": anything}}),
        ("POST", f"/api/sessions/{session}/messages", {"text": anything}),
    ]

    async def send(method: str, url: str, body: Any) -> None:
        response = await vendor.request(method, url, **raw_json(body))
        assert response.status_code < 500, (method, url, body, response.text)
        if text_rule.find_in_tree(as_received(body)) is not None:
            assert response.status_code == 422, (url, body, response.text)
            assert code_of(response) == "invalid_text"

    for method, url, body in calls:
        await send(method, url, body)
    vendor_body = raw_json({"name": value})
    vendor_body["headers"].update(admin)
    assert (await client.post("/api/vendors", **vendor_body)).status_code < 500
    if text_rule.find_in_tree(as_received(value)) is not None:
        # Nothing was made of any of it: the vendor's world is as it was.
        assert await world(vendor) == before
    for method, url, body in anything_calls:
        await send(method, url, body)
    # Whatever was accepted (a run, an app) reads back as valid text.
    events = (await vendor.get(f"/api/sessions/{session}/events")).json()
    assert text_rule.find_in_tree(events) is None


async def test_urls_that_are_not_utf8_or_hold_nul_are_refused(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    files = f"/api/apps/{app_id}/files"
    # Two different byte sequences that are not UTF-8: neither may become "\ufffd.txt".
    for name in ("%FF.txt", "%FE.txt", "%ED%A0%80.txt", "%C3.txt"):
        put = await vendor.put(f"{files}/{name}", json={"content": "x"})
        assert put.status_code == 422 and code_of(put) == "path_invalid_utf8", put.text
    assert [f["path"] for f in (await vendor.get(files)).json()] == ["index.html"]
    for url in (f"/api/apps/{app_id}%00", "/api/sessions/a%00b/events", "/api/apps/%00/files"):
        got = await vendor.get(url)
        assert got.status_code == 422 and code_of(got) == "path_control_char", (url, got.text)
    got = await vendor.get(f"/api/apps/{app_id}/versions?before=a%00b")
    assert got.status_code == 422 and code_of(got) == "invalid_text", got.text


async def test_a_null_file_value_is_refused_and_nothing_is_created(new_vendor) -> None:
    vendor = await new_vendor()
    made = await vendor.post("/api/apps", json={"name": "n", "files": {"a.txt": None}})
    assert made.status_code == 422 and code_of(made) == "content_required", made.text
    assert (await vendor.get("/api/apps")).json() == []


async def test_an_empty_client_msg_id_is_refused_not_taken_as_none(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    session = (await vendor.post(f"/api/apps/{app_id}/sessions")).json()["id"]
    url = f"/api/sessions/{session}/messages"
    for client_msg_id in ("", "", "x" * 101):
        sent = await vendor.post(url, json={"text": "hi", "client_msg_id": client_msg_id})
        assert sent.status_code == 422 and code_of(sent) == "invalid_client_msg_id", sent.text
    assert (await vendor.get(f"/api/sessions/{session}/events")).json() == {"events": []}


async def test_after_is_bounded_by_the_seq_column(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    session = (await vendor.post(f"/api/apps/{app_id}/sessions")).json()["id"]
    for log in (f"/api/apps/{app_id}/events", f"/api/sessions/{session}/events"):
        last = await vendor.get(f"{log}?after={2**31 - 1}")
        assert last.status_code == 200 and last.json() == {"events": []}
        for after in (2**31, 2**63, 10**30):
            beyond = await vendor.get(f"{log}?after={after}")
            assert beyond.status_code == 422 and code_of(beyond) == "invalid_request", after


async def test_too_many_files_are_refused_before_any_work(make_service) -> None:
    service = await make_service(max_app_files=5)
    vendor = await service.vendor()
    many = {f"f{i}.txt": "x" for i in range(10_000)}
    refused = await vendor.post("/api/apps", json={"name": "big", "files": many})
    assert refused.status_code == 422 and code_of(refused) == "too_many_files", refused.text
    assert (await vendor.get("/api/apps")).json() == []
    app_id = await vendor.create_app({f"f{i}.txt": "x" for i in range(5)})
    one_more = await vendor.put(f"/api/apps/{app_id}/files/f5.txt", json={"content": "x"})
    assert one_more.status_code == 422 and code_of(one_more) == "too_many_files"
    # Replacing and deleting stay possible at the limit, and free room again.
    assert (await vendor.put(f"/api/apps/{app_id}/files/f0.txt", json={"content": "y"})).is_success
    assert (await vendor.delete(f"/api/apps/{app_id}/files/f0.txt")).is_success
    assert (await vendor.put(f"/api/apps/{app_id}/files/f5.txt", json={"content": "x"})).is_success


async def test_names_that_hide_what_they_are_are_refused(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    before = await world(vendor)
    for name, code in [
        ("gpj\u202e.exe", "path_bidi_char"),
        ("a\u2066b.txt", "path_bidi_char"),
        ("zero\u200bwidth.js", "path_invisible_char"),
        ("bom\ufeff.js", "path_invisible_char"),
        ("line\u2028sep.js", "path_control_char"),
        ("c1\u0085.js", "path_control_char"),
        ("unassigned\U000e0080.js", "path_unassigned_char"),
    ]:
        put = await vendor.put(f"/api/apps/{app_id}/files/{name}", json={"content": "x"})
        assert put.status_code == 422 and code_of(put) == code, (name, put.text)
        made = await vendor.post("/api/apps", json={"name": "n", "files": {name: "x"}})
        assert made.status_code == 422 and code_of(made) == code, (name, made.text)
    assert await world(vendor) == before


async def test_composed_and_decomposed_spellings_are_one_file(new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app(SITE)
    files = f"/api/apps/{app_id}/files"
    assert (await vendor.put(f"{files}/\u00e9.txt", json={"content": "composed"})).is_success
    again = await vendor.put(f"{files}/e\u0301.txt", json={"content": "decomposed"})
    assert again.status_code == 200 and again.json()["path"] == "\u00e9.txt"
    assert [f["path"] for f in (await vendor.get(files)).json()] == ["index.html", "\u00e9.txt"]
    read = await vendor.get(f"{files}/e\u0301.txt")
    assert read.json()["content"] == "decomposed"
    both = {"\u00e9.txt": "a", "e\u0301.txt": "b"}
    made = await vendor.post("/api/apps", json={"name": "n", "files": both})
    assert made.status_code == 422 and code_of(made) == "path_duplicate"
    named = await vendor.post("/api/apps", json={"name": "Cafe\u0301", "files": {}})
    assert named.json()["name"] == "Caf\u00e9"

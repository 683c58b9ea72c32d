"""What every HTTP answer carries: who may frame it (the preview keeping its own policy),
`Allow` on a 405, error responses documented in the OpenAPI schema, and a version list
that pages instead of silently stopping at 500."""

from __future__ import annotations

from typing import Any

import pytest

FRAMING = {"content-security-policy": "frame-ancestors 'self'", "x-frame-options": "SAMEORIGIN"}


async def test_nothing_but_the_preview_can_be_framed_by_another_site(client, new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "<h1>hi</h1>"})
    answers = [
        await client.get(f"/apps/{app_id}"),  # the workspace page
        await client.get("/"),
        await vendor.get(f"/api/apps/{app_id}/files"),
        await vendor.get("/api/apps/app_missing"),  # an error
        await client.get("/api/apps"),  # refused: no token
        await client.get("/openapi.json"),
        await client.get("/healthz"),
    ]
    for answer in answers:
        for header, value in FRAMING.items():
            assert answer.headers.get(header) == value, (answer.url, header)
    link = (await vendor.get(f"/api/apps/{app_id}/preview")).json()["url"]
    preview = await client.get(link)
    assert preview.status_code == 200
    assert preview.headers["content-security-policy"].startswith("sandbox allow-scripts")
    assert "allow-same-origin" not in preview.headers["content-security-policy"]
    assert "x-frame-options" not in preview.headers


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_405_says_what_is_allowed(client, new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    for method, url, allowed in [
        ("DELETE", "/api/apps", {"GET", "POST"}),
        ("PATCH", f"/api/apps/{app_id}/remote", {"GET", "PUT", "DELETE"}),
        ("GET", f"/api/apps/{app_id}/undo", {"POST"}),
        ("POST", "/healthz", {"GET"}),
        ("DELETE", "/apps/whatever", {"GET"}),  # a workspace page
    ]:
        answer = await vendor.request(method, url)
        assert answer.status_code == 405, (method, url, answer.text)
        assert answer.json()["error"]["code"] == "method_not_allowed"
        assert set(answer.headers["allow"].split(", ")) == allowed, (method, url)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_every_operation_documents_its_error_answers(client) -> None:
    schema = (await client.get("/openapi.json")).json()
    error = schema["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        for status in ("401", "404", "422", "500"):
            documented = operation["responses"].get(status)
            assert documented, (path, method, status)
            ref = documented["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorResponse", (path, method, status)


async def test_versions_page_newest_first_with_a_next_link(client, new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"a.txt": "0"})
    for n in range(1, 7):
        put = await vendor.put(f"/api/apps/{app_id}/files/a.txt", json={"content": str(n)})
        assert put.status_code == 200
    everything = (await vendor.get(f"/api/apps/{app_id}/versions")).json()
    assert [v["number"] for v in everything] == [7, 6, 5, 4, 3, 2, 1]

    seen: list[dict[str, Any]] = []
    url: str | None = f"/api/apps/{app_id}/versions?limit=3"
    links = 0
    while url:
        page = await vendor.get(url)
        assert page.status_code == 200, page.text
        seen += page.json()
        link = page.headers.get("link")
        if link:
            links += 1
            assert link.endswith('>; rel="next"') and link.startswith("</api/apps/")
            url = link[1 : link.index(">")]
        else:
            url = None
    assert seen == everything and links == 2
    last = await vendor.get(f"/api/apps/{app_id}/versions?limit=7")
    assert "link" not in last.headers and len(last.json()) == 7

    for bad, code in [("limit=0", "invalid_request"), ("limit=501", "invalid_request")]:
        answer = await vendor.get(f"/api/apps/{app_id}/versions?{bad}")
        assert answer.status_code == 422 and answer.json()["error"]["code"] == code
    other = await vendor.create_app({"b.txt": "x"})
    foreign = (await vendor.get(f"/api/apps/{other}/versions")).json()[0]["id"]
    answer = await vendor.get(f"/api/apps/{app_id}/versions?before={foreign}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "version_not_found"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_api_route_checks_its_body_and_documents_its_errors(asgi_app) -> None:
    """A new router made without `api_router` would skip the JSON body's text rule."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from appwright.api.boundary import CheckedRoute

    routes = [c.route for c in iter_route_contexts(asgi_app.router.routes)]
    api = [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]
    assert len(api) > 20
    for route in api:
        assert isinstance(route, CheckedRoute), route.path
        assert 422 in route.responses and 500 in route.responses, route.path

"""What an operator relies on: health, metrics, docs, one error shape, and logs that say
which request they belong to and never carry a token."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from appwright.ops.structured_logs import JsonFormatter


def is_error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, (status, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_metrics_count_requests_by_route_template(client, new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    for _ in range(3):
        assert (await vendor.get(f"/api/apps/{app_id}")).status_code == 200
    await client.get(f"/api/apps/{app_id}")  # 401
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert "# TYPE appwright_http_requests_total counter" in text

    def count(route: str, status: int) -> float:
        pattern = (
            r'^appwright_http_requests_total\{method="GET",route="'
            + re.escape(route)
            + rf'",status="{status}"\}} ([0-9.e+]+)$'
        )
        match = re.search(pattern, text, re.MULTILINE)
        assert match, f"no sample for GET {route} {status} in:\n{text}"
        return float(match.group(1))

    assert count("/api/apps/{app_id}", 200) == 3
    assert count("/api/apps/{app_id}", 401) == 1
    assert app_id not in text  # labels are route templates, never ids
    assert "appwright_http_request_seconds_bucket" in text


async def test_errors_have_one_shape(client, new_vendor) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    is_error(await client.get("/api/apps"), 401, "missing_token")
    is_error(await vendor.get("/api/apps/app_00000000000000000000"), 404, "app_not_found")
    is_error(await vendor.get(f"/api/apps/{app_id}/files/nope.txt"), 404, "file_not_found")
    is_error(await vendor.post(f"/api/apps/{app_id}/undo"), 409, "nothing_to_undo")
    is_error(await vendor.put(f"/api/apps/{app_id}/files/%2e%2e/x", json={"content": "x"}), 422)
    is_error(await vendor.post("/api/apps", json={"name": 5}), 422, "invalid_request")
    is_error(await vendor.request("PUT", f"/api/apps/{app_id}"), 405)


async def test_unknown_api_routes_are_json_404s(new_vendor, client) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    for path in ("/api/nope", "/api", f"/api/apps/{app_id}/nope", "/api/apps/a/b/c/d", "/preview"):
        is_error(await vendor.get(path), 404, "not_found")
        is_error(await client.get(path), 404)
    response = await vendor.post("/api/nope", json={})
    assert 400 <= response.status_code < 500
    is_error(response, response.status_code)


async def test_docs_and_openapi_are_served(client) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    schema = await client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/apps" in paths and "/api/apps/{app_id}/files/{path}" in paths


class Lines(logging.Handler):
    """Formats each record as the service's JSON log line at the moment it is logged (the
    request's context is gone by the time a test could format a captured record)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # httpx here is the test's own client, logging the URLs it requests; the service
        # turns httpx's request lines off (`ops.structured_logs.configure`).
        if record.name.split(".")[0] not in ("httpx", "httpcore"):
            self.lines.append(self.format(record))


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    caplog.set_level(logging.INFO)
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)


async def test_log_lines_carry_the_request_id_and_never_a_token(
    client, new_vendor, log_lines: list[str]
) -> None:
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    bad_tokens = [f"awv_{secrets.token_urlsafe(32)}", f"plain-{secrets.token_hex(12)}"]
    sent: list[tuple[httpx.Response, str]] = []
    for bad in bad_tokens:
        for kwargs in (
            {"headers": {"Authorization": f"Bearer {bad}"}},
            {"params": {"token": bad}},
        ):
            response = await client.get(f"/api/apps/{app_id}/files", **kwargs)
            assert response.status_code == 401
            sent.append((response, bad))
    wrong_admin = f"admin-{secrets.token_hex(12)}"
    refused = await client.post(
        "/api/vendors", json={"name": "x"}, headers={"Authorization": f"Bearer {wrong_admin}"}
    )
    assert refused.status_code == 401
    chosen = await client.get(
        "/api/apps", headers={"Authorization": f"Bearer {bad_tokens[0]}", "X-Request-Id": "req-42"}
    )
    assert chosen.headers["x-request-id"] == "req-42"
    # Good requests, too: whatever they log carries no token either.
    assert (await vendor.get(f"/api/apps/{app_id}/files")).status_code == 200

    records = [json.loads(line) for line in log_lines]
    for response, _ in sent:
        request_id = response.headers["x-request-id"]
        mine = [r for r in records if r.get("request_id") == request_id]
        assert mine, f"no log line for request {request_id}: {log_lines}"
        assert all(r["level"] and r["msg"] and r["ts"] for r in mine)
    refused_id = refused.headers["x-request-id"]
    assert any(r.get("request_id") == refused_id for r in records)
    assert any(r.get("request_id") == "req-42" for r in records)

    everything = "\n".join(log_lines)
    for secret in [*bad_tokens, wrong_admin, vendor.token, "admin-test-token"]:
        assert secret not in everything
        assert secret[4:24] not in everything  # not even a piece of one


async def test_timestamps_in_responses_say_they_are_utc(new_vendor) -> None:
    """A time without a zone reads as local time in a browser: every one carries UTC."""
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    put = await vendor.put(f"/api/apps/{app_id}/files/index.html", json={"content": "y"})
    stamps = [
        (await vendor.get(f"/api/apps/{app_id}")).json()["created_at"],
        *(a["created_at"] for a in (await vendor.get("/api/apps")).json()),
        *(f["updated_at"] for f in (await vendor.get(f"/api/apps/{app_id}/files")).json()),
        (await vendor.get(f"/api/apps/{app_id}/files/index.html")).json()["updated_at"],
        put.json()["updated_at"],
        put.json()["version"]["created_at"],
        *(v["created_at"] for v in (await vendor.get(f"/api/apps/{app_id}/versions")).json()),
    ]
    for stamp in stamps:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert moment.utcoffset() == timedelta(0), stamp
        assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5), stamp

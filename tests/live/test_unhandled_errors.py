"""A bug answers a proper 500 on a real server: the `internal_error` body with the request
id, one log line carrying that id, a count in /metrics by route and status, and a
connection that stays open for the client's next request."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from appwright.ops.structured_logs import JsonFormatter
from appwright.workspace import Workspace


async def http_on(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, token: str
):
    """One request on an open connection; (status, headers, body)."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n"
        "X-Request-Id: req-bug-1\r\n\r\n".encode()
    )
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    status = int(head.split(" ", 2)[1])
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
    body = await reader.readexactly(int(headers["content-length"]))
    return status, {k.lower(): v for k, v in headers.items()}, json.loads(body)


async def test_a_bug_is_answered_logged_once_and_counted(
    live, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    server = await live()
    app_id = await server.app()

    async def broken(self, vendor_id, app_id):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(Workspace, "files", broken)
    caplog.set_level(logging.INFO)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        async with asyncio.timeout(10):
            status, headers, body = await http_on(
                reader, writer, f"/api/apps/{app_id}/files", server.token
            )
            assert status == 500
            assert body == {
                "error": {
                    "code": "internal_error",
                    "message": "Something went wrong on our side (request req-bug-1).",
                }
            }
            assert headers["x-request-id"] == "req-bug-1"
            # The same connection answers the next request.
            status, _, body = await http_on(reader, writer, f"/api/apps/{app_id}", server.token)
            assert status == 200 and body["id"] == app_id
    finally:
        writer.close()

    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert logged[0].exc_info is not None
    assert getattr(logged[0], "route", None) == "/api/apps/{app_id}/files"
    assert json.loads(JsonFormatter().format(logged[0]))["request_id"] == "req-bug-1"
    metrics = (await server.http.get("/metrics")).text
    assert (
        'appwright_http_requests_total{method="GET",route="/api/apps/{app_id}/files",'
        'status="500"} 1.0'
    ) in metrics

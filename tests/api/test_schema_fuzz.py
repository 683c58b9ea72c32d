"""Schemathesis over the whole HTTP API, as documented in /openapi.json, against a real
server: valid and invalid input, with a vendor's token and ids that exist (an app, a
session, a version) or made-up ones. Any 5xx, an undocumented status or a body that does
not match its documented schema fails. The examples per operation are bounded so the run
stays short; `FUZZ_EXAMPLES=500 pytest -s tests/api/test_schema_fuzz.py` runs it at length
and prints what it sent.

Remotes set here can reach nothing: local paths are not allowed, and every host name
resolves (without a lookup) to a documentation address, which the remote policy refuses.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from appwright.api.app import create_app
from appwright.config import Settings
from appwright.git.reach import RemotePolicy
from appwright.runtime import Runtime

ADMIN = "admin-test-token"  # the session database's (tests/conftest.py)


def _zip_of(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# `POST /api/apps/import` takes a zip: real archives (good and hostile names) and noise.
schemathesis.openapi.media_type(
    "application/zip",
    st.one_of(
        st.binary(max_size=200),
        st.dictionaries(
            st.sampled_from(["index.html", "site/a.css", "../x", "/abs", ".git/HEAD", "a\\b"]),
            st.binary(max_size=50),
            max_size=4,
        ).map(_zip_of),
    ),
)
# Per operation; FUZZ_EXAMPLES=500 makes this the long run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def no_lookups(host: str) -> list[str]:
    return ["192.0.2.1"]


@dataclass
class Served:
    base: str
    token: str
    ids: dict[str, str]


class ServerThread:
    """The service on its own event loop in a thread: schemathesis calls it synchronously."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.ready = threading.Event()
        self.served: Served | None = None
        self.failure: BaseException | None = None
        self.server: uvicorn.Server | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to the fixture, which fails the test
            self.failure = error
            self.ready.set()

    async def _serve(self) -> None:
        runtime = Runtime(self.settings)
        await runtime.start()
        runtime.git_outbox.policy = RemotePolicy(resolver=no_lookups)
        try:
            vendor, token = await runtime.workspace.create_vendor("fuzz")
            app = await runtime.workspace.create_app(
                vendor.id, "shop", {"index.html": "<h1>shop</h1>", "css/site.css": "h1{}"}
            )
            session = await runtime.sessions.create_session(vendor.id, app.id)
            version = (await runtime.workspace.versions(vendor.id, app.id))[0]
            ids = {"app_id": app.id, "session_id": session.id, "version_id": version.id}
            self.served = Served(f"http://127.0.0.1:{self.port}", token, ids)
            config = uvicorn.Config(
                create_app(runtime=runtime), host="127.0.0.1", port=self.port, log_config=None
            )
            self.server = uvicorn.Server(config)
            serving = asyncio.create_task(self.server.serve())
            while not self.server.started and not serving.done():
                await asyncio.sleep(0.01)
            self.ready.set()
            await serving
        finally:
            await runtime.stop()

    def __enter__(self) -> Served:
        self.thread.start()
        self.ready.wait(30)
        if self.failure is not None or self.served is None:
            raise RuntimeError("the fuzzed server did not start") from self.failure
        return self.served

    def __exit__(self, *_: Any) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    database_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    settings = Settings(
        _env_file=None,
        data_dir=Path(tmp_path_factory.mktemp("fuzz")),
        database_url=database_url,
        admin_token=ADMIN,
        secret_key="secret-test-key",
        anthropic_api_key=None,
        openai_api_key=None,
        openai_base_url=None,
        anthropic_base_url=None,
        exa_api_key=None,
        git_worker=False,
    )
    with ServerThread(settings) as served:
        yield served


def strategy_for(operation: Any, served: Served) -> Any:
    """Cases for one operation: valid and invalid input, with real ids (and a real file
    path) or made-up ones."""
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in {**served.ids, "path": "index.html"}.items() if k in names}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(mode) for mode in modes]
    if real:
        strategies += [operation.as_strategy(mode, path_parameters=real) for mode in modes]
    return st.one_of(strategies)


def fuzz(operation: Any, served: Served, sent: Counter[str]) -> None:
    """Call one operation with generated cases; raises what schemathesis found."""
    token = ADMIN if operation.path == "/api/vendors" else served.token

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy_for(operation, served))
    def call(case: Any) -> None:
        response = case.call(
            base_url=served.base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        sent["requests"] += 1
        sent[f"{response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=CHECKS)

    call()


def test_the_api_answers_as_documented(served: Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base}/openapi.json")
    sent: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, served, sent)
        except (Exception, BaseExceptionGroup) as error:  # one failure must not hide others
            failures.append(f"{operation.label}: {str(error)[:2000]}")
    print(f"\nschema fuzz: {dict(sent)}, failing operations: {len(failures)}")
    assert sent["requests"] > 0 and sent["5xx"] == 0 and not failures, "\n\n".join(failures)

"""The engine, and the one way to run a unit of work against it.

`Database.run(work)` runs `work(conn)` in one transaction under the file-operation deadline,
and retries it with backoff when the connection failed in a way that a retry can cure (the
server restarting, a dropped socket, SQLite's writer lock). A unit of work must therefore be
safe to run again from the start: it reads what it needs inside the transaction and writes
nothing outside it. Errors of ours (`AppwrightError`) and integrity errors are not retried.

SQLite allows one writer at a time. Inside one process, writes queue on an asyncio lock
(so they wait their turn instead of failing with "database is locked"); across processes,
WAL mode and a busy timeout do the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from appwright.backoff import Backoff
from appwright.errors import AppwrightError, Unavailable

T = TypeVar("T")
log = logging.getLogger(__name__)

_TRANSIENT_NAMES = (
    "CannotConnectNowError",
    "AdminShutdownError",
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "InterfaceError",
    "ConnectionResetError",
    "ConnectionRefusedError",
    "TooManyConnectionsError",
)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, sa.exc.IntegrityError):
        return False
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        return True
    if isinstance(error, (ConnectionError, OSError)):
        return True
    seen: BaseException | None = error
    while seen is not None:
        if type(seen).__name__ in _TRANSIENT_NAMES or "database is locked" in str(seen):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
        if seen is error:
            break
    return False


class Database:
    def __init__(
        self,
        url: str,
        *,
        op_timeout: float,
        attempts: int = 6,
        backoff_base: float = 0.2,
        backoff_cap: float = 3.0,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.op_timeout = op_timeout
        self.attempts = attempts
        self.backoff = Backoff(backoff_base, backoff_cap)
        self.engine = _make_engine(url)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    async def run(
        self, work: Callable[[AsyncConnection], Awaitable[T]], *, write: bool = True
    ) -> T:
        last: BaseException | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._once(work, write=write)
            except AppwrightError:
                raise
            except TimeoutError as error:
                last = error
                log.warning("store call timed out", extra={"attempt": attempt})
            except Exception as error:
                if not is_transient(error):
                    raise
                last = error
                log.warning(
                    "store call failed, retrying",
                    extra={
                        "attempt": attempt,
                        "error_type": type(error).__name__,
                        "error": str(error)[:200],
                    },
                )
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff.delay(attempt))
        code = "store_timeout" if isinstance(last, TimeoutError) else "store_unavailable"
        raise Unavailable("The database did not answer in time; nothing was changed.", code=code)

    async def read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        return await self.run(work, write=False)

    async def _once(self, work: Callable[[AsyncConnection], Awaitable[T]], *, write: bool) -> T:
        async with asyncio.timeout(self.op_timeout), AsyncExitStack() as stack:
            if write and self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            conn = await stack.enter_async_context(self.engine.begin())
            return await work(conn)

    async def answers(self) -> bool:
        """Whether the database answers a trivial query (retries included), for health checks."""
        try:
            await self.read(lambda conn: conn.execute(sa.text("SELECT 1")))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def _make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_recycle=1800
    )

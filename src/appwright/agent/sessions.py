"""Sessions as a service: create, list and read them (with their model usage), read their
log, and submit a message, which starts a run (`runs.py` schedules it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from appwright import text as text_rule
from appwright.agent.prompt import files_note
from appwright.agent.runs import Runs
from appwright.errors import InvalidInput
from appwright.events.types import RunStarted
from appwright.journal.journal import Transaction
from appwright.log_names import session_log
from appwright.models.types import Message, TextPart
from appwright.store import apps as app_store
from appwright.store import leases, session_search
from appwright.store import sessions as session_store
from appwright.store import usage as usage_store
from appwright.workspace import Workspace

MAX_MESSAGE_CHARS = 20_000


class Sessions:
    def __init__(self, workspace: Workspace, runs: Runs) -> None:
        self.db = workspace.db
        self.journal = workspace.journal
        self.runs = runs

    async def create_session(self, vendor_id: str, app_id: str) -> session_store.SessionRecord:
        async def work(conn: Any) -> session_store.SessionRecord:
            await app_store.get_app(conn, app_id, vendor_id)
            return await session_store.create_session(conn, app_id, vendor_id)

        return await self.db.run(work)

    async def session(self, vendor_id: str | None, session_id: str) -> session_store.SessionRecord:
        return await self.db.read(
            lambda conn: session_store.get_session(conn, session_id, vendor_id)
        )

    async def sessions(
        self, vendor_id: str, app_id: str, query: str | None = None
    ) -> list[session_store.SessionRecord]:
        """The app's sessions, newest first; with `query`, only those whose messages or
        answers hold every word of it."""
        words = session_search.query_words(query or "")

        async def work(conn: Any) -> list[session_store.SessionRecord]:
            await app_store.get_app(conn, app_id, vendor_id)
            records = await session_store.list_sessions(conn, app_id)
            if not words:
                return records
            found = await session_search.sessions_mentioning(conn, [s.id for s in records], words)
            return [s for s in records if s.id in found]

        return await self.db.read(work)

    async def session_events(
        self, vendor_id: str | None, session_id: str, after: int
    ) -> list[dict[str, Any]]:
        return await self.journal.read(
            session_log(session_id),
            after,
            check=lambda conn: session_store.get_session(conn, session_id, vendor_id),
        )

    async def submit(
        self, vendor_id: str, session_id: str, text: Any, client_msg_id: str | None = None
    ) -> tuple[str, bool]:
        """Start a run for `text`; (run_id, created). A repeated `client_msg_id` returns the
        run it started the first time and starts nothing."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("The message is empty.", code="message_empty")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InvalidInput(
                f"Messages are limited to {MAX_MESSAGE_CHARS} characters.", code="message_too_long"
            )
        text_rule.check(text, "The message")
        # An empty id is refused rather than taken as "no id": it would look like one to
        # the store, and a second message with it would be neither new nor a repeat.
        if client_msg_id is not None and (
            not isinstance(client_msg_id, str)
            or not 1 <= len(client_msg_id) <= 100
            or text_rule.find(client_msg_id) is not None
        ):
            raise InvalidInput(
                "client_msg_id must be a non-empty string of at most 100 characters.",
                code="invalid_client_msg_id",
            )
        log_name = session_log(session_id)

        async def work(
            tx: Transaction,
        ) -> tuple[session_store.RunRecord, session_store.SessionRecord, bool]:
            conn = tx.conn
            session = await session_store.get_session(conn, session_id, vendor_id, lock=True)
            if client_msg_id:
                existing = await session_store.run_by_client_msg_id(conn, session_id, client_msg_id)
                if existing is not None:
                    return existing, session, False
            run = await session_store.insert_run(
                conn, session_id, text, client_msg_id, self.runs.instance
            )
            await session_store.update_run(conn, run.id, lease_until=self.runs.lease_deadline())
            names = [f.path for f in await app_store.list_files(conn, session.app_id)]
            message = Message(
                role="user", parts=(TextPart(text), TextPart(files_note(names), note=True))
            )
            await session_store.append_messages(conn, session_id, run.id, [message])
            await tx.append(
                log_name, [RunStarted(text=text, client_msg_id=client_msg_id, run_id=run.id)]
            )
            return run, session, True

        try:
            run, session, created = await self.journal.commit(work)
        except sa.exc.IntegrityError:
            # The same client_msg_id, inserted by another process at the same moment.
            existing = await self._run_for_resent(session_id, client_msg_id)
            if existing is None:
                raise
            return existing, False
        if not created:
            return run.id, False
        self.runs.launch(run, session, leases.Lease(run.id, self.runs.instance, run.takeovers))
        return run.id, True

    async def _run_for_resent(self, session_id: str, client_msg_id: str | None) -> str | None:
        if not client_msg_id:
            return None
        run = await self.db.read(
            lambda conn: session_store.run_by_client_msg_id(conn, session_id, client_msg_id)
        )
        return None if run is None else run.id

    async def usage_by_session(self, vendor_id: str, app_id: str) -> dict[str, usage_store.Totals]:
        """Every model call of each of the app's sessions that made any, by session id."""

        async def work(conn: Any) -> dict[str, usage_store.Totals]:
            await app_store.get_app(conn, app_id, vendor_id)
            return await usage_store.app_session_totals(conn, app_id)

        return await self.db.read(work)

    async def usage(
        self, vendor_id: str, session_id: str
    ) -> tuple[usage_store.Totals, tuple[int, int] | None]:
        """The session's usage so far, and its latest request's measured size, if any."""

        async def work(conn: Any) -> tuple[usage_store.Totals, tuple[int, int] | None]:
            await session_store.get_session(conn, session_id, vendor_id)
            totals = await usage_store.session_totals(conn, session_id)
            return totals, await usage_store.latest_measure(conn, session_id)

        return await self.db.read(work)

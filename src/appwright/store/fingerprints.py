"""Fingerprints of the secrets every process must share, recorded by the first process to
start on a database and compared by every later one (`ops/shared_secrets.py`)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.store.ids import now
from appwright.store.schema import secret_fingerprints


async def compare_or_record(conn: AsyncConnection, fingerprints: Mapping[str, str]) -> list[str]:
    """Record each fingerprint not recorded yet; the settings whose recorded fingerprint
    differs from the given one. Two processes starting at once: one records, the other
    compares with it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for setting, fingerprint in fingerprints.items():
        await conn.execute(
            dialect.insert(secret_fingerprints)
            .values(setting=setting, fingerprint=fingerprint, created_at=now())
            .on_conflict_do_nothing(index_elements=["setting"])
        )
    recorded = dict(
        (
            await conn.execute(
                sa.select(secret_fingerprints.c.setting, secret_fingerprints.c.fingerprint)
            )
        ).all()
    )
    return [s for s, f in fingerprints.items() if recorded.get(s) != f]


async def forget(conn: AsyncConnection) -> int:
    """Drop every fingerprint: the next process to start records its own."""
    return int((await conn.execute(sa.delete(secret_fingerprints))).rowcount or 0)

"""Vendors and their API tokens (only a hash of each token is kept)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from appwright.store.ids import hash_token, new_id, new_token, now
from appwright.store.schema import vendors


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str


async def create_vendor(
    conn: AsyncConnection, name: str, token: str | None = None
) -> tuple[Vendor, str]:
    """The new vendor and its token; the token is shown once and never stored. `token` is
    given only for the local vendor, whose token derives from the secret key."""
    vendor = Vendor(id=new_id("vnd"), name=name)
    token = token or new_token()
    await conn.execute(
        sa.insert(vendors).values(
            id=vendor.id, name=name, token_hash=hash_token(token), created_at=now()
        )
    )
    return vendor, token


async def vendor_by_token(conn: AsyncConnection, token: str) -> Vendor | None:
    row = (
        await conn.execute(
            sa.select(vendors.c.id, vendors.c.name).where(vendors.c.token_hash == hash_token(token))
        )
    ).first()
    return Vendor(id=row.id, name=row.name) if row else None

"""Records as the HTTP API shows them. The store's records are facts; their HTTP shapes are
decided here, by the API layer, so a change to one is a change to the API and reads as one.
(Apps, files, versions and remotes still carry `to_json` of their own: see README, Layout.)"""

from __future__ import annotations

from typing import Any

from appwright.store.sessions import SessionRecord


def session_json(session: SessionRecord) -> dict[str, Any]:
    return {
        "id": session.id,
        "app_id": session.app_id,
        "created_at": session.created_at.isoformat(),
    }

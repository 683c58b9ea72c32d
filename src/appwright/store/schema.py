"""The tables. Migrations in `store/migrations` are generated from this metadata."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A moment, stored in UTC and always read back with its zone. PostgreSQL keeps the zone;
    SQLite drops it, and a zone-less time in a response reads as local time in a browser."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and not value.tzinfo else value


Timestamp = UtcDateTime()

vendors = sa.Table(
    "vendors",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

apps = sa.Table(
    "apps",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("vendor_id", sa.ForeignKey("vendors.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # The newest version; bumped under the row lock that serialises an app's writes.
    sa.Column("head_version", sa.Integer, nullable=False, default=0),
    sa.Column("total_bytes", sa.Integer, nullable=False, default=0),
    # Version ids an undo or a redo would act on next (JSON lists, last = top).
    sa.Column("undo_stack", sa.JSON, nullable=False),
    sa.Column("redo_stack", sa.JSON, nullable=False),
    # Set when the vendor deleted the app: it answers 404 everywhere, can be restored for a
    # while (`app_restore_seconds`), and is purged after.
    sa.Column("deleted_at", Timestamp, nullable=True),
)

files = sa.Table(
    "files",
    metadata,
    sa.Column("app_id", sa.ForeignKey("apps.id"), primary_key=True),
    sa.Column("path", sa.String(1024), primary_key=True),
    # A text file's content, or "" for a binary file, whose bytes are in `data`.
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=True),
    sa.Column("content_type", sa.String(200), nullable=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("version_id", sa.String(40), nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("parent_id", sa.String(40), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    # For undo/redo/revert: the version whose changes this one takes back or re-applies.
    sa.Column("target_id", sa.String(40), nullable=True),
    sa.Column("paths", sa.JSON, nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("author_vendor_id", sa.String(40), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("commit_state", sa.String(16), nullable=False),
    sa.Column("commit_sha", sa.String(64), nullable=True),
    sa.Column("commit_error", sa.JSON, nullable=True),
    # When the vendor accepted the version in review (a fact about it, kept across reloads).
    sa.Column("accepted_at", Timestamp, nullable=True),
    # The commit's author, time and message as written ({author, time, message}): with the
    # version's files and its parent they make `commit_sha`, so any process can write the
    # same commit again (git/history.py).
    sa.Column("commit_meta", sa.JSON, nullable=True),
    sa.UniqueConstraint("app_id", "number", name="uq_versions_app_number"),
)

# One row per path a version changed: the content before and after (NULL = absent), so a
# version can be undone, redone, diffed and committed without replaying history. A binary
# side is in `before_data` / `after_data` (its text column then NULL).
version_changes = sa.Table(
    "version_changes",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("path", sa.String(1024), primary_key=True),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    sa.Column("before_data", sa.LargeBinary, nullable=True),
    sa.Column("after_data", sa.LargeBinary, nullable=True),
)

# Append-only logs. `log` is "app:<id>" or "session:<id>"; `logs.last_seq` is bumped under
# its row lock, which is what keeps `seq` contiguous with several writers and processes.
logs = sa.Table(
    "logs",
    metadata,
    sa.Column("log", sa.String(64), primary_key=True),
    sa.Column("last_seq", sa.Integer, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("log", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("body", sa.JSON, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("app_id", sa.ForeignKey("apps.id"), nullable=False, index=True),
    sa.Column("vendor_id", sa.String(40), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("title", sa.String(200), nullable=False, default=""),
)

# The conversation, durable after every turn: a resumed run continues from here.
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("client_msg_id", sa.String(100), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("turns", sa.Integer, nullable=False, default=0),
    sa.Column("edited_paths", sa.JSON, nullable=False),
    sa.Column("error", sa.JSON, nullable=True),
    # The process running it, and until when its claim holds without a heartbeat.
    sa.Column("owner", sa.String(64), nullable=True),
    sa.Column("lease_until", Timestamp, nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    # How often another process took the run over after its owner died; with `owner`, the
    # lease that fences the run's writes (store/leases.py).
    sa.Column("takeovers", sa.Integer, nullable=False, default=0),
    # A turn whose edits are applied but which is not saved yet (agent/open_turn.py).
    sa.Column("open_turn", sa.JSON, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.UniqueConstraint("session_id", "client_msg_id", name="uq_runs_session_client_msg"),
)

# Every answered model call: what it cost, why it ended, and (for a turn's request) how many
# of the conversation's messages it carried, so the next request's length can be counted from
# the provider's own count. Condensing the conversation clears `context_messages`.
model_calls = sa.Table(
    "model_calls",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("input_tokens", sa.Integer, nullable=False),
    sa.Column("output_tokens", sa.Integer, nullable=False),
    sa.Column("cache_read_tokens", sa.Integer, nullable=False),
    sa.Column("cache_write_tokens", sa.Integer, nullable=False),
    sa.Column("cost_usd", sa.Float, nullable=True),
    sa.Column("stop_reason", sa.String(40), nullable=False),
    sa.Column("context_messages", sa.Integer, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

remotes = sa.Table(
    "remotes",
    metadata,
    sa.Column("app_id", sa.ForeignKey("apps.id"), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("token", sa.Text, nullable=True),
    sa.Column("branch", sa.String(200), nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

# The commit-and-push intent, written in the same transaction as its version.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("app_id", sa.String(40), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", Timestamp, nullable=False),
)

# Which process drains an app's outbox: at most one at a time across every process sharing
# the database (store/drain_leases.py). `epoch` grows with each new holder and fences the
# writes of an earlier one that has not noticed it lost the lease.
drain_leases = sa.Table(
    "drain_leases",
    metadata,
    sa.Column("app_id", sa.String(40), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=True),
    sa.Column("epoch", sa.Integer, nullable=False, default=0),
    sa.Column("lease_until", Timestamp, nullable=True),
)

# A keyed fingerprint of each secret every process must share (config/secrets check), so a
# process started with another value refuses to start instead of minting links and sealing
# tokens the others cannot read.
secret_fingerprints = sa.Table(
    "secret_fingerprints",
    metadata,
    sa.Column("setting", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

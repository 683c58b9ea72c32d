"""Alembic environment: migrations run on the connection `store.migrate` hands over."""

from alembic import context

from appwright.store.schema import UtcDateTime, metadata


def _render_item(kind, obj, _context):  # type: ignore[no-untyped-def]
    """Migrations spell our column types in plain SQLAlchemy, so they import nothing of ours."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()

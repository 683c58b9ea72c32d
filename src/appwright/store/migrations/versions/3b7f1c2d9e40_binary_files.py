"""binary files: a file's bytes and content type, and binary sides of a version's changes

Revision ID: 3b7f1c2d9e40
Revises: 5c1e0a7d2f93
Create Date: 2026-12-02 02:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "3b7f1c2d9e40"
down_revision = "5c1e0a7d2f93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("content_type", sa.String(length=200), nullable=True))
    with op.batch_alter_table("version_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("before_data", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("after_data", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("version_changes", schema=None) as batch_op:
        batch_op.drop_column("after_data")
        batch_op.drop_column("before_data")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("content_type")
        batch_op.drop_column("data")

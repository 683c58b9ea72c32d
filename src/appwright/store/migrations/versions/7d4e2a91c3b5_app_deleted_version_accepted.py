"""apps.deleted_at (restorable delete) and versions.accepted_at (accepted in review)

Revision ID: 7d4e2a91c3b5
Revises: 3b7f1c2d9e40
Create Date: 2026-12-02 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "7d4e2a91c3b5"
down_revision = "3b7f1c2d9e40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("apps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
    with op.batch_alter_table("apps", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

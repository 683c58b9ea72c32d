"""runs.open_turn: a turn whose edits are applied but which is not saved yet

Revision ID: 5c1e0a7d2f93
Revises: 08d50c6f7d3a
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5c1e0a7d2f93"
down_revision = "08d50c6f7d3a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_turn", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("open_turn")

"""versions.commit_meta, drain_leases, secret_fingerprints: processes on many machines

Revision ID: 9e4f1b2c7a60
Revises: 7d4e2a91c3b5
Create Date: 2026-12-02 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "9e4f1b2c7a60"
down_revision = "7d4e2a91c3b5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commit_meta", sa.JSON(), nullable=True))
    op.create_table(
        "drain_leases",
        sa.Column("app_id", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_drain_leases")),
    )
    op.create_table(
        "secret_fingerprints",
        sa.Column("setting", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("setting", name=op.f("pk_secret_fingerprints")),
    )


def downgrade() -> None:
    op.drop_table("secret_fingerprints")
    op.drop_table("drain_leases")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_column("commit_meta")

"""Acknowledgement delivery over the partner's channel

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.database.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch:
        # "ApplicationResponse" does not fit the first schema's 16 characters.
        batch.alter_column("type", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False)
        batch.add_column(sa.Column("filename", sa.String(255), nullable=True))
        batch.add_column(sa.Column("delivery_state", sa.String(16), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_column("delivered_at")
        batch.drop_column("delivery_state")
        batch.drop_column("filename")
        batch.alter_column("type", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False)

"""ERP outbox: one delivery row per document and channel, and the standing of webhook endpoints

Revision ID: 0007
Revises: 0005 (the newest revision when this one was written; the chain is kept linear)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.database.models import UTCDateTime

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.String(36),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=True),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("offered_until", UTCDateTime(), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.UniqueConstraint("document_id", "channel", name="uq_erp_deliveries_document_channel"),
        # Ids must never be reused: they are the pull cursor and the delivery order.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_erp_deliveries_channel_state", "erp_deliveries", ["channel", "state", "id"])
    op.create_index("ix_erp_deliveries_channel_partner", "erp_deliveries", ["channel", "partner_id", "id"])
    op.create_table(
        "erp_endpoints",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("erp_endpoints")
    op.drop_index("ix_erp_deliveries_channel_partner", table_name="erp_deliveries")
    op.drop_index("ix_erp_deliveries_channel_state", table_name="erp_deliveries")
    op.drop_table("erp_deliveries")

"""AS2: duplicate claims and stored MDNs of received messages, state of the messages we send

Revision ID: 0005
Revises: 0006

Chained after 0006 (the dashboard migration, which revises 0003) so that the history keeps a single
head while the SFTP migration 0004 is not yet written; 0007 (ERP outbox) revises this one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.database.models import UTCDateTime

revision = "0005"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "as2_inbound",
        sa.Column("as2_from", sa.String(128), primary_key=True),
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("partner_id", sa.String(64), nullable=True, index=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("transmission_id", sa.String(36), sa.ForeignKey("transmissions.id"), nullable=True),
        sa.Column("request_sha256", sa.String(64), nullable=True),
        sa.Column("disposition", sa.String(255), nullable=True),
        sa.Column("mic", sa.String(160), nullable=True),
        sa.Column("mdn_mode", sa.String(8), nullable=True),
        sa.Column("mdn_url", sa.Text(), nullable=True),
        sa.Column("mdn_sha256", sa.String(64), nullable=True),
        sa.Column("mdn_headers", sa.JSON(), nullable=False),
        sa.Column("mdn_acknowledgement_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "as2_outbound",
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("acknowledgement_id", sa.String(36), nullable=False, unique=True),
        sa.Column("partner_id", sa.String(64), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("mic", sa.String(160), nullable=True),
        sa.Column("mic_algorithm", sa.String(16), nullable=True),
        sa.Column("mdn_mode", sa.String(8), nullable=False),
        sa.Column("mdn_signed", sa.Boolean(), nullable=False),
        sa.Column("mdn_deadline", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("mdn_sha256", sa.String(64), nullable=True),
        sa.Column("disposition", sa.String(255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("as2_outbound")
    op.drop_table("as2_inbound")

"""Operator dashboard: sign-in lockout columns and an index for every message-search filter

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.database.models import UTCDateTime

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, index name, columns): kept in step with the ``Index`` entries of gateway/database/models.py.
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("transmissions", "ix_transmissions_direction", ("direction",)),
    ("transmissions", "ix_transmissions_syntax", ("syntax",)),
    ("transmissions", "ix_transmissions_message_type", ("message_type",)),
    ("transmissions", "ix_transmissions_partner_received", ("partner_id", "received_at")),
    ("transmissions", "ix_transmissions_status_received", ("status", "received_at")),
    ("messages", "ix_messages_reference", ("reference",)),
    ("messages", "ix_messages_group_reference", ("group_reference",)),
    ("documents", "ix_documents_document_type", ("document_type",)),
    ("acknowledgements", "ix_acknowledgements_delivery_state", ("delivery_state", "created_at")),
    ("acknowledgements", "ix_acknowledgements_status", ("status", "created_at")),
    ("work_items", "ix_work_items_subject", ("kind", "subject_id")),
    ("audit_events", "ix_audit_events_actor", ("actor",)),
    ("audit_events", "ix_audit_events_action", ("action",)),
)


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("last_login_at", UTCDateTime(), nullable=True))
    for table, name, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("last_login_at")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")

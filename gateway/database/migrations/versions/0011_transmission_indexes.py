"""Two indexes of transmissions that others already cover: status, and partner_id

Revision ID: 0011
Revises: 0010

(status, received_at) answers whatever (status) did, and (partner_id, received_at) and the
unique (partner_id, idempotency_key) whatever (partner_id) did. Each index is written at every
insert and at every change of its column: a transmission's status changes three times
(received, processing, processed), each time in both status indexes, and on SQLite every index
page a transaction touches is one more page in its log.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transmissions") as batch_op:
        batch_op.drop_index("ix_transmissions_status")
        batch_op.drop_index("ix_transmissions_partner_id")


def downgrade() -> None:
    with op.batch_alter_table("transmissions") as batch_op:
        batch_op.create_index("ix_transmissions_partner_id", ["partner_id"], unique=False)
        batch_op.create_index("ix_transmissions_status", ["status"], unique=False)

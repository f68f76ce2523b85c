"""Claim index in id order: a claim reads due items by state and id, never the whole history

Revision ID: 0010
Revises: 0009

The claim takes the oldest due items first (``ORDER BY id``). With the index on (state,
available_at), SQLite sorted every queued item on each claim, and the claim for more items of one
kind went by the (kind, subject_id) index, through every item of that kind ever queued, finished
ones included: a claim got slower with each message the node had processed. On (state, id) each
state's items are read in id order and the claim stops after the first due ones.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch_op:
        batch_op.drop_index("ix_work_items_claim")
        batch_op.create_index("ix_work_items_claim", ["state", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch_op:
        batch_op.drop_index("ix_work_items_claim")
        batch_op.create_index("ix_work_items_claim", ["state", "available_at"], unique=False)

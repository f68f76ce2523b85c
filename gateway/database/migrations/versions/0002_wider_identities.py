"""Wider identity columns for X12 and XML senders

XML identity schemes (cXML "NetworkID") and XML duplicate keys ("DespatchAdvice:<number>") do not
fit the EDIFACT-sized columns of the first schema.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CHANGES = (
    ("interchanges", "sender_qualifier", 8, 32),
    ("interchanges", "recipient_qualifier", 8, 32),
    ("interchanges", "control_reference", 35, 128),
    ("interchange_keys", "sender_qualifier", 8, 32),
    ("interchange_keys", "control_reference", 35, 128),
)


def _alter(widen: bool) -> None:
    for table in ("interchanges", "interchange_keys"):
        with op.batch_alter_table(table) as batch:
            for name, column, narrow, wide in _CHANGES:
                if name == table:
                    old, new = (narrow, wide) if widen else (wide, narrow)
                    batch.alter_column(
                        column, existing_type=sa.String(old), type_=sa.String(new), existing_nullable=False
                    )


def upgrade() -> None:
    _alter(widen=True)


def downgrade() -> None:
    _alter(widen=False)

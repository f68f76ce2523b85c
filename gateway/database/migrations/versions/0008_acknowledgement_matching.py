"""Partners' acknowledgements point at the outbound transmission they answer

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch:
        batch.add_column(sa.Column("answers_transmission_id", sa.String(36), nullable=True))
        batch.create_foreign_key(
            "fk_acknowledgements_answers_transmission", "transmissions", ["answers_transmission_id"], ["id"]
        )
        batch.create_index("ix_acknowledgements_answers_transmission_id", ["answers_transmission_id"])


def downgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch:
        batch.drop_index("ix_acknowledgements_answers_transmission_id")
        batch.drop_constraint("fk_acknowledgements_answers_transmission", type_="foreignkey")
        batch.drop_column("answers_transmission_id")

"""A new row written with one plain INSERT instead of through the ORM's unit of work.

The pipeline writes half a dozen rows per message; profiling put the ORM's flush of them at about
half of a worker's time. The mapped class still describes the row (one place for its columns and
defaults), but the object stays transient: it is never added to the session, and nothing about it
is flushed or tracked afterwards. Changes to such a row are plain UPDATEs too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert_row(session: Session, row: Any, *, generated_id: bool = False) -> None:
    """INSERT ``row`` (an instance of a mapped class) in the session's transaction. Unset columns
    take their defaults; with ``generated_id`` the database's new id is set on ``row.id``."""
    table = row.__table__
    values = {c.key: v for c in table.columns if (v := getattr(row, c.key)) is not None}
    connection = session.connection()
    if generated_id:
        row.id = connection.execute(table.insert().returning(table.c.id), values).scalar_one()
    else:
        connection.execute(table.insert(), values)

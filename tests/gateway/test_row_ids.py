"""Row ids are UUIDs of version 7: ordered by the time they were made, unique, not guessable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from gateway.database.row_ids import new_row_id


def test_a_row_id_is_a_version_7_uuid_carrying_the_millisecond_it_was_made():
    before = datetime.now(UTC)
    made = uuid.UUID(new_row_id())
    after = datetime.now(UTC)
    assert made.version == 7 and made.variant == uuid.RFC_4122
    milliseconds = made.int >> 80
    assert int(before.timestamp() * 1000) <= milliseconds <= int(after.timestamp() * 1000) + 1


def test_row_ids_made_later_sort_later_and_never_repeat():
    batches = []
    for _ in range(3):
        first = new_row_id()
        while uuid.UUID(new_row_id()).int >> 80 == uuid.UUID(first).int >> 80:
            pass  # the next millisecond
        batches.append(first)
    assert batches == sorted(batches)
    many = [new_row_id() for _ in range(20_000)]
    assert len(set(many)) == len(many)
    assert all(str(uuid.UUID(made)) == made for made in many[:100])  # canonical text, as before

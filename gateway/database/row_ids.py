"""Row identifiers that sort by creation time (UUID version 7, RFC 9562).

Random (version 4) identifiers land each new row's key in a random page of every index that holds
it: the primary key's, and the ``transmission_id`` and ``subject_id`` indexes of the rows that
refer to it. A transaction of a few messages then dirties dozens of separate pages, each one a
frame of SQLite's write-ahead log and a random write for PostgreSQL. Time-ordered identifiers keep
new keys together at the right edge of each index, where one page takes a whole batch. They stay
unique (74 random bits per millisecond) and are still UUIDs to everything that reads them.
"""

from __future__ import annotations

import os
import time
import uuid

_RANDOM_BITS = 74
_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62


def new_row_id() -> str:
    """A new UUID version 7 as text: 48 bits of Unix milliseconds, then version, variant and
    randomness."""
    milliseconds = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10)) >> (80 - _RANDOM_BITS)
    high, low = random >> 62, random & ((1 << 62) - 1)
    return str(uuid.UUID(int=(milliseconds << 80) | _VERSION_7 | (high << 64) | _VARIANT_RFC | low))

"""Record ids that sort by the moment they were made (UUID version 7, RFC 9562 s.5.7).

A flag's id was random (version 4): the 55,000 flags a large sweep raises then landed on as
many scattered pages of the flags' primary key, each rewritten in SQLite's log and copied back
by its checkpoints (a third of a 10,000-detention sweep's database time over 1,000,000
detentions). Ids that start with the time of the sweep go in at the end of the index
instead. The time they carry is the flag's raised_at, shown beside it anyway.
"""
import secrets
import uuid
from datetime import datetime


def time_ordered_id(now: datetime) -> uuid.UUID:
    """A version 7 UUID: the milliseconds of `now` (aware), then 74 random bits."""
    millis = int(now.timestamp() * 1000) & ((1 << 48) - 1)
    random = secrets.randbits(74)
    value = (millis << 80) | (0x7 << 76) | ((random >> 62) << 64) | (0b10 << 62) | (random & ((1 << 62) - 1))
    return uuid.UUID(int=value)

"""Time-ordered ids: version 7 UUIDs that sort by the moment given, and never repeat."""
from datetime import datetime, timedelta, timezone

from monitor.domain.ids import time_ordered_id

T = datetime(2026, 12, 7, 20, 30, 15, 123456, tzinfo=timezone.utc)


def test_a_version_7_uuid_carrying_the_millisecond_given():
    made = time_ordered_id(T)
    assert made.version == 7 and made.variant == "specified in RFC 4122"
    assert made.int >> 80 == int(T.timestamp() * 1000)


def test_ids_sort_by_time_and_are_unique_within_a_millisecond():
    earlier = [time_ordered_id(T) for _ in range(2000)]
    later = [time_ordered_id(T + timedelta(milliseconds=1)) for _ in range(2000)]
    assert len(set(earlier + later)) == 4000
    assert max(earlier) < min(later) and max(e.hex for e in earlier) < min(x.hex for x in later)

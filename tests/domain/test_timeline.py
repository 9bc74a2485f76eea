"""The type index of a detention's events answers as a pass over every event would."""
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.evaluator import Event
from monitor.domain.timeline import Timeline, of_types

T0 = datetime(2026, 3, 14, tzinfo=timezone.utc)
TYPES = ["arrest", "lawyer_access", "transfer", "release", "rights_notified"]
events = st.lists(st.tuples(st.sampled_from(TYPES), st.integers(0, 50)), max_size=30).map(
    lambda drawn: sorted((Event(kind, T0 + timedelta(hours=h), {}, f"e{i}") for i, (kind, h) in enumerate(drawn)),
                         key=lambda e: (e.occurred_at, e.id)))


@given(events, st.frozensets(st.sampled_from(TYPES + ["unknown"])), st.integers(0, 50))
def test_the_index_gives_the_events_of_each_type_and_each_prefix_in_order(ordered, types, hour):
    timeline = Timeline(ordered)
    assert list(timeline) == ordered and len(timeline) == len(ordered)
    expected = [e for e in ordered if e.type in types]
    assert list(timeline.of_types(types)) == expected == list(of_types(ordered, types))
    assert timeline.of_types(types) is timeline.of_types(types)  # kept once computed
    moment = T0 + timedelta(hours=hour)
    prefix = timeline.until(moment)
    assert list(prefix) == [e for e in ordered if e.occurred_at <= moment]
    assert list(prefix.of_types(types)) == [e for e in expected if e.occurred_at <= moment]

"""Property tests of the parsers and validators every request goes through: whatever text or
JSON value arrives, they either return a well-formed value or refuse it cleanly."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from monitor.exceptions import Invalid
from monitor.pagination import SEQ_MAX, decode_cursor, encode_cursor, parse_seq
from monitor.services.flags.feed import decode_position, encode_position
from schemas.fields import StrictBoolean, StrictFloat, StrictInteger, StrictUUID, format_timestamp, parse_timestamp

FAST = settings(max_examples=300, deadline=None)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(9997, 12, 31),
                       timezones=offsets)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@FAST
@given(moments)
def test_a_timestamp_with_an_offset_round_trips_to_the_same_instant(moment):
    parsed = parse_timestamp(moment.isoformat())
    assert parsed == moment and parsed.tzinfo == timezone.utc
    assert parse_timestamp(format_timestamp(parsed)) == parsed


@FAST
@given(moments)
def test_a_timestamp_without_an_offset_is_always_refused(moment):
    with pytest.raises(ValidationError, match="offset"):
        parse_timestamp(moment.replace(tzinfo=None).isoformat())


@FAST
@given(st.one_of(st.text(), json_values))
def test_any_input_is_a_utc_timestamp_or_a_validation_error(value):
    try:
        parsed = parse_timestamp(value)
    except ValidationError:
        return
    assert parsed.tzinfo == timezone.utc


@FAST
@given(st.text())
def test_any_list_cursor_decodes_or_is_a_422(text):
    try:
        moment, row_id = decode_cursor(text)
    except Invalid as exc:
        assert exc.errors == {"cursor": ["Not a valid cursor."]}
        return
    assert moment.tzinfo is not None and isinstance(row_id, uuid.UUID)


@FAST
@given(moments, st.uuids())
def test_a_list_cursor_round_trips(moment, row_id):
    assert decode_cursor(encode_cursor(moment, row_id)) == (moment, row_id)


@FAST
@given(st.text())
def test_any_feed_cursor_is_a_64_bit_position_or_a_422(text):
    try:
        position = decode_position(text)
    except Invalid as exc:
        assert list(exc.errors) == ["since"]
        return
    assert 0 <= position <= SEQ_MAX


@FAST
@given(st.integers(0, SEQ_MAX))
def test_a_feed_position_round_trips(position):
    assert decode_position(encode_position(position)) == position
    assert parse_seq(str(position)) == position


@FAST
@given(json_values)
def test_strict_booleans_and_integers_take_only_their_own_json_type(value):
    is_bool = value is True or value is False
    is_int = isinstance(value, int) and not is_bool
    for field, accepted in ((StrictBoolean(), is_bool), (StrictInteger(), is_int)):
        try:
            loaded = field.deserialize(value)
        except ValidationError:
            assert not accepted
            continue
        assert accepted and loaded == value


@FAST
@given(json_values)
def test_strict_numbers_and_ids_never_take_another_json_type(value):
    try:
        StrictFloat().deserialize(value)
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    except ValidationError:
        pass
    try:
        loaded = StrictUUID().deserialize(value)
        assert isinstance(value, str) and isinstance(loaded, uuid.UUID)
    except ValidationError:
        pass

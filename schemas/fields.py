"""Custom fields: strict JSON scalars, RFC 3339 timestamps, ISO countries, IANA time zones."""
import re
import uuid as uuid_mod
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import available_timezones

import pycountry
from marshmallow import ValidationError, fields

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$")


def parse_timestamp(value):
    """Parse an RFC 3339 timestamp with an offset into aware UTC, or raise ValidationError."""
    if not isinstance(value, str):
        raise ValidationError("Not a valid RFC 3339 timestamp.")
    match = _RFC3339.match(value.strip())
    if not match:
        raise ValidationError("Not a valid RFC 3339 timestamp (e.g. 2026-03-01T08:15:00-06:00).")
    if not match.group(8):
        raise ValidationError("Timestamp must carry a UTC offset (Z or ±hh:mm).")
    text = value.strip().replace("t", "T").replace(" ", "T").replace("z", "Z")
    fraction = match.group(7) or ""
    if len(fraction) > 7:  # Python keeps microseconds only
        text = text.replace(fraction, fraction[:7])
    try:
        parsed = datetime.fromisoformat(text)
        result = parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValidationError("Not a valid date and time.") from exc
    if not 1900 <= result.year <= 9998:
        raise ValidationError("Timestamp out of range.")
    return result


def format_timestamp(value):
    """Render an aware datetime as UTC with Z."""
    value = value.astimezone(timezone.utc)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class Timestamp(fields.DateTime):
    """RFC 3339 with a mandatory offset in; UTC with Z out."""

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_timestamp(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_timestamp(value)


class StrictBoolean(fields.Boolean):
    """A body boolean: only JSON true or false (no "yes", "false", 0 or 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class StrictInteger(fields.Integer):
    """A body integer: only a JSON integer (no "17", 17.5, 17.0 or true)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.make_error("invalid", input=value)


class StrictFloat(fields.Float):
    """A body number: a JSON number, never a string or a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return super()._deserialize(value, attr, data, **kwargs)
        raise self.make_error("invalid", input=value)


class StrictUUID(fields.UUID):
    """A UUID given as a string (not an int or a list), dumped as its canonical text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Not a valid UUID.")
        try:
            return uuid_mod.UUID(value)
        except ValueError as exc:
            raise ValidationError("Not a valid UUID.") from exc


@lru_cache(maxsize=1)
def _countries():
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _zones():
    return frozenset(available_timezones())


class Country(fields.String):
    """An ISO 3166-1 alpha-2 code, normalised to upper case (documented as the list of codes)."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"enum": sorted(_countries()), **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).upper()
        if text not in _countries():
            raise ValidationError("Unknown ISO 3166-1 alpha-2 country code.")
        return text


class TimeZone(fields.String):
    """An IANA time zone name (documented as the list of names the server knows)."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"enum": sorted(_zones()), **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in _zones():
            raise ValidationError("Unknown IANA time zone.")
        return text


class Token(fields.String):
    """A short lowercase token: a letter, then letters, digits or underscores (40 at most)."""

    BODY = "[a-z][a-z0-9_]{0,39}"

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": f"^{self.BODY}$", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        # fullmatch rather than `^...$`: Python's `$` would let a trailing newline through.
        if not re.fullmatch(self.BODY, text):
            raise ValidationError("Must be a lowercase token: a letter, then letters, digits or _.")
        return text


class Text(fields.String):
    """Trimmed text with a length cap; empty after trimming counts as missing when required."""

    # What the document says: no NUL anywhere; when required, something besides white space.
    NO_NUL = "^[^\\u0000]*$"
    NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

    def __init__(self, max_length=2000, **kwargs):
        required = kwargs.get("required", False)
        kwargs["metadata"] = {"maxLength": max_length, "pattern": self.NOT_BLANK if required else
                              self.NO_NUL, **({"minLength": 1} if required else {}),
                              **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        if "\x00" in text:
            raise ValidationError("Contains a NUL character.")
        if self.required and not text:
            raise ValidationError("Must not be empty.")
        return text

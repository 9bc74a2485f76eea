"""JSON text as data: strict decoding, and the values no field can hold. Pure, no Flask."""
import json
import math
from typing import Any, NoReturn

# Python refuses to convert longer integer literals (a ValueError deep in json.loads); no
# field holds a number anywhere near this long.
MAX_INTEGER_DIGITS = 4300


class OutOfRange:
    """Stands for a JSON number no field can hold (too many digits, or beyond a float).

    The decoder keeps it in place of the number, so the body still parses and the value is
    refused on its own field (one sync item, not the whole batch)."""

    def __repr__(self) -> str:
        return "<number out of range>"


OUT_OF_RANGE = OutOfRange()


def _parse_int(text: str) -> int | OutOfRange:
    """An integer literal, or OUT_OF_RANGE past MAX_INTEGER_DIGITS."""
    return OUT_OF_RANGE if len(text.lstrip("-")) > MAX_INTEGER_DIGITS else int(text)


def _parse_float(text: str) -> float | OutOfRange:
    """A number with a fraction or exponent, or OUT_OF_RANGE when it overflows to infinity."""
    value = float(text)
    return value if math.isfinite(value) else OUT_OF_RANGE


def _refuse_constant(name: str) -> NoReturn:
    """NaN and Infinity are JavaScript, not JSON (RFC 8259)."""
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def decode(text: str) -> Any:
    """Strict JSON: NaN/Infinity refused, out-of-range numbers kept as OUT_OF_RANGE."""
    return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                      parse_constant=_refuse_constant)


def _unencodable(text: str) -> bool:
    """True for text holding a lone UTF-16 surrogate, which no UTF-8 store or encoder takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_values(data: object, path: str = "") -> dict[str, list[str]]:
    """Field errors ({"a.b": [message]}) for every value or key no field can hold."""
    errors = {}
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if _unencodable(key):
                errors[path or "_schema"] = ["A key holds a lone UTF-16 surrogate."]
            else:
                errors.update(bad_values(value, where))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            errors.update(bad_values(value, f"{path}.{index}" if path else str(index)))
    elif isinstance(data, str) and _unencodable(data):
        errors[path or "_schema"] = ["Contains a lone UTF-16 surrogate (not valid Unicode)."]
    elif data is OUT_OF_RANGE:
        errors[path or "_schema"] = ["Number out of range."]
    return errors

"""Domain exceptions raised by services; monitor.api.errors maps them to RFC 9457."""
from typing import TypeVar

T = TypeVar("T")


class AppError(Exception):
    """Base of every expected failure, carrying its HTTP status and problem fields."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail=None, errors=None, headers=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


class Unauthorized(AppError):
    """No, invalid or revoked credentials."""

    status, slug, title = 401, "unauthorized", "Unauthorized"


class Forbidden(AppError):
    """The caller's role does not allow this."""

    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    """Unknown id, or an id outside the caller's scope."""

    status, slug, title = 404, "not-found", "Not found"


def found(row: T | None, what: str) -> T:
    """`row`, or NotFound naming `what` ("No such user.") when there is none."""
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


class Conflict(AppError):
    """Same id, different content (or another state conflict)."""

    status, slug, title = 409, "conflict", "Conflict"


class TooLarge(AppError):
    """Body or batch over the limit."""

    status, slug, title = 413, "too-large", "Payload too large"


class UnsupportedType(AppError):
    """A body or file of a media type that is not accepted."""

    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class PreconditionFailed(AppError):
    """A protocol precondition (e.g. the tus version) is not met."""

    status, slug, title = 412, "precondition-failed", "Precondition failed"


class Invalid(AppError):
    """Validation failed; `errors` maps field paths to messages."""

    status, slug, title = 422, "validation-error", "Validation failed"

    def __init__(self, errors, detail="The request contains invalid fields."):
        super().__init__(detail, errors=errors)


class RateLimited(AppError):
    """Too many attempts; the client must wait `retry_after` seconds."""

    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, retry_after, detail="Too many failed attempts; try again later."):
        super().__init__(detail, headers={"Retry-After": str(int(retry_after))})


def flatten_messages(messages, prefix=""):
    """Flatten marshmallow's nested messages into {"a.b": ["..."]}."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, path))
    elif isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, (list, tuple)):
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat

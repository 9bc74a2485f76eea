"""The one place that turns every failure into an RFC 9457 problem response."""
import logging

from flask import current_app, json
from werkzeug.exceptions import HTTPException

from monitor.exceptions import AppError, flatten_messages

PROBLEM_TYPE = "tag:safeguards-monitor,2026:problem:"
MISSING_TOKEN = "Send an access token: Authorization: Bearer <token>."
INVALID_TOKEN = "The token is not valid."
log = logging.getLogger(__name__)


def problem(status, title, detail=None, errors=None, slug=None, headers=None):
    """Build an application/problem+json response."""
    body = {
        "type": PROBLEM_TYPE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _webargs_errors(exc):
    """Field errors carried by a webargs/flask-smorest abort, locations dropped."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    merged = {}
    for location, fields in messages.items():
        merged.update(flatten_messages(fields if isinstance(fields, dict) else {location: fields}))
    return merged


def handle_app_error(exc):
    """Domain exceptions raised by services."""
    return problem(exc.status, exc.title, exc.detail, exc.errors, exc.slug, exc.headers)


def handle_http_exception(exc):
    """Routing errors (404, 405), body limits (413), parse errors (400, 422)."""
    status = exc.code or 500
    if status == 422:
        errors = _webargs_errors(exc)
        if "json" in errors and errors["json"] == ["Invalid JSON body."]:
            return problem(400, "Malformed JSON", "The body is not valid JSON.", slug="malformed-json")
        return problem(422, "Validation failed", "The request contains invalid fields.",
                       errors or None, "validation-error")
    if status == 400 and _webargs_errors(exc):
        return problem(400, "Malformed JSON", "The body is not valid JSON.", slug="malformed-json")
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(status, exc.name, exc.description, headers=headers)


def handle_unexpected(exc):
    """Anything unplanned: log it, answer a problem without internals."""
    log.exception("unhandled error")
    return problem(500, "Internal server error", "An unexpected error occurred.")


def handle_unreadable_body(_exc):
    """The server could not read the body as sent (a malformed chunked encoding, a client that
    stopped sending): the request is the client's fault, and the connection is not reusable."""
    return problem(400, "Bad request", "The request body could not be read as sent.",
                   slug="bad-request", headers={"Connection": "close"})


def _body_read_errors():
    """gunicorn's exceptions for a body it cannot read (none when served otherwise)."""
    try:
        from gunicorn.http.errors import NoMoreData, ParseException
    except ImportError:  # pragma: no cover - gunicorn is a runtime requirement
        return ()
    return (ParseException, NoMoreData)


def register_error_handlers(app):
    """Attach the handlers (after flask-smorest, so these win)."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    for kind in _body_read_errors():
        app.register_error_handler(kind, handle_unreadable_body)
    app.register_error_handler(Exception, handle_unexpected)


def register_jwt_handlers(jwt):
    """Every flask-jwt-extended failure becomes a 401 problem."""

    def unauthorized(reason):
        return problem(401, "Unauthorized", reason, slug="unauthorized",
                       headers={"WWW-Authenticate": "Bearer"})

    # The library's reasons name its parser's internals ("Invalid crypto padding", "Not
    # enough segments", the header it expected): a client learns only what to send.
    jwt.unauthorized_loader(lambda reason: unauthorized(MISSING_TOKEN))
    jwt.invalid_token_loader(lambda reason: unauthorized(INVALID_TOKEN))
    jwt.expired_token_loader(lambda header, payload: unauthorized("Token has expired."))
    jwt.revoked_token_loader(lambda header, payload: unauthorized("Token has been revoked."))
    jwt.user_lookup_error_loader(lambda header, payload: unauthorized("Account unknown or inactive."))
    jwt.needs_fresh_token_loader(lambda header, payload: unauthorized("Fresh token required."))
    jwt.token_verification_failed_loader(lambda header, payload: unauthorized("Token rejected."))

"""gunicorn's own error answers (a request line or headers too long, a malformed request) as
RFC 9457 problem+json like every other answer, instead of its HTML page.

gunicorn answers these before the application sees the request, through
`gunicorn.util.write_error`; `install()` (called from gunicorn.conf.py) replaces it.
"""
import json

from gunicorn import util

PROBLEM_TYPE = "tag:safeguards-monitor,2026:problem:"
# Status → (slug, detail) for what gunicorn refuses; anything else keeps gunicorn's reason.
DETAILS = {
    400: ("bad-request", "The request is not valid HTTP."),
    403: ("forbidden", "The request was refused."),
    414: ("uri-too-long", "The request line is too long: shorten the URL or its query."),
    431: ("headers-too-large", "The request headers are too large or too many."),
}


def problem_bytes(status: int, reason: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem+json body for `status`."""
    slug, detail = DETAILS.get(status, (None, reason))
    body = json.dumps({"type": PROBLEM_TYPE + slug if slug else "about:blank", "title": reason,
                       "status": status, "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n")
    return head.encode("latin-1") + body


def write_problem(sock, status_int, reason, mesg):
    """Drop-in for gunicorn.util.write_error (gunicorn's message stays in its log only)."""
    util.write_nonblock(sock, problem_bytes(int(status_int), reason))


def install() -> None:
    """Make gunicorn's error answers problem+json (in the master, inherited by workers)."""
    util.write_error = write_problem

"""Helpers shared by the blueprints: the caller, timing, created/replayed, pages."""
import hashlib
from datetime import datetime, timezone
from functools import wraps
from urllib.parse import urlencode

from flask import current_app, json, request, url_for
from flask_jwt_extended import get_current_user, jwt_required

import monitor
from monitor import database
from monitor.api import compression
from monitor.services.access import actor_from_user, require_endpoint_role

BEARER = [{"bearerAuth": []}]


def current_actor():
    """The authenticated caller as a services Actor (built once per request)."""
    # Kept in the WSGI environ, not `g`: an app context can outlive a request (tests).
    if "monitor.actor" not in request.environ:
        request.environ["monitor.actor"] = actor_from_user(get_current_user())
    return request.environ["monitor.actor"]


def now():
    """The request's notion of the current time (aware UTC)."""
    return datetime.now(timezone.utc)


def authenticated(blp, refresh=False, either=False):
    """Require a valid access (or refresh, or with `either` any) token; document bearer auth.

    The token checks read in a plain transaction; a writing request takes SQLite's write lock
    only after them, so two workers overlap everything but the use case itself."""
    def decorator(view):
        @wraps(view)
        def begin_use_case(*args, **kwargs):
            # The role check comes before the arguments decorators below read the body.
            require_endpoint_role(current_actor(), request.endpoint)
            refused = monitor.unsupported_media(current_app.view_functions.get(request.endpoint)) \
                or compression.decode_request_body(after_auth=True)
            if refused is not None:
                return refused
            if database.is_write_method(request.method):
                database.begin_write_unit()
            return view(*args, **kwargs)
        guarded = jwt_required(refresh=refresh, verify_type=not either)(begin_use_case)
        wrapped = blp.doc(security=BEARER)(wraps(view)(guarded))
        wrapped.takes_write_lock_after_auth = True
        return wrapped
    return decorator


def created_or_replayed(row_and_flag, view, endpoint=None, key=None):
    """201 for a new record (with its `Location` when it has an `endpoint` of its own, the
    id passed as `key`), 200 for an identical replay."""
    row, created = row_and_flag
    if not created:
        return view(row), 200
    headers = {"Location": url_for(endpoint, **{key: row.id})} if endpoint else {}
    return view(row), 201, headers


def next_link(cursor, param="cursor", aliases=()):
    """RFC 8288 `Link` headers for the next page: this query with `param` set to `cursor`,
    absolute under PUBLIC_URL if set, else relative (resolved against the request's URL)."""
    args = {k: v for k, v in request.args.to_dict().items() if k not in aliases}
    args[param] = cursor
    # Never request.base_url: it is built from the client's Host header.
    base = (current_app.config.get("PUBLIC_URL") or "") + request.script_root + request.path
    return {"Link": f'<{base}?{urlencode(args)}>; rel="next"'}


def page(rows_and_cursor, view=lambda row: row):
    """The list envelope (rows passed through `view`), with an RFC 8288 Link header."""
    rows, next_cursor = rows_and_cursor
    body = {"items": [view(row) for row in rows], "next_cursor": next_cursor}
    return body, 200, next_link(next_cursor) if next_cursor else {}


def conditional(body, schema, headers=None):
    """Dump `body`; answer 304 when If-None-Match matches its ETag (RFC 9110)."""
    data = schema.dump(body)
    tag = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    response = current_app.response_class(status=200)
    # If-None-Match uses the weak comparison, so W/"tag" matches too; `*` matches any ETag.
    if request.if_none_match.contains_weak(tag):
        response.status_code = 304
    else:
        response.set_data(json.dumps(data))
        response.mimetype = "application/json"
    response.headers["ETag"] = f'"{tag}"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers.extend(headers or {})
    return response

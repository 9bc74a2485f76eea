"""Reading JSON bodies: the one place a request body becomes data (or a 400 / 413 / 422)."""
import json

import flask_smorest
from flask import current_app, request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import RequestEntityTooLarge

from monitor.domain.json_values import bad_values, decode
from monitor.exceptions import Invalid


def refuse_bad_values(data, path: str = "") -> None:
    """Raise Invalid (422) when `data` holds a value no field can hold."""
    errors = bad_values(data, path)
    if errors:
        raise Invalid(errors)


def read_body(req):
    """The whole body; 413 when a body without Content-Length runs past MAX_CONTENT_LENGTH."""
    data = req.get_data(cache=True)
    limit = req.max_content_length
    # Werkzeug stops a length-less (chunked) body at the limit without complaint: the read
    # comes back truncated. One more byte on the raw stream tells "ended at the limit" from
    # "kept going".
    if (req.content_length is None and limit is not None and len(data) >= limit
            and req.input_stream.read(1)):
        raise RequestEntityTooLarge()
    return data


class JsonBodyParser(FlaskParser):
    """webargs' Flask parser, strict about bodies.

    An empty JSON body is malformed (webargs would read it as `{}`), nesting too deep for the
    decoder is malformed (not a RecursionError), and an oversized chunked body is a 413.
    Lone surrogates and out-of-range numbers are a 422 on their field, except in a view
    marked `checks_items_alone` (sync), whose items are checked one by one."""

    def load_json(self, req, schema):
        """The parsed JSON body, `missing` for non-JSON requests, else a 400 abort."""
        if not is_json_request(req):
            return core.missing
        try:
            data = decode(read_body(req).decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            return self._handle_invalid_json_error(exc, req)
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "checks_items_alone", False):
            refuse_bad_values(data)
        return data


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose arguments go through JsonBodyParser."""

    ARGUMENTS_PARSER = JsonBodyParser()

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's `arguments`, with a schema class made an instance once: webargs
        would build one per request from a class (a tenth of a millisecond each)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)

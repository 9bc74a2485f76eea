"""flask-smorest's Api, documenting every error as an RFC 9457 problem."""
import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from schemas.common import ProblemSchema

PROBLEM_CONTENT_TYPE = "application/problem+json"


class MonitorApi(Api):
    """The OpenAPI document says what errors really are: application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """Register the per-status and default error responses with the problem media type."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            content_type = PROBLEM_CONTENT_TYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

"""schemathesis against the live OpenAPI document: no server error, no undocumented shape."""
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# tus upload chunks (PATCH /attachments/{id}) are raw bytes, like application/octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def _fuzz(operation, fresh_headers, statuses):
    """Run generated cases (valid and invalid) against one operation; raise on a failed check."""
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | \
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        # a fresh token per case: the fuzzer also calls logout, which revokes the one it sent
        # identity: schemathesis's WSGI transport asks for gzip but does not inflate answers
        response = case.call_and_validate(headers={**fresh_headers(), "Accept-Encoding": "identity"},
                                          checks=CHECKS)
        statuses.append(response.status_code)
    run()


def test_every_operation_survives_fuzzing(app, make_user, headers_for):
    admin = make_user("admin", ())
    refresh_ops = {"POST /api/v1/auth/refresh", "POST /api/v1/auth/logout-refresh"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures, statuses = {}, []
    for operation in operations:
        try:
            refresh = operation.label in refresh_ops
            _fuzz(operation, lambda refresh=refresh: headers_for(admin, refresh=refresh), statuses)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures[operation.label] = str(exc)[:2000]
    assert failures == {}
    assert len(statuses) > len(operations) * 5  # the fuzzer really exercised the API
    assert {200, 404, 422} <= set(statuses)

"""schemathesis' stateful phase: sequences of calls linked by the ids responses return (links
inferred from the document), checked for server errors and undocumented responses."""
import os

import schemathesis
from flask_jwt_extended import create_access_token
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, update

from monitor.extensions import db
from monitor.models import Counter, User
from tests.fuzz.test_openapi_fuzz import CHECKS
from tests.helpers import KEEP

STEPS = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "25"))


def test_stateful_sequences_survive(app, make_user):
    admin = make_user("admin", ())
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls, failures = [], []

    class Sequences(schema.as_state_machine()):
        """Every call as an admin the fuzzer cannot demote, deactivate or lock out."""

        def get_call_kwargs(self, case):
            # Undo whatever the previous steps did to the admin, then mint a fresh token
            # (a password change or deactivation revokes every earlier one).
            db.session.execute(update(User).where(User.id == admin.id).values(
                role="admin", active=True, countries=[]))
            db.session.commit()
            user = db.session.get(User, admin.id)
            db.session.refresh(user)
            # schemathesis' WSGI transport does not inflate a gzip-encoded answer
            token = create_access_token(identity=str(user.id),
                                        additional_claims={"gen": user.token_generation})
            return {"headers": {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            calls.append((case.operation.label, response.status_code))
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                failures.append(f"{case.operation.label} {response.status_code}: {str(exc)[:1500]}")
                raise

        def teardown(self):
            """Each sequence starts from the same state (shrinking replays it), the admin kept."""
            db.session.rollback()
            for table in reversed(db.metadata.sorted_tables):
                if table.name in KEEP:
                    continue
                query = delete(table)
                if table.name == "users":
                    query = query.where(table.c.id != admin.id)
                db.session.execute(query)
            db.session.execute(update(Counter).values(value=0))
            db.session.commit()

    try:
        Sequences.run(settings=settings(max_examples=STEPS, stateful_step_count=6, deadline=None,
                                        derandomize=True, database=None,
                                        suppress_health_check=list(HealthCheck)))
    finally:
        assert failures == []
    assert len(calls) > STEPS  # sequences really ran
    assert len({label for label, _ in calls}) > 10

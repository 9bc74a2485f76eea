"""Shared fixtures: one migrated database per run, emptied after every test."""
import os
import uuid

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import delete, update

from monitor import create_app
from monitor.extensions import db
from monitor.models import Counter, SweepState, User
from monitor.services.access import actor_from_user
from monitor.services.accounts.passwords import hash_password
from tests.helpers import KEEP, TEST_DATA_KEY, hours_ago, iso

# Hypothesis: no per-example deadline anywhere in the suite (tests that touch the database or
# start processes run slower on a busy machine; a slow example is not a failing one).
settings.register_profile("suite", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))



def _database_url(tmp_path_factory):
    """TEST_DATABASE_URL (PostgreSQL in CI) or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on a migrated test database."""
    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "SECRET_KEY": "test-secret", "JWT_SECRET_KEY": "test-jwt-secret-key-long-enough-0123456789",
        "DATA_KEY": TEST_DATA_KEY, "SCHEDULER_ENABLED": False,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 256,
    })
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _clean(app):
    """Run each test in an app context and empty every table afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP:
                db.session.execute(delete(table))
        db.session.execute(update(Counter).values(value=0))
        db.session.execute(update(SweepState).values(
            holder=None, lease_until=None, last_sweep_at=None, last_result=None))
        db.session.commit()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make_user():
    """Factory: a stored user of a role and countries."""
    def make(role="monitor", countries=("MX",), email=None, password="correct horse battery"):
        user = User(email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.org", role=role,
                    countries=list(countries), password_hash=hash_password(password), active=True)
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def headers_for():
    """Factory: Authorization headers for a user (refresh=True for a refresh token)."""
    def make(user, refresh=False):
        maker = create_refresh_token if refresh else create_access_token
        return {"Authorization": "Bearer " + maker(identity=str(user.id))}
    return make


@pytest.fixture
def auth(make_user, headers_for):
    """Factory: headers for a fresh user of `role` in `countries`."""
    def make(role="monitor", countries=("MX",)):
        return headers_for(make_user(role, countries))
    return make


@pytest.fixture
def actor(make_user):
    """Factory: a services Actor backed by a stored user."""
    def make(role="monitor", countries=("MX",)):
        return actor_from_user(make_user(role, countries))
    return make








@pytest.fixture
def facility(client, auth):
    """Factory: create a facility over HTTP; returns its JSON."""
    def make(country="MX", tz="America/Mexico_City", headers=None, **extra):
        body = {"name": f"Station {uuid.uuid4().hex[:6]}", "kind": "police_station",
                "country": country, "timezone": tz, **extra}
        response = client.post("/api/v1/facilities", json=body,
                               headers=headers or auth("admin", ()))
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return make


@pytest.fixture
def detention(client, auth, facility):
    """Factory: create a detention over HTTP; returns its JSON."""
    def make(facility_json=None, arrested=None, headers=None, **person):
        facility_json = facility_json or facility()
        body = {"person": {"name": person.pop("name", "Test Person"), "sex": "female", **person},
                "facility_id": facility_json["id"], "arrested_at": iso(arrested or hours_ago(2)),
                "arresting_authority": "Policía Municipal", "grounds": "test", "notes": "note"}
        response = client.post("/api/v1/detentions", json=body, headers=headers or auth("admin", ()))
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return make

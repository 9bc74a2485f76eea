"""Migrations run clean: on a fresh database (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set) they build exactly the schema the models describe, and go down and up again."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from monitor import create_app
from monitor.extensions import db
from tests.helpers import TEST_DATA_KEY


@pytest.fixture
def fresh_url(tmp_path):
    """The URL of an empty database of the backend under test; dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "fresh.sqlite3")
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = "migrations_" + uuid.uuid4().hex[:12]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def schema_drift(app):
    """Differences between the migrated database and the models (empty when they agree)."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_build_the_models_schema_and_go_down_and_up(fresh_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_url, "SECRET_KEY": "s",
                      "JWT_SECRET_KEY": "test-jwt-secret-key-long-enough-0123456789",
                      "DATA_KEY": TEST_DATA_KEY, "SCHEDULER_ENABLED": False})
    with app.app_context():
        try:
            upgrade()
            assert schema_drift(app) == []
            tables = set(inspect(db.engine).get_table_names())
            assert {"detentions", "custody_events", "flags", "audit_log"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert schema_drift(app) == []
        finally:
            db.session.remove()
            db.engine.dispose()

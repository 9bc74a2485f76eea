"""Migration 0006 on existing data: scoped admins become monitors of their countries, person
groups outside the closed list are dropped, clear free text is sealed."""
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_migrate import upgrade

from monitor import create_app
from monitor.extensions import db
from tests.conftest import TEST_DATA_KEY
from tests.test_migrations import fresh_url  # noqa: F401  (fixture)

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc).replace(tzinfo=None)


def _app(url):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s",
                       "JWT_SECRET_KEY": "test-jwt-secret-key-long-enough-0123456789",
                       "DATA_KEY": TEST_DATA_KEY, "SCHEDULER_ENABLED": False})


def _id(value):
    """An id as the backend stores it (SQLite: 32 hex digits)."""
    return value.hex if db.engine.dialect.name == "sqlite" else str(value)


def test_upgrade_demotes_scoped_admins_and_drops_free_text_groups(fresh_url):  # noqa: F811
    app = _app(fresh_url)
    with app.app_context():
        try:
            upgrade(revision="0005")
            scoped, global_ = uuid.uuid4(), uuid.uuid4()
            for user_id, countries in ((scoped, '["MX"]'), (global_, "[]")):
                db.session.execute(sa.text(
                    "INSERT INTO users (id, email, password_hash, role, countries, active, created_at,"
                    " updated_at) VALUES (:id, :email, 'x', 'admin', :countries, true, :now, :now)"),
                    {"id": _id(user_id), "email": f"{user_id}@example.org", "countries": countries,
                     "now": NOW})
            db.session.execute(sa.text(
                "INSERT INTO persons (id, identity_enc, sex, age, groups, created_at)"
                " VALUES (:id, :blob, 'female', 30, :groups, :now)"),
                {"id": _id(uuid.uuid4()), "blob": b"\x01", "now": NOW,
                 "groups": '["political", "ana_lopez_tel_5255512345"]'})
            db.session.commit()
            upgrade(revision="0006")
            roles = dict(db.session.execute(sa.text("SELECT email, role FROM users")).all())
            assert roles[f"{scoped}@example.org"] == "monitor"
            assert roles[f"{global_}@example.org"] == "admin"
            groups = db.session.execute(sa.text("SELECT groups FROM persons")).scalar_one()
            assert "ana_lopez" not in str(groups) and "political" in str(groups)
        finally:
            db.session.remove()
            db.engine.dispose()

"""Migration 0006 on existing data: scoped admins become monitors of their countries, person
groups outside the closed list are dropped, clear free text is sealed."""
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_migrate import upgrade

from monitor import create_app
from monitor.extensions import db
from tests.helpers import TEST_DATA_KEY
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


def test_upgrade_seals_clear_free_text_and_downgrade_restores_it(fresh_url):  # noqa: F811
    from flask_migrate import downgrade

    from monitor.services import runtime
    app = _app(fresh_url)
    with app.app_context():
        try:
            upgrade(revision="0005")
            cipher = runtime.cipher()
            fac, person, det, event, flag = (uuid.uuid4() for _ in range(5))
            run = lambda sql, **p: db.session.execute(sa.text(sql), p)  # noqa: E731
            run("INSERT INTO facilities (id, name, kind, country, timezone, jurisdiction, fingerprint,"
                " created_at) VALUES (:id, 'F', 'prison', 'MX', 'America/Mexico_City', 'mx', 'f', :now)",
                id=_id(fac), now=NOW)
            run("INSERT INTO persons (id, identity_enc, sex, groups, created_at)"
                " VALUES (:id, :blob, 'male', '[]', :now)", id=_id(person), blob=b"\x01", now=NOW)
            run("INSERT INTO detentions (id, person_id, facility_id, current_facility_id, country,"
                " arrested_at, arresting_authority, private_enc, juvenile, status, fingerprint,"
                " received_at, created_at, updated_at) VALUES (:id, :p, :f, :f, 'MX', :now,"
                " 'Officer Juan Perez, badge 4411', :blob, false, 'in_custody', 'f', :now, :now, :now)",
                id=_id(det), p=_id(person), f=_id(fac), now=NOW,
                blob=cipher.seal({"grounds": "g", "notes": "n"}, f"detention:{det}"))
            run("INSERT INTO custody_events (id, detention_id, type, occurred_at, source, details,"
                " private_enc, fingerprint, received_at) VALUES (:id, :d, 'ill_treatment_alleged',"
                " :now, 'detainee', :details, NULL, 'f', :now)", id=_id(event), d=_id(det), now=NOW,
                details='{"methods": ["beaten by Officer Perez"]}')
            run("INSERT INTO flags (id, detention_id, rule, safeguard, severity, country, facility_id,"
                " status, breach, raised_at, updated_at, note, change_seq) VALUES (:id, :d, 'mx.r',"
                " 'lawyer_access', 'high', 'MX', :f, 'acknowledged', 'overdue', :now, :now,"
                " 'called Ana Lopez at 555-1234', 1)", id=_id(flag), d=_id(det), f=_id(fac), now=NOW)
            db.session.commit()
            upgrade(revision="0006")
            dump = " ".join(str(row) for table in ("detentions", "custody_events", "flags")
                            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")).all())
            assert "Perez" not in dump and "Lopez" not in dump and "methods" not in dump
            blob = db.session.execute(sa.text("SELECT private_enc FROM detentions")).scalar_one()
            assert cipher.open(blob, f"detention:{det}") == {
                "grounds": "g", "notes": "n", "arresting_authority": "Officer Juan Perez, badge 4411"}
            blob = db.session.execute(sa.text("SELECT private_enc FROM custody_events")).scalar_one()
            assert cipher.open(blob, f"event:{event}")["details"] == {"methods": ["beaten by Officer Perez"]}
            blob = db.session.execute(sa.text("SELECT note_enc FROM flags")).scalar_one()
            assert cipher.open(blob, f"flag:{flag}") == "called Ana Lopez at 555-1234"
            db.session.commit()
            downgrade(revision="0005")
            assert db.session.execute(sa.text("SELECT arresting_authority FROM detentions")
                                      ).scalar_one() == "Officer Juan Perez, badge 4411"
            assert "Perez" in str(db.session.execute(sa.text("SELECT details FROM custody_events")
                                                     ).scalar_one())
            assert db.session.execute(sa.text("SELECT note FROM flags")).scalar_one().startswith("called")
        finally:
            db.session.remove()
            db.engine.dispose()

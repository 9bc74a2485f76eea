"""who sees what: free text sealed, flags follow transfers, token generations, global admins
only, closed person groups

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:20:00

"""
import json

import sqlalchemy as sa
from alembic import op

from monitor.domain.vocabulary import PERSON_GROUPS
from monitor.services import runtime

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _json(value):
    """A JSON column's value, parsed (SQLite hands text back through a bare table)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


_DETENTIONS = sa.table("detentions", sa.column("id", sa.Uuid), sa.column("private_enc", sa.LargeBinary),
                       sa.column("arresting_authority", sa.String))
_EVENTS = sa.table("custody_events", sa.column("id", sa.Uuid), sa.column("type", sa.String),
                   sa.column("details", sa.JSON), sa.column("private_enc", sa.LargeBinary))
_FLAGS = sa.table("flags", sa.column("id", sa.Uuid), sa.column("note", sa.Text),
                  sa.column("note_enc", sa.LargeBinary))


def _seal_free_text(conn):
    """Move clear free text into the sealed blobs, with the application's cipher (the same
    DATA_KEY and record-bound contexts the services use)."""
    cipher = runtime.cipher()
    for row in conn.execute(sa.select(_DETENTIONS.c.id, _DETENTIONS.c.private_enc,
                                      _DETENTIONS.c.arresting_authority)):
        context = f"detention:{row.id}"
        private = dict(cipher.open(row.private_enc, context) or {},
                       arresting_authority=row.arresting_authority or "")
        conn.execute(_DETENTIONS.update().where(_DETENTIONS.c.id == row.id)
                     .values(private_enc=cipher.seal(private, context)))
    for row in conn.execute(sa.select(_EVENTS.c.id, _EVENTS.c.details, _EVENTS.c.private_enc)):
        details = _json(row.details) or {}
        if "methods" not in details:
            continue
        context = f"event:{row.id}"
        private = cipher.open(row.private_enc, context) or {"notes": "", "details": {}}
        private.setdefault("details", {})["methods"] = details.pop("methods")
        conn.execute(_EVENTS.update().where(_EVENTS.c.id == row.id)
                     .values(details=details, private_enc=cipher.seal(private, context)))
    for row in conn.execute(sa.select(_FLAGS.c.id, _FLAGS.c.note).where(_FLAGS.c.note.is_not(None))):
        conn.execute(_FLAGS.update().where(_FLAGS.c.id == row.id)
                     .values(note_enc=cipher.seal(row.note, f"flag:{row.id}")))


def _unseal_free_text(conn):
    """The reverse of _seal_free_text (downgrade)."""
    cipher = runtime.cipher()
    for row in conn.execute(sa.select(_DETENTIONS.c.id, _DETENTIONS.c.private_enc)):
        context = f"detention:{row.id}"
        private = cipher.open(row.private_enc, context) or {}
        authority = private.pop("arresting_authority", "")
        conn.execute(_DETENTIONS.update().where(_DETENTIONS.c.id == row.id).values(
            arresting_authority=authority, private_enc=cipher.seal(private, context)))
    for row in conn.execute(sa.select(_EVENTS.c.id, _EVENTS.c.details, _EVENTS.c.private_enc)
                            .where(_EVENTS.c.type == "ill_treatment_alleged")):
        context = f"event:{row.id}"
        private = cipher.open(row.private_enc, context) or {}
        if "methods" not in private.get("details", {}):
            continue
        details = dict(_json(row.details) or {}, methods=private["details"].pop("methods"))
        conn.execute(_EVENTS.update().where(_EVENTS.c.id == row.id)
                     .values(details=details, private_enc=cipher.seal(private, context)))
    for row in conn.execute(sa.select(_FLAGS.c.id, _FLAGS.c.note_enc)
                            .where(_FLAGS.c.note_enc.is_not(None))):
        conn.execute(_FLAGS.update().where(_FLAGS.c.id == row.id)
                     .values(note=cipher.open(row.note_enc, f"flag:{row.id}")))


def upgrade():
    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("note_enc", sa.LargeBinary(), nullable=True))
    _seal_free_text(op.get_bind())
    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL), not batch mode: a batch rebuild of
    # `detentions` would drop the table its events, flags and visits point to.
    op.execute("ALTER TABLE flags DROP COLUMN note")
    op.execute("ALTER TABLE detentions DROP COLUMN arresting_authority")
    op.create_table(
        "flag_exits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flag_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("to_country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("safeguard", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("view", sa.JSON(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["flags.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flag_exits") as batch:
        batch.create_index("ix_flag_exits_flag_id", ["flag_id"], unique=False)
        batch.create_index("ix_flag_exits_change_seq", ["change_seq"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_generation", sa.Integer(), nullable=False,
                                   server_default="0"))
    conn = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Uuid), sa.column("role", sa.String),
                     sa.column("countries", sa.JSON))
    # Admins are global (docs/DECISIONS.md, "Admins are global"): an admin held to some
    # countries becomes a monitor of those countries, never an admin of every country.
    for row in conn.execute(sa.select(users.c.id, users.c.countries).where(users.c.role == "admin")):
        if _json(row.countries):
            conn.execute(users.update().where(users.c.id == row.id).values(role="monitor"))
    # person.groups is a closed list: tokens outside it (possibly typed names) are dropped.
    persons = sa.table("persons", sa.column("id", sa.Uuid), sa.column("groups", sa.JSON))
    for row in conn.execute(sa.select(persons.c.id, persons.c.groups)):
        groups = _json(row.groups) or []
        kept = sorted({g for g in groups if g in PERSON_GROUPS})
        if kept != groups:
            conn.execute(persons.update().where(persons.c.id == row.id).values(groups=kept))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_generation")
    op.drop_table("flag_exits")
    with op.batch_alter_table("detentions") as batch:
        batch.add_column(sa.Column("arresting_authority", sa.String(length=300), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    _unseal_free_text(op.get_bind())
    op.execute("ALTER TABLE flags DROP COLUMN note_enc")

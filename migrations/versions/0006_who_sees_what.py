"""who sees what: token generations, global admins only, closed person groups

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:20:00

"""
import json

import sqlalchemy as sa
from alembic import op

from monitor.domain.vocabulary import PERSON_GROUPS

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _json(value):
    """A JSON column's value, parsed (SQLite hands text back through a bare table)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def upgrade():
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

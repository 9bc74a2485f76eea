"""Rows written by monitor.bulkwrite (SQLite: one executemany; PostgreSQL: COPY) are stored
exactly as SQLAlchemy's own executemany stores them: the same text, numbers and JSON for the
same values."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, insert, select, update

from monitor.bulkwrite import execute_many, insert_rows
from monitor.extensions import db
from monitor.models.types import UTCDateTime

METADATA = sa.MetaData()
SAMPLE = sa.Table(
    "bulkwrite_sample", METADATA,
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("ref", sa.Uuid), sa.Column("at", UTCDateTime), sa.Column("doc", sa.JSON),
    sa.Column("flag", sa.Boolean), sa.Column("label", sa.String(20)))
CHANGE = update(SAMPLE).where(SAMPLE.c.n == bindparam("row")).values(at=bindparam("when"), doc=bindparam("what"))
UTC = timezone.utc
PARIS = timezone(timedelta(hours=1))


@pytest.fixture
def sample_table(app):
    METADATA.create_all(db.engine)
    yield
    db.session.rollback()
    METADATA.drop_all(db.engine)


def _rows(first):
    """Rows that share values (the memo's case) and differ where a memo could go wrong."""
    shared = uuid.UUID("0190c4d2-8f00-7000-8000-000000000001")
    instant = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    return [
        {"n": first, "ref": shared, "at": instant, "doc": [{"rule": "a", "due_at": None}], "flag": True, "label": "x"},
        # the same instant in another zone: stored as the same UTC time
        {"n": first + 1, "ref": shared, "at": instant.astimezone(PARIS), "doc": None, "flag": False, "label": "x"},
        {"n": first + 2, "ref": uuid.UUID(int=2**100 + 7), "at": instant + timedelta(microseconds=1),
         "doc": {"k": [1, 2]}, "flag": True, "label": None},
        {"n": first + 3, "ref": None, "at": None, "doc": [], "flag": None, "label": "ünï"},
    ]


def _stored(first):
    """The raw stored values of rows first..first+3, as the database holds them."""
    table = SAMPLE.c
    with db.engine.connect() as connection:
        # cast to text: what is compared is what the database holds, not a driver's reading of it
        return [tuple(row) for row in connection.execute(
            select(sa.cast(table.ref, sa.String), sa.cast(table.at, sa.String), sa.cast(table.doc, sa.String),
                   sa.cast(table.flag, sa.String), table.label)
            .where(table.n.between(first, first + 3)).order_by(table.n))]


def test_inserted_rows_are_stored_as_sqlalchemy_stores_them(sample_table):
    connection = db.session.connection()
    connection.execute(insert(SAMPLE), _rows(1))
    insert_rows(connection, SAMPLE, _rows(11))
    insert_rows(connection, SAMPLE, _rows(21))  # the kept plan and memo, used again
    db.session.commit()
    assert _stored(1) == _stored(11) == _stored(21)
    assert _stored(11)[0][2] != _stored(11)[1][2]  # a JSON document and JSON null stay apart


def test_updated_rows_are_stored_as_sqlalchemy_stores_them(sample_table):
    connection = db.session.connection()
    insert_rows(connection, SAMPLE, _rows(1) + _rows(11))
    later = datetime(2026, 3, 15, 8, 30, tzinfo=PARIS)
    changes = [{"row": n, "when": later, "what": [{"n": n}]} for n in range(1, 5)]
    connection.execute(CHANGE, changes)
    execute_many(connection, CHANGE, [dict(c, row=c["row"] + 10) for c in changes])
    db.session.commit()
    assert _stored(11) == _stored(1)
    assert len({r[1] for r in _stored(11)}) == 1 and _stored(11)[3][2] == _stored(1)[3][2] != _stored(11)[2][2]


def test_a_naive_time_is_refused_as_sqlalchemy_refuses_it(sample_table):
    row = dict(_rows(1)[0], at=datetime(2026, 3, 14, 12, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        insert_rows(db.session.connection(), SAMPLE, [row])


def test_a_duplicate_key_is_refused_as_sqlalchemy_refuses_it(sample_table):
    insert_rows(db.session.connection(), SAMPLE, _rows(1))
    with pytest.raises(sa.exc.IntegrityError):
        insert_rows(db.session.connection(), SAMPLE, _rows(4))  # row 4 again
    db.session.rollback()
    assert _stored(1) == []  # nothing half-stored: the transaction is rolled back whole

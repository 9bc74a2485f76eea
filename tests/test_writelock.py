"""The SQLite writer queue: one writer holds the file lock until its connection is returned."""
import pytest
from sqlalchemy import create_engine, text

from monitor import writelock
from monitor.database import configure_engine, write_intent


def test_a_second_writer_waits_until_the_first_lets_go(tmp_path):
    path = str(tmp_path / "db.sqlite3.writelock")
    first, second = {}, {}
    assert writelock.acquire(first, path)
    assert writelock.acquire(first, path)  # already held: no self-deadlock
    assert not writelock.acquire(second, path, wait=0.02)
    writelock.release(first)
    assert writelock.acquire(second, path, wait=0.02)
    writelock.close(second)
    writelock.close(first)


def test_the_lock_is_held_for_the_write_transaction_only(tmp_path):
    database = tmp_path / "db.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    configure_engine(engine)
    other = {}
    with write_intent():
        with engine.begin() as conn:  # BEGIN IMMEDIATE: takes the writer lock first
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            assert not writelock.acquire(other, str(database) + ".writelock", wait=0.02)
    # committed and returned to the pool: the next writer goes in at once
    assert writelock.acquire(other, str(database) + ".writelock", wait=0.02)
    writelock.close(other)
    with engine.connect() as conn:  # readers never take it
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    engine.dispose()


@pytest.mark.parametrize("database", [None, ":memory:", "file:x?mode=memory"])
def test_no_lock_file_for_databases_without_one(database):
    assert writelock.lock_path(database) is None

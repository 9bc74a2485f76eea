"""Plain helpers shared by the suite (fixtures stay in conftest.py): one fixed clock, hours,
timestamps, the test data key, the built-in rules and small domain cases."""
import base64
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from monitor import BUILTIN_RULES
from monitor.domain.evaluator import Case, Event

TEST_DATA_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
KEEP = {"alembic_version", "counters", "sweep_state"}  # tables the per-test clean-up keeps
RULES = BUILTIN_RULES
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, 12:00 in Nairobi
SECOND = timedelta(seconds=1)


def hours(n):
    """A timedelta of `n` hours."""
    return timedelta(hours=n)


h = hours  # the domain tests' short name


def iso(moment):
    """RFC 3339 text of an aware datetime."""
    return moment.isoformat()


def hours_ago(n):
    """An aware UTC time `n` hours before now."""
    return datetime.now(timezone.utc) - timedelta(hours=n)


def evaluate_pending():
    """What the scheduler's evaluation tick does a few seconds after writes: evaluate every
    detention written to (or past a deadline) and raise or resolve its flags."""
    from monitor.services.evaluation import sweep
    return sweep.sweep(datetime.now(timezone.utc) + timedelta(seconds=1))


def case(events=(), arrested=T0, juvenile=False, tz="UTC", **facts):
    """A Case with an arrest event and the given (type, hours after arrest, details) events."""
    made = [Event("arrest", arrested, {}, "0")]
    made += [Event(kind, arrested + hours(after), details, str(i + 1))
             for i, (kind, after, details) in enumerate(events)]
    return Case(arrested_at=arrested, juvenile=juvenile, events=tuple(made), timezone=tz, facts=facts)


def one_rule_file(code="zz", name="Test", country="ZZ", rule_id="zz.rule", citation="Test Act s.1"):
    """The text of a rule file with one 24-hour custody-limit rule (arrest to judge)."""
    return f'''code = "{code}"
name = "{name}"
country = "{country}"

[[rules]]
id = "{rule_id}"
safeguard = "custody_limit"
kind = "deadline"
trigger = ["arrest"]
satisfied_by = ["judicial_appearance"]
within_hours = 24
applies_to = "all"
severity = "high"
citation = "{citation}"
confidence = "H"
'''


def run_together(target: Callable[..., object], args: Iterable[tuple[object, ...]]) -> None:
    """Run `target` once per argument tuple, each in its own thread, all at once; wait for all.
    (A thread's exception is the target's to record: the tests collect them in a list.)"""
    threads = [threading.Thread(target=target, args=a) for a in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def migration(filename):
    """A migration script of migrations/versions as a module (to call its data steps)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location("migration_" + path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def engine_events(name):
    """Record the arguments of each `name` event (e.g. "begin", "before_cursor_execute") of
    the app's engine inside the block: yields the list they are appended to."""
    from sqlalchemy import event

    from monitor.extensions import db
    seen: list[tuple[object, ...]] = []

    def record(*args):
        seen.append(args)
    event.listen(db.engine, name, record)
    try:
        yield seen
    finally:
        event.remove(db.engine, name, record)

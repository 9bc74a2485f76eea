"""Two phones sending the same event id at the same moment (SQLite and PostgreSQL): one
insert wins, the other is answered as a replay (same content) or a conflict (different), and
exactly one row, one audit entry and one evaluation mark are stored."""
import threading
import uuid

from sqlalchemy import func, select

from monitor.database import write_intent
from monitor.exceptions import Conflict
from monitor.extensions import db
from monitor.models import AuditEntry, CustodyEvent, Detention
from monitor.services.custody import events
from schemas.events import EventInSchema
from schemas.fields import format_timestamp
from tests.factories import T0, hours, make_detention, make_facility
from tests.helpers import run_together


def race(app, actor, detention_id, bodies):
    """Send each body from its own thread and session at once; returns the outcomes."""
    barrier, outcomes = threading.Barrier(len(bodies)), []

    def send(body):
        with app.app_context():
            data = EventInSchema().load(body)
            barrier.wait()
            try:
                with write_intent():  # as a writing request does (BEGIN IMMEDIATE on SQLite)
                    row, created = events.add_event(actor, detention_id, data, T0 + hours(2))
                outcomes.append(("created" if created else "replayed", row.id))
            except Conflict:
                outcomes.append(("conflict", None))
            except Exception as exc:  # surfaced by the assertions
                outcomes.append(("error", repr(exc)))
            finally:
                db.session.remove()

    run_together(send, [(body,) for body in bodies])
    return sorted(outcomes, key=lambda o: o[0])


def body(event_id, lawyer_present):
    return {"id": str(event_id), "type": "interrogation", "occurred_at": format_timestamp(T0 + hours(1)),
            "details": {"lawyer_present": lawyer_present}}


def stored(event_id):
    db.session.rollback()
    rows = db.session.scalar(select(func.count()).select_from(CustodyEvent).where(CustodyEvent.id == event_id))
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "event.create", AuditEntry.target_id == str(event_id)))
    return rows, audits


def race_for_one_id(app, actor, lawyer_present_each):
    """A stored detention, then one event id sent from two sessions at once, each body with
    its own `lawyer_present`; returns (outcomes, detention id, event id)."""
    admin = actor("admin", ())
    detention_id, event_id = make_detention(admin, make_facility(admin)).id, uuid.uuid4()
    db.session.remove()
    bodies = [body(event_id, lawyer) for lawyer in lawyer_present_each]
    return race(app, admin, detention_id, bodies), detention_id, event_id


def test_the_same_event_sent_twice_at_once_is_stored_once(app, actor):
    outcomes, detention_id, event_id = race_for_one_id(app, actor, (False, False))
    assert [o[0] for o in outcomes] == ["created", "replayed"], outcomes
    assert {o[1] for o in outcomes} == {event_id}
    assert stored(event_id) == (1, 1)
    due = db.session.get(Detention, detention_id).next_due_at  # due for the sweep (it already was)
    assert due is not None and due <= T0 + hours(2)


def test_different_content_under_the_same_id_at_once_is_one_row_and_a_conflict(app, actor):
    outcomes, _, event_id = race_for_one_id(app, actor, (False, True))
    assert [o[0] for o in outcomes] == ["conflict", "created"], outcomes
    assert stored(event_id) == (1, 1)

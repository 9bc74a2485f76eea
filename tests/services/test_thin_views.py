"""Use cases the views call once: listing events audits inside the service; an export refuses
before its stream exists; a webhook is presented by one function."""
import uuid

import pytest
from sqlalchemy import select

from monitor.exceptions import Forbidden
from monitor.extensions import db
from monitor.models import AuditEntry
from monitor.services.custody import events
from monitor.services.flags.presenters import webhook_view
from monitor.services.research import exports as research
from tests.factories import T0, add, hours, make_detention, make_facility


def identity_reads():
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.read")).all()


def test_listing_events_presents_them_in_order_and_audits_identity_readers(actor):
    monitor = actor("monitor", ("MX",))
    detention = make_detention(monitor, make_facility(actor("admin", ())))
    add(monitor, detention, "rights_notified", T0 + hours(1))
    items = events.list_events(monitor, detention.id, T0 + hours(2))
    assert [e["type"] for e in items] == ["arrest", "rights_notified"]
    reads = identity_reads()
    assert len(reads) == 1 and reads[0].detail["detentions"] == [str(detention.id)]
    partner_items = events.list_events(actor("partner", ("MX",)), detention.id, T0 + hours(2))
    assert len(partner_items) == 2 and "recorded_by" not in partner_items[0]
    assert len(identity_reads()) == 1  # a partner sees no identities: nothing to record


def test_an_export_refuses_before_any_stream_is_made(actor):
    with pytest.raises(Forbidden):
        research.export(actor("monitor", ("MX",)), "ndjson", T0)  # not iterated: refused at the call
    assert not db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "export.detentions")).all()


def test_an_allowed_export_is_a_stream_audited_when_it_ends(actor):
    admin = actor("admin", ())
    make_detention(admin, make_facility(admin))
    body = research.export(actor("researcher", ("MX",)), "ndjson", T0 + hours(1))
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.detentions")).all()
    assert b"".join(body).count(b"\n") == 1
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.detentions")).all()


class Hook:
    id, organization_id, url = uuid.uuid4(), uuid.uuid4(), "https://partner.example/hook"
    countries, active, created_at = ["MX"], True, T0


def test_a_webhook_shows_its_secret_only_when_given():
    shown = webhook_view(Hook(), "s3cret")
    assert shown["secret"] == "s3cret" and shown["url"] == Hook.url
    assert set(webhook_view(Hook())) == {"id", "organization_id", "url", "countries", "active", "created_at"}

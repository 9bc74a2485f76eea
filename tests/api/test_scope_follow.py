"""Flags follow their detention across borders, and the feed cursor tells nothing of other
countries."""
import base64
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from monitor.extensions import db
from monitor.models import Organization, Webhook, WebhookDelivery
from monitor.services import runtime
from monitor.services.flags.feed import decode_position
from tests.api.test_feed import raise_flags
from tests.factories import make_detention, make_facility
from tests.helpers import evaluate_pending, hours_ago, iso


def _poll(client, headers, cursor=None):
    """Every item after `cursor`, and the cursor to keep."""
    items = []
    while True:
        url = "/api/v1/flags?limit=50" + (f"&since={cursor}" if cursor else "")
        body = client.get(url, headers=headers).get_json()
        items += body["items"]
        if not body["items"] or body["next_cursor"] == cursor:
            return items, body["next_cursor"]
        cursor = body["next_cursor"]


def _hook(countries):
    org = Organization(id=uuid.uuid4(), name=uuid.uuid4().hex, created_at=datetime.now(timezone.utc))
    hook = Webhook(id=uuid.uuid4(), organization_id=org.id,
                   url="https://hooks.example.org/x", countries=countries, active=True,
                   created_at=datetime.now(timezone.utc))
    hook.secret_enc = runtime.cipher().seal("s", f"webhook:{hook.id}")
    db.session.add(org)
    db.session.flush()
    db.session.add(hook)
    db.session.commit()
    return hook.id


def _payloads(hook_id):
    rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
                              .order_by(WebhookDelivery.created_at)).all()
    return [row.payload for row in rows]


def test_the_cursor_does_not_move_with_changes_in_other_countries(client, actor, auth):
    admin = actor("admin", ())
    mx = make_detention(admin, make_facility(admin))
    raise_flags(mx, "mx.a")
    partner = auth("partner", ["MX"])
    first, cursor = _poll(client, partner)
    assert [f["rule"] for f in first] == ["mx.a"]
    ph = make_detention(admin, make_facility(admin, country="PH", tz="Asia/Manila"))
    raise_flags(ph, "ph.a", "ph.b", "ph.c")
    after, same = _poll(client, partner, cursor)
    assert after == [] and same == cursor
    raise_flags(mx, "mx.a", "mx.b")
    later, moved = _poll(client, partner, cursor)
    assert [f["rule"] for f in later] == ["mx.b"] and moved != cursor
    # The cursor is sealed: it reads as no number.
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"feed" not in raw and not raw.isdigit()
    assert decode_position(cursor) >= 1


def test_flags_follow_a_transfer_into_the_new_countrys_feed_and_webhooks(
        client, auth, facility, detention):
    admin = auth("admin", ())
    mx_fac = facility()
    ph_fac = facility(country="PH", tz="Asia/Manila")
    d = detention(mx_fac, arrested=hours_ago(80))
    mx_only, ph_only, both, every = _hook(["MX"]), _hook(["PH"]), _hook(["MX", "PH"]), _hook([])
    evaluate_pending()
    mx_partner, ph_partner = auth("partner", ["MX"]), auth("partner", ["PH"])
    before, mx_cursor = _poll(client, mx_partner)
    assert before and all(f["country"] == "MX" for f in before)
    flag_ids = {f["id"] for f in before}
    _, ph_cursor = _poll(client, ph_partner)
    _, admin_cursor = _poll(client, admin)

    moved = client.post(f"/api/v1/detentions/{d['id']}/events", headers=admin, json={
        "type": "transfer", "occurred_at": iso(hours_ago(1)),
        "details": {"to_facility_id": ph_fac["id"]}})
    assert moved.status_code == 201, moved.get_json()

    entered, _ = _poll(client, ph_partner, ph_cursor)
    assert {f["id"] for f in entered} >= flag_ids
    assert all(f["country"] == "PH" and f["facility_id"] == ph_fac["id"] and
               f["visibility"] == "in_scope" for f in entered if f["id"] in flag_ids)
    left, mx_cursor = _poll(client, mx_partner, mx_cursor)
    assert {f["id"] for f in left} == flag_ids
    assert all(f["visibility"] == "left_scope" and f["country"] == "MX"
               and f["facility_id"] == mx_fac["id"] for f in left)
    seen_by_admin, _ = _poll(client, admin, admin_cursor)
    assert all(f["visibility"] == "in_scope" and f["country"] == "PH" for f in seen_by_admin)

    some = next(iter(flag_ids))
    assert client.post(f"/api/v1/flags/{some}/acknowledge", json={"note": ""},
                       headers=mx_partner).status_code == 404
    assert client.post(f"/api/v1/flags/{some}/acknowledge", json={"note": ""},
                       headers=ph_partner).status_code == 200
    client.post(f"/api/v1/detentions/{d['id']}/events", headers=admin,
                json={"type": "release", "occurred_at": iso(hours_ago(0.5))})
    evaluate_pending()
    assert _poll(client, mx_partner, mx_cursor)[0] == []
    assert client.get(f"/api/v1/detentions/{d['id']}", headers=mx_partner).status_code == 404

    assert {p["flag"]["id"] for p in _payloads(ph_only)} >= flag_ids
    assert all(p["flag"]["country"] == "PH" for p in _payloads(ph_only))
    exits = [p for p in _payloads(mx_only) if p["event"] == "flag.left_scope"]
    assert {p["flag"]["id"] for p in exits} == flag_ids
    after_exit = _payloads(mx_only)[len(_payloads(mx_only)) - len(exits):]
    assert all(p["event"] == "flag.left_scope" for p in after_exit)  # nothing after the exit
    for hook in (both, every):
        assert all(p["event"] == "flag.changed" for p in _payloads(hook))
        assert any(p["flag"]["country"] == "PH" for p in _payloads(hook))
    assert all(isinstance(p["change"], str) for p in _payloads(every))

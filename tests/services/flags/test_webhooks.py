"""Webhooks: signed deliveries to a real local HTTP receiver, retries with back-off, replay."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from monitor.domain.signing import backoff_seconds, sign, verify
from monitor.extensions import db
from monitor.models import Organization, WebhookDelivery
from monitor.services.flags import webhooks
from monitor.services.flags.feed import decode_position
from tests.factories import T0, Result, hours, make_detention, make_facility, sync_flags

SECRET = "a-very-secret-webhook-key"




class Receiver:
    """A real HTTP server on 127.0.0.1 that fails the first `failures` requests."""

    def __init__(self, failures=0):
        self.failures, self.received = failures, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                code = 503 if outer.failures > 0 else 204
                outer.failures -= 1
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(app, monkeypatch):
    """These tests deliver to a receiver on 127.0.0.1, which production refuses."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)


@pytest.fixture
def receiver():
    made = []

    def make(failures=0):
        made.append(Receiver(failures))
        return made[-1]
    yield make
    for r in made:
        r.close()


def setup_hook(actor, url, countries=()):
    admin = actor("admin", ())
    org = Organization(name="Partner")
    db.session.add(org)
    db.session.commit()
    webhooks.register(admin, {"organization_id": org.id, "url": url, "secret": SECRET,
                              "countries": list(countries)}, T0)
    d = make_detention(admin, make_facility(admin))
    return d


def change_flag(detention, status="overdue"):
    sync_flags(detention, [Result("mx.judicial_48h", status)], T0 + hours(50))
    db.session.commit()


def test_signed_delivery_reaches_a_real_receiver(actor, receiver):
    r = receiver()
    d = setup_hook(actor, r.url)
    change_flag(d)
    report = webhooks.deliver_due(T0 + hours(50))
    assert report == {"delivered": 1, "retrying": 0, "failed": 0}
    headers, body = r.received[0]
    payload = json.loads(body)
    assert payload["event"] == "flag.changed" and payload["flag"]["rule"] == "mx.judicial_48h"
    assert payload["flag"]["detention_id"] == str(d.id) and decode_position(payload["change"]) >= 1
    signature = headers["X-Monitor-Signature"]
    now_ts = int((T0 + hours(50)).timestamp())
    assert verify(SECRET, signature, body, now_ts)
    assert not verify("wrong-secret-000000", signature, body, now_ts)
    assert not verify(SECRET, signature, body + b" ", now_ts)
    assert not verify(SECRET, signature, body, now_ts + 3600)  # an old signature is a replay
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_failures_retry_with_backoff_until_acknowledged(actor, receiver):
    r = receiver(failures=2)
    d = setup_hook(actor, r.url)
    change_flag(d)
    start = T0 + hours(50)
    assert webhooks.deliver_due(start)["retrying"] == 1
    assert webhooks.deliver_due(start + hours(0.001))["retrying"] == 0  # not due yet
    first_retry = start + (backoff_seconds(1) + 1) * (hours(1) / 3600)
    assert webhooks.deliver_due(first_retry)["retrying"] == 1
    second_retry = first_retry + (backoff_seconds(2) + 1) * (hours(1) / 3600)
    assert webhooks.deliver_due(second_retry)["delivered"] == 1
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.attempts == 3 and delivery.last_status == 204
    assert len(r.received) == 3
    assert len({h["X-Monitor-Delivery"] for h, _ in r.received}) == 1


def test_unreachable_receiver_fails_after_max_attempts_then_replay(actor, receiver, client, auth):
    r = receiver()
    url = r.url
    r.close()  # nobody listens any more
    d = setup_hook(actor, url)
    change_flag(d)
    moment = T0 + hours(50)
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_due(moment)
        moment = moment + hours(7)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    listed = client.get(f"/api/v1/webhooks/{delivery.webhook_id}/deliveries?status=failed",
                        headers=auth("admin", ())).get_json()["items"]
    assert [x["id"] for x in listed] == [str(delivery.id)]
    replayed = client.post(f"/api/v1/webhooks/deliveries/{delivery.id}/replay", headers=auth("admin", ()))
    assert replayed.status_code == 200 and replayed.get_json()["status"] == "pending"


def test_webhook_only_receives_its_countries(actor, receiver):
    r = receiver()
    d = setup_hook(actor, r.url, countries=["KE"])
    change_flag(d)
    assert db.session.scalars(select(WebhookDelivery)).all() == []


def test_delivery_runs_outside_the_request(actor, receiver, client, auth):
    r = receiver()
    d = setup_hook(actor, r.url)
    change_flag(d)
    assert r.received == []  # nothing is sent until the scheduler's job runs
    assert db.session.scalars(select(WebhookDelivery)).one().status == "pending"


def test_admin_only_and_url_validation(client, auth, actor):
    admin = auth("admin", ())
    org = client.post("/api/v1/organizations", json={"name": "NGO"}, headers=admin).get_json()
    bad = client.post("/api/v1/webhooks", json={"organization_id": org["id"], "url": "ftp://x"}, headers=admin)
    assert bad.status_code == 422 and "url" in bad.get_json()["errors"]
    ok = client.post("/api/v1/webhooks", json={"organization_id": org["id"], "url": "https://ngo.example/h"},
                     headers=admin)
    assert ok.status_code == 201 and len(ok.get_json()["secret"]) >= 32
    assert "secret" not in client.get("/api/v1/webhooks", headers=admin).get_json()["items"][0]
    assert client.post("/api/v1/webhooks", json={"organization_id": org["id"], "url": "https://x.example"},
                       headers=auth("partner", ["MX"])).status_code == 403


def test_signature_format():
    assert sign("k", 100, b"{}").startswith("t=100,v1=")
    assert backoff_seconds(1) == 30 and backoff_seconds(2) == 60 and backoff_seconds(20) == 6 * 3600


def test_a_rolled_back_change_leaves_no_delivery(actor, receiver):
    d = setup_hook(actor, receiver().url)
    sync_flags(d, [Result("mx.judicial_48h", "overdue")], T0 + hours(50))
    db.session.rollback()
    assert db.session.scalars(select(WebhookDelivery)).all() == []

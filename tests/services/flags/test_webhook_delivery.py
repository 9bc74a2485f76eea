"""Webhook delivery: every attempt counted, no transaction across the network call, disabled
webhooks silent, and targets checked again when sending."""
import socket

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from monitor.extensions import db
from monitor.models import Webhook, WebhookDelivery
from monitor.services.flags import webhook_targets, webhooks
from tests.factories import T0, hours
from tests.services.flags.test_webhooks import Receiver, change_flag, setup_hook


@pytest.fixture
def private_allowed(app, monkeypatch):
    """Deliveries to 127.0.0.1 are allowed (the receiver runs here)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)


@pytest.fixture
def receiver():
    made = []
    yield lambda failures=0: made.append(Receiver(failures)) or made[-1]
    for r in made:
        r.close()


def the_delivery():
    db.session.rollback()
    return db.session.scalars(select(WebhookDelivery)).one()


def test_an_attempt_whose_outcome_cannot_be_recorded_still_counts(
        actor, receiver, private_allowed, monkeypatch):
    r = receiver()
    change_flag(setup_hook(actor, r.url))

    def locked(*_args):
        raise OperationalError("UPDATE webhook_deliveries", {}, Exception("database is locked"))
    monkeypatch.setattr(webhooks, "_record_outcome", locked)
    moment = T0 + hours(50)
    for _ in range(webhooks.MAX_ATTEMPTS + 3):
        webhooks.deliver_due(moment)  # never raises: the failure is logged, the loop goes on
        moment += hours(1)  # past the claim, so the delivery is due again
    delivery = the_delivery()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.status == "failed"
    assert len(r.received) == webhooks.MAX_ATTEMPTS  # not sent again forever


def test_no_transaction_is_open_while_sending(actor, private_allowed):
    session = db.session()
    seen = []
    r = Receiver()
    original = r.server.RequestHandlerClass.do_POST

    def do_post(handler):
        seen.append(session.in_transaction())
        original(handler)
    r.server.RequestHandlerClass.do_POST = do_post
    try:
        change_flag(setup_hook(actor, r.url))
        assert webhooks.deliver_due(T0 + hours(50))["delivered"] == 1
    finally:
        r.close()
    assert seen == [False]


def test_a_disabled_webhook_receives_nothing_until_enabled(actor, receiver, private_allowed):
    r = receiver()
    change_flag(setup_hook(actor, r.url))
    admin = actor("admin", ())
    hook = db.session.scalars(select(Webhook)).one()
    webhooks.update(admin, hook.id, {"active": False}, T0)
    assert webhooks.deliver_due(T0 + hours(50)) == {"delivered": 0, "retrying": 0, "failed": 0}
    assert r.received == [] and the_delivery().attempts == 0
    webhooks.update(admin, hook.id, {"active": True}, T0)
    assert webhooks.deliver_due(T0 + hours(50))["delivered"] == 1


def test_a_private_target_is_refused_at_delivery(actor, receiver, app, monkeypatch):
    r = receiver()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    change_flag(setup_hook(actor, r.url))  # registered while allowed
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    assert webhooks.deliver_due(T0 + hours(50))["retrying"] == 1
    delivery = the_delivery()
    assert r.received == [] and delivery.attempts == 1
    assert "private" in delivery.last_error


def test_a_name_that_now_resolves_inside_is_refused(actor, receiver, app, monkeypatch):
    """DNS rebinding: the name passed at registration, the address it gives later does not."""
    r = receiver()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    port = r.server.server_address[1]
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
    monkeypatch.setattr(webhook_targets, "_addresses", lambda host, p: public)
    change_flag(setup_hook(actor, f"http://hooks.partner.example:{port}/hook"))
    inside = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    monkeypatch.setattr(webhook_targets, "_addresses", lambda host, p: inside)
    webhooks.deliver_due(T0 + hours(50))
    assert r.received == [] and "private" in the_delivery().last_error


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/h", "http://localhost:8080/h", "http://10.1.2.3/h", "http://192.168.0.9/h",
    "http://172.16.0.1/h", "http://169.254.169.254/latest/meta-data", "http://[::1]/h",
    "http://[::ffff:127.0.0.1]/h", "http://[fe80::1]/h", "http://0.0.0.0/h", "http://100.64.0.1/h",
])
def test_inside_addresses_are_refused_unless_allowed(url):
    assert "private" in webhook_targets.check_target(url, allow_private=False)
    assert webhook_targets.check_target(url, allow_private=True) is None


@pytest.mark.parametrize("url", ["https://user:pw@ngo.example/h", "https://token@ngo.example/h",
                                 "http://user:@127.0.0.1/h"])
def test_credentials_in_the_url_are_refused_even_when_private_is_allowed(url):
    assert "credentials" in webhook_targets.check_target(url, allow_private=True)


def test_public_and_not_yet_resolvable_targets_are_accepted():
    assert webhook_targets.check_target("https://93.184.216.34/h", allow_private=False) is None
    assert webhook_targets.check_target("https://hooks.invalid/h", allow_private=False) is None


class NotHttp:
    """A TCP server on 127.0.0.1 that answers every connection with something that is not HTTP."""

    def __init__(self):
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HELLO THERE\r\n\r\n")

    def close(self):
        self.sock.close()


def test_a_receiver_that_does_not_speak_http_is_an_attempt_recorded_like_any_failure(
        actor, private_allowed):
    target = NotHttp()
    try:
        detention = setup_hook(actor, target.url)
        for status in ("overdue", "met_late", "overdue"):  # three changes, three deliveries
            change_flag(detention, status)
        report = webhooks.deliver_due(T0 + hours(50))
    finally:
        target.close()
    db.session.rollback()
    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert len(deliveries) == 3
    assert report == {"delivered": 0, "retrying": 3, "failed": 0}
    assert all(d.attempts == 1 and d.last_error and d.status == "pending" for d in deliveries)


def test_a_webhook_deleted_while_its_delivery_is_in_flight_ends_the_tick_cleanly(
        actor, receiver, private_allowed, monkeypatch):
    r = receiver()
    change_flag(setup_hook(actor, r.url))
    admin = actor("admin", ())
    hook = db.session.scalars(select(Webhook)).one()
    original = webhooks._send

    def send_then_delete(*args):
        outcome = original(*args)
        webhooks.delete(admin, hook.id, T0)  # the admin deletes it while the POST was out
        return outcome
    monkeypatch.setattr(webhooks, "_send", send_then_delete)
    report = webhooks.deliver_due(T0 + hours(50))
    assert report == {"delivered": 0, "retrying": 0, "failed": 0}
    db.session.rollback()
    assert db.session.scalars(select(WebhookDelivery)).all() == []


@pytest.mark.parametrize("url", ["http://[64:ff9b::7f00:1]/h", "http://[2002:7f00:1::]/h",
                                 "http://[64:ff9b::a01:203]/h", "http://[2002:c0a8:1::]/h"])
def test_loopback_and_private_addresses_inside_nat64_and_6to4_are_refused(url):
    assert "private" in webhook_targets.check_target(url, allow_private=False)

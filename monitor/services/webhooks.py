"""Webhooks: registration (admin), the outbox filled with every flag change, and delivery.

Deliveries are written in the same transaction as the flag change (a transactional outbox),
so a committed change is never without its delivery and a rolled-back one never has one.
Delivery runs from the scheduler: rows are claimed in one short transaction, sent with no
transaction open, and the outcome recorded in another.
"""
import json
import secrets
import uuid
from datetime import timedelta
from urllib import error, request

from sqlalchemy import insert, select, update

from monitor.database import write_intent
from monitor.domain.signing import backoff_seconds, sign
from monitor.exceptions import Invalid, NotFound
from monitor.extensions import db
from monitor.models import Organization, Webhook, WebhookDelivery
from monitor.pagination import paginate
from monitor.services import audit, vault
from monitor.services.access import require_role
from schemas.fields import format_timestamp

MAX_ATTEMPTS = 10
CLAIM_SECONDS = 120
TIMEOUT_SECONDS = 5


def register(actor, data, now):
    """Register a webhook for an organisation; returns (webhook, secret shown once)."""
    require_role(actor, "admin")
    if db.session.get(Organization, data["organization_id"]) is None:
        raise Invalid({"organization_id": ["Unknown organisation."]})
    secret = data.get("secret") or secrets.token_urlsafe(32)
    hook = Webhook(id=data.get("id") or uuid.uuid4(), organization_id=data["organization_id"],
                   url=data["url"], countries=sorted(set(data.get("countries") or [])),
                   active=True, created_at=now)
    hook.secret_enc = vault.cipher().seal(secret, f"webhook:{hook.id}")
    db.session.add(hook)
    audit.record(actor, "webhook.register", now, "webhook", hook.id, {"url": hook.url})
    db.session.commit()
    return hook, secret


def list_webhooks(actor, limit, cursor):
    """Every webhook (admin)."""
    require_role(actor, "admin")
    return paginate(select(Webhook), Webhook.created_at, Webhook.id, limit, cursor)


def list_deliveries(actor, webhook_id, limit, cursor, status=None):
    """A webhook's deliveries, oldest first (admin)."""
    require_role(actor, "admin")
    if db.session.get(Webhook, webhook_id) is None:
        raise NotFound("No such webhook.")
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return paginate(query, WebhookDelivery.created_at, WebhookDelivery.id, limit, cursor)


def replay(actor, delivery_id, now):
    """Send a delivery again at the next tick, whatever its state (admin)."""
    require_role(actor, "admin")
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    delivery.status, delivery.next_attempt_at, delivery.last_error = "pending", now, None
    audit.record(actor, "webhook.replay", now, "webhook_delivery", delivery.id)
    db.session.commit()
    return delivery


def enqueue(views, positions, now):
    """Add a delivery of each changed flag (its view and feed position) to every active
    webhook covering its country."""
    if not views:
        return
    hooks = db.session.scalars(select(Webhook).where(Webhook.active.is_(True))).all()
    rows = []
    for view, seq in zip(views, positions):
        payload = None
        for hook in hooks:
            if hook.countries and view["country"] not in hook.countries:
                continue
            payload = payload or {"event": "flag.changed", "change": seq, "flag": _json_ready(view)}
            rows.append({"id": uuid.uuid4(), "webhook_id": hook.id, "flag_id": view["id"],
                         "change_seq": seq, "payload": payload, "status": "pending", "attempts": 0,
                         "next_attempt_at": now, "created_at": now})
    if rows:
        db.session.execute(insert(WebhookDelivery.__table__), rows)


def _json_ready(view):
    """Timestamps and ids as strings."""
    return {k: format_timestamp(v) if hasattr(v, "tzinfo") else (str(v) if isinstance(v, uuid.UUID) else v)
            for k, v in view.items()}


def _claim(now, limit):
    """Claim due deliveries for CLAIM_SECONDS so no other process sends them meanwhile."""
    with write_intent():
        due = db.session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.status == "pending",
                                             WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.change_seq).limit(limit)).all()
        claimed = []
        for delivery_id in due:
            result = db.session.execute(update(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now)
                .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)))
            if result.rowcount == 1:
                claimed.append(delivery_id)
        db.session.commit()
    return claimed


def _send(hook_url, secret, delivery, now):
    """POST one delivery; returns (HTTP status or None, error text or None)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "safeguards-monitor-webhook/1",
               "X-Monitor-Delivery": str(delivery.id),
               "X-Monitor-Signature": sign(secret, int(now.timestamp()), body)}
    try:
        with request.urlopen(request.Request(hook_url, body, headers, method="POST"),
                             timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (error.URLError, OSError, ValueError) as exc:
        return None, str(exc)[:500]


def deliver_due(now, limit=100):
    """Send what is due; record success, or schedule a retry with back-off. Returns counts."""
    report = {"delivered": 0, "retrying": 0, "failed": 0}
    for delivery_id in _claim(now, limit):
        delivery = db.session.get(WebhookDelivery, delivery_id)
        hook = db.session.get(Webhook, delivery.webhook_id)
        secret = vault.cipher().open(hook.secret_enc, f"webhook:{hook.id}")
        db.session.rollback()  # no transaction stays open while the network is used
        status, problem = _send(hook.url, secret, delivery, now)
        with write_intent():
            delivery = db.session.get(WebhookDelivery, delivery_id)
            delivery.attempts += 1
            delivery.last_status, delivery.last_error = status, problem
            if status is not None and 200 <= status < 300:
                delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
                report["delivered"] += 1
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = "failed", None
                report["failed"] += 1
            else:
                delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
                report["retrying"] += 1
            db.session.commit()
    return report

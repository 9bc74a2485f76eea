"""Webhooks: registration (admin), the outbox filled with every flag change, and delivery.

Deliveries are written in the same transaction as the flag change (a transactional outbox),
so a committed change is never without its delivery and a rolled-back one never has one.
Delivery runs from the scheduler: rows are claimed in one short transaction, sent with no
transaction open, and the outcome recorded in another.
"""
from __future__ import annotations

import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import TYPE_CHECKING, Any, cast

from flask import current_app
from sqlalchemy import delete as sa_delete
from sqlalchemy import insert, select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import SQLAlchemyError

from monitor.database import unit_of_work
from monitor.domain.signing import backoff_seconds, sign
from monitor.exceptions import Conflict, Invalid, found
from monitor.extensions import db
from monitor.models import Organization, Webhook, WebhookDelivery
from monitor.pagination import paginate
from monitor.services import audit, idempotency, runtime
from monitor.services.access import Actor, require_role
from monitor.services.flags import webhook_targets
from schemas.fields import format_timestamp

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

MAX_ATTEMPTS = 10
CLAIM_SECONDS = 120
TIMEOUT_SECONDS = 5
log = logging.getLogger(__name__)


def _allow_private() -> bool:
    """WEBHOOK_ALLOW_PRIVATE: whether URLs may name loopback, private or link-local hosts."""
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def _check_url(url: str) -> None:
    """422 on `url` when webhooks may not point there."""
    problem = webhook_targets.check_target(url, _allow_private())
    if problem:
        raise Invalid({"url": [problem]})


def register(actor: Actor, data: dict[str, Any], now: datetime) -> tuple[Webhook, str | None, bool]:
    """Register a webhook for an organisation; returns (webhook, secret shown once or None
    for a replay, created?). The same id again: 200 if identical, 409 if not."""
    require_role(actor, "admin")
    fingerprint = runtime.cipher().fingerprint(idempotency.canonical(data))
    if data.get("id") is not None:
        existing = db.session.get(Webhook, data["id"])
        if existing is not None:
            if existing.fingerprint is None or not hmac.compare_digest(existing.fingerprint,
                                                                       fingerprint):
                raise Conflict("A webhook with this id exists with different content.")
            return existing, None, False
    if db.session.get(Organization, data["organization_id"]) is None:
        raise Invalid({"organization_id": ["Unknown organisation."]})
    _check_url(data["url"])
    secret = data.get("secret") or secrets.token_urlsafe(32)
    hook = Webhook(id=data.get("id") or uuid.uuid4(), organization_id=data["organization_id"],
                   url=data["url"], countries=sorted(set(data.get("countries") or [])),
                   active=True, created_at=now, fingerprint=fingerprint)
    hook.secret_enc = runtime.cipher().seal(secret, f"webhook:{hook.id}")
    stored, created = idempotency.stage_once(Webhook, hook.id, fingerprint, [hook])
    if not created:  # the same id registered at the same moment by another request
        return stored, None, False
    audit.record(actor, "webhook.register", now, "webhook", hook.id, {"url": hook.url})
    db.session.commit()
    return hook, secret, True


def _get(webhook_id: uuid.UUID) -> Webhook:
    """A webhook by id, or 404."""
    return found(db.session.get(Webhook, webhook_id), "webhook")


def update(actor: Actor, webhook_id: uuid.UUID, changes: dict[str, Any], now: datetime) -> Webhook:
    """Enable or disable a webhook, or change its URL or countries (admin)."""
    require_role(actor, "admin")
    hook = _get(webhook_id)
    if "url" in changes:
        _check_url(changes["url"])
        hook.url = changes["url"]
    if "countries" in changes:
        hook.countries = sorted(set(changes["countries"]))
    if "active" in changes:
        hook.active = changes["active"]
    audit.record(actor, "webhook.update", now, "webhook", hook.id,
                 {k: v for k, v in changes.items() if k in ("url", "countries", "active")})
    db.session.commit()
    return hook


def delete(actor: Actor, webhook_id: uuid.UUID, now: datetime) -> None:
    """Remove a webhook and its outbox (admin); nothing more is sent to it."""
    require_role(actor, "admin")
    hook = _get(webhook_id)
    db.session.execute(sa_delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    db.session.delete(hook)
    audit.record(actor, "webhook.delete", now, "webhook", webhook_id, {"url": hook.url})
    db.session.commit()


def list_webhooks(actor: Actor, limit: int, cursor: str | None) -> tuple[Sequence[Webhook], str | None]:
    """Every webhook (admin)."""
    require_role(actor, "admin")
    return paginate(select(Webhook), Webhook.created_at, Webhook.id, limit, cursor)


def list_deliveries(actor: Actor, webhook_id: uuid.UUID, limit: int, cursor: str | None,
                    status: str | None = None) -> tuple[Sequence[WebhookDelivery], str | None]:
    """A webhook's deliveries, oldest first (admin)."""
    require_role(actor, "admin")
    _get(webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return paginate(query, WebhookDelivery.created_at, WebhookDelivery.id, limit, cursor)


def replay(actor: Actor, delivery_id: uuid.UUID, now: datetime) -> WebhookDelivery:
    """Send a delivery again at the next tick, whatever its state (admin)."""
    require_role(actor, "admin")
    delivery = found(db.session.get(WebhookDelivery, delivery_id), "delivery")
    # Attempts count from the last replay: a failed delivery gets MAX_ATTEMPTS tries again.
    delivery.status, delivery.next_attempt_at, delivery.last_error = "pending", now, None
    delivery.attempts = 0
    audit.record(actor, "webhook.replay", now, "webhook_delivery", delivery.id)
    db.session.commit()
    return delivery


def enqueue(views: Sequence[dict[str, Any]], positions: Sequence[Any], now: datetime, event: str = "flag.changed",
            covers: Callable[[Any, dict[str, Any]], bool] | None = None) -> None:
    """Add a delivery of each changed flag (its view and feed position) to every active
    webhook covering its country (or, given `covers(hook, view)`, those it accepts)."""
    if not views:
        return
    from monitor.services.flags.feed import encode_position
    covers = covers or (lambda hook, view: not hook.countries or view["country"] in hook.countries)
    hooks = db.session.scalars(select(Webhook).where(Webhook.active.is_(True))).all()
    rows = []
    for view, seq in zip(views, positions, strict=False):
        payload = None
        for hook in hooks:
            if not covers(hook, view):
                continue
            # `change` is the sealed feed position (a cursor), never the global counter.
            payload = payload or {"event": event, "change": encode_position(seq),
                                  "flag": json_ready(view)}
            rows.append({"id": uuid.uuid4(), "webhook_id": hook.id, "flag_id": view["id"],
                         "change_seq": seq, "payload": payload, "status": "pending", "attempts": 0,
                         "next_attempt_at": now, "created_at": now})
    if rows:
        db.session.execute(insert(WebhookDelivery.__table__), rows)


def json_ready(view: dict[str, Any]) -> dict[str, Any]:
    """Timestamps and ids as strings."""
    return {k: format_timestamp(v) if hasattr(v, "tzinfo") else (str(v) if isinstance(v, uuid.UUID) else v)
            for k, v in view.items()}


def _claim(now: datetime, limit: int) -> list[Any]:
    """Claim due deliveries of active webhooks for CLAIM_SECONDS so no other process sends
    them meanwhile, counting the attempt now: a send whose outcome cannot be recorded later
    still counts, so it is retried with the others and given up after MAX_ATTEMPTS."""
    with unit_of_work():
        due = db.session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
                   Webhook.active.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.change_seq)
            .limit(limit)).all()
        claimed = []
        for delivery_id, attempts in due:
            guard = sa_update(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now, WebhookDelivery.attempts == attempts)
            if attempts >= MAX_ATTEMPTS:  # every attempt sent, none answered or recorded
                db.session.execute(guard.values(status="failed", next_attempt_at=None))
                continue
            result = cast("CursorResult[Any]", db.session.execute(guard.values(
                attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))))
            if result.rowcount == 1:
                claimed.append(delivery_id)
    return claimed


def _send(hook_url: str, secret: str, delivery_id: Any, payload: Any, now: datetime
          ) -> tuple[int | None, str | None]:
    """POST one delivery; returns (HTTP status or None, error text or None)."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "safeguards-monitor-webhook/1",
               "X-Monitor-Delivery": str(delivery_id),
               "X-Monitor-Signature": sign(secret, int(now.timestamp()), body)}
    try:
        status = webhook_targets.post(hook_url, body, headers, TIMEOUT_SECONDS, _allow_private())
    except (OSError, ValueError, HTTPException) as exc:  # refused target, DNS, connection,
        # TLS, timeout, or an answer that is not HTTP
        return None, (str(exc) or type(exc).__name__)[:500]
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def _record_outcome(delivery_id: Any, status: int | None, problem: str | None,
                    now: datetime) -> str | None:
    """Store one attempt's outcome; returns "delivered", "failed" or "retrying" (None when the
    webhook and its deliveries were deleted while the attempt was out)."""
    with unit_of_work():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return None
        delivery.last_status, delivery.last_error = status, problem
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
            outcome = "delivered"
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = "failed", None
            outcome = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
            outcome = "retrying"
    return outcome


def deliver_due(now: datetime, limit: int = 100) -> dict[str, int]:
    """Send what is due; record success, or schedule a retry with back-off. Returns counts."""
    report = {"delivered": 0, "retrying": 0, "failed": 0}
    for delivery_id in _claim(now, limit):
        delivery = db.session.get(WebhookDelivery, delivery_id)
        hook = db.session.get(Webhook, delivery.webhook_id) if delivery is not None else None
        if delivery is None or hook is None:  # deleted since it was claimed: nothing to send
            db.session.rollback()
            continue
        secret = runtime.cipher().open(hook.secret_enc, f"webhook:{hook.id}")
        url, payload = hook.url, delivery.payload
        db.session.rollback()  # no transaction stays open while the network is used
        status, problem = _send(url, secret, delivery_id, payload, now)
        try:
            outcome = _record_outcome(delivery_id, status, problem, now)
            if outcome is not None:
                report[outcome] += 1
        except SQLAlchemyError:
            # The attempt was counted when claimed; the claim runs out and it is retried.
            db.session.rollback()
            log.exception("could not record the outcome of webhook delivery %s", delivery_id)
            report["retrying"] += 1
    return report

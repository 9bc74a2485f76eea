"""Webhooks for partners who cannot poll (admin)."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, current_actor, now, page
from monitor.services.flags import webhooks
from monitor.services.flags.presenters import webhook_view
from schemas.common import PageArgs, page_of
from schemas.webhooks import DeliveryListArgs, DeliverySchema, WebhookInSchema, WebhookSchema, WebhookUpdateSchema

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks")


@bp.route("", methods=["POST"])
@authenticated(bp)
@bp.arguments(WebhookInSchema)
@bp.response(201, WebhookSchema)
@bp.alt_response(200, schema=WebhookSchema, description="Identical replay of an existing id")
def register(data):
    """Register a URL for an organisation; every flag change in its countries is POSTed, signed.

    The same id again: 200 if identical (the secret is not shown again), 409 if not."""
    hook, secret, created = webhooks.register(current_actor(), data, now())
    return (webhook_view(hook, secret), 201) if created else (webhook_view(hook), 200)


@bp.route("/<uuid:webhook_id>", methods=["PATCH"])
@authenticated(bp)
@bp.arguments(WebhookUpdateSchema)
@bp.response(200, WebhookSchema)
def update(data, webhook_id):
    """Disable or enable a webhook (`active`), or change its URL or countries."""
    return webhook_view(webhooks.update(current_actor(), webhook_id, data, now()))


@bp.route("/<uuid:webhook_id>", methods=["DELETE"])
@authenticated(bp)
@bp.response(204)
def delete(webhook_id):
    """Remove a webhook and its pending and past deliveries."""
    webhooks.delete(current_actor(), webhook_id, now())


@bp.route("")
@authenticated(bp)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(WebhookSchema, "WebhookPage"))
def list_webhooks(args):
    """Registered webhooks."""
    return page(webhooks.list_webhooks(current_actor(), args["limit"], args["cursor"]))


@bp.route("/<uuid:webhook_id>/deliveries")
@authenticated(bp)
@bp.arguments(DeliveryListArgs, location="query")
@bp.response(200, page_of(DeliverySchema, "DeliveryPage"))
def list_deliveries(args, webhook_id):
    """A webhook's outbox: pending, delivered and failed deliveries."""
    return page(webhooks.list_deliveries(current_actor(), webhook_id, args["limit"], args["cursor"],
                                         args.get("status")))


@bp.route("/deliveries/<uuid:delivery_id>/replay", methods=["POST"])
@authenticated(bp)
@bp.response(200, DeliverySchema)
def replay(delivery_id):
    """Queue a delivery to be sent again at the next scheduler tick."""
    return webhooks.replay(current_actor(), delivery_id, now())

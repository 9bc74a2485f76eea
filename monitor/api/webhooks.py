"""Webhooks for partners who cannot poll (admin)."""
from monitor.api.common import authenticated, current_actor, now, page
from monitor.parsing import Blueprint
from monitor.services import webhooks
from schemas.common import PageArgs, page_of
from schemas.webhooks import DeliveryListArgs, DeliverySchema, WebhookInSchema, WebhookSchema

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks")


@bp.route("", methods=["POST"])
@authenticated(bp)
@bp.arguments(WebhookInSchema)
@bp.response(201, WebhookSchema)
def register(data):
    """Register a URL for an organisation; every flag change in its countries is POSTed, signed."""
    hook, secret = webhooks.register(current_actor(), data, now())
    return {**{k: getattr(hook, k) for k in ("id", "organization_id", "url", "countries",
                                             "active", "created_at")}, "secret": secret}


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

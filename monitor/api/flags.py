"""Flags: acknowledge and dismiss; the rule sets behind them."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, conditional, current_actor, next_link, now
from monitor.services.evaluation import rulebook
from monitor.services.flags import actions as flags
from monitor.services.flags import feed
from schemas.detentions import FlagSchema
from schemas.feed import FeedArgs, FeedPageSchema
from schemas.flags import AcknowledgeSchema, DismissSchema, RuleSetListSchema

bp = Blueprint("flags", __name__, url_prefix="/api/v1", description="Flags and rules")


@bp.route("/flags/<uuid:flag_id>/acknowledge", methods=["POST"])
@authenticated(bp)
@bp.arguments(AcknowledgeSchema)
@bp.response(200, FlagSchema)
def acknowledge(data, flag_id):
    """Acknowledge an open flag (partner, admin)."""
    return flags.flag_view(flags.acknowledge(current_actor(), flag_id, data["note"], now()))


@bp.route("/flags/<uuid:flag_id>/dismiss", methods=["POST"])
@authenticated(bp)
@bp.arguments(DismissSchema)
@bp.response(200, FlagSchema)
def dismiss(data, flag_id):
    """Dismiss a flag raised in error (admin)."""
    return flags.flag_view(flags.dismiss(current_actor(), flag_id, data["reason"], now()))


@bp.route("/rules")
@authenticated(bp)
@bp.response(200, RuleSetListSchema)
def list_rules():
    """Every rule set in force: national sets and the international set."""
    return {"items": rulebook.list_rule_sets(current_actor())}


@bp.route("/flags")
@authenticated(bp)
@bp.arguments(FeedArgs, location="query")
@bp.response(200, FeedPageSchema)
@bp.alt_response(304, description="Nothing changed (If-None-Match matched the ETag)")
def flag_feed(args):
    """Change feed: flags created or changed after `since`, in order, exactly once."""
    filters = {k: args.get(k) for k in ("status", "country", "safeguard", "severity")}
    rows, next_cursor = feed.read_feed(current_actor(), args.get("since") or args.get("cursor"),
                                       args["limit"], **filters)
    body = {"items": rows, "next_cursor": next_cursor}
    # next_cursor is never null here; only a full page says that more may be waiting.
    full = len(rows) == args["limit"]
    headers = next_link(next_cursor, "since", aliases=("cursor",)) if full else None
    return conditional(body, FeedPageSchema(), headers)

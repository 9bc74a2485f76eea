"""Detentions and their custody events."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, created_or_replayed, current_actor, now, page
from monitor.services.custody import detentions, events, records
from monitor.services.custody.presenters import event_view
from schemas.common import page_of
from schemas.detentions import (
    DetentionInSchema,
    DetentionListArgs,
    DetentionSchema,
    DetentionSummarySchema,
    SafeguardSchema,
)
from schemas.events import EventInSchema, EventSchema

bp = Blueprint("detentions", __name__, url_prefix="/api/v1/detentions", description="Detentions")


@bp.route("", methods=["POST"])
@authenticated(bp)
@bp.arguments(DetentionInSchema)
@bp.response(201, DetentionSchema)
@bp.alt_response(200, schema=DetentionSchema, description="Identical replay of an existing id")
def create_detention(data):
    """Record a detention and its arrest (monitor, admin); same id and content again → 200."""
    actor, moment = current_actor(), now()
    return created_or_replayed(detentions.create_detention(actor, data, moment),
                               lambda d: records.full_view(actor, d, moment, audited=False),
                               "detentions.get_detention", "detention_id")


@bp.route("")
@authenticated(bp)
@bp.arguments(DetentionListArgs, location="query")
@bp.response(200, page_of(DetentionSummarySchema, "DetentionPage"))
def list_detentions(args):
    """Detentions in the caller's countries (partners: without identities)."""
    actor, moment = current_actor(), now()
    filters = {k: args.get(k) for k in ("status", "facility_id", "country", "flagged")}
    rows, next_cursor = detentions.list_detentions(actor, args["limit"], args["cursor"], **filters)
    return page((records.list_views(actor, rows, moment), next_cursor))


@bp.route("/<uuid:detention_id>")
@authenticated(bp)
@bp.response(200, DetentionSchema)
def get_detention(detention_id):
    """One detention with its events, safeguards and open flags."""
    actor, moment = current_actor(), now()
    return records.full_view(actor, detentions.get_detention(actor, detention_id), moment)


@bp.route("/<uuid:detention_id>/events", methods=["POST"])
@authenticated(bp)
@bp.arguments(EventInSchema)
@bp.response(201, EventSchema)
@bp.alt_response(200, schema=EventSchema, description="Identical replay of an existing id")
def add_event(data, detention_id):
    """Record a custody event (monitor, admin); same id and content again → 200."""
    actor = current_actor()
    return created_or_replayed(events.add_event(actor, detention_id, data, now()),
                               lambda e: event_view(e, actor))


@bp.route("/<uuid:detention_id>/events")
@authenticated(bp)
@bp.response(200, page_of(EventSchema, "EventList"))
def list_events(detention_id):
    """The detention's events in chronological order (one page: `next_cursor` is null)."""
    return {"items": events.list_events(current_actor(), detention_id, now()), "next_cursor": None}


@bp.route("/<uuid:detention_id>/safeguards")
@authenticated(bp)
@bp.response(200, page_of(SafeguardSchema, "SafeguardList"))
def get_safeguards(detention_id):
    """One entry per applicable rule: status, due and met times, citation (one page)."""
    actor, moment = current_actor(), now()
    items = records.safeguards(detentions.get_detention(actor, detention_id), moment)
    return {"items": items, "next_cursor": None}

"""Monitors' visits and the phones' sync endpoint."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, created_or_replayed, current_actor, now, page
from monitor.services.custody import sync, visits
from schemas.common import page_of
from schemas.visits import SyncResponseSchema, SyncSchema, VisitInSchema, VisitListArgs, VisitSchema

bp = Blueprint("visits", __name__, url_prefix="/api/v1", description="Visits and field sync")


@bp.route("/visits", methods=["POST"])
@authenticated(bp)
@bp.arguments(VisitInSchema)
@bp.response(201, VisitSchema)
@bp.alt_response(200, schema=VisitSchema, description="Identical replay of an existing id")
def create_visit(data):
    """Record a visit (monitor, admin); denied visits are kept and counted."""
    actor = current_actor()
    return created_or_replayed(visits.create_visit(actor, data, now()),
                               lambda v: visits.visit_view(v, actor), "visits.get_visit", "visit_id")


@bp.route("/visits")
@authenticated(bp)
@bp.arguments(VisitListArgs, location="query")
@bp.response(200, page_of(VisitSchema, "VisitPage"))
def list_visits(args):
    """Visits in the caller's countries, by facility, access and start time (`from`, `to`)."""
    actor = current_actor()
    result = visits.list_visits(actor, args["limit"], args["cursor"], args.get("facility_id"),
                                args.get("access"), args.get("from_"), args.get("to"))
    return page(result, lambda v: visits.visit_view(v, actor))


@bp.route("/visits/<uuid:visit_id>")
@authenticated(bp)
@bp.response(200, VisitSchema)
def get_visit(visit_id):
    """One visit."""
    actor = current_actor()
    return visits.visit_view(visits.get_visit(actor, visit_id), actor)


@bp.route("/sync", methods=["POST"])
@authenticated(bp)
@bp.arguments(SyncSchema)
@bp.response(200, SyncResponseSchema)
def sync_batch(data):
    """Apply a phone's batch; each item succeeds or fails alone; replays change nothing."""
    return {"results": sync.sync_batch(current_actor(), data, now())}


# The parser leaves out-of-range numbers and lone surrogates inside items to the service, so
# such an item is `invalid` alone instead of failing the whole batch.
sync_batch.checks_items_alone = True

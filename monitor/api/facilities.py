"""Facilities."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, created_or_replayed, current_actor, now, page
from monitor.services.custody import facilities
from monitor.services.custody.presenters import facility_view
from schemas.common import page_of
from schemas.facilities import FacilityInSchema, FacilityListArgs, FacilitySchema

bp = Blueprint("facilities", __name__, url_prefix="/api/v1/facilities", description="Facilities")


@bp.route("", methods=["POST"])
@authenticated(bp)
@bp.arguments(FacilityInSchema)
@bp.response(201, FacilitySchema)
@bp.alt_response(200, schema=FacilitySchema, description="Identical replay of an existing id")
def create_facility(data):
    """Record a facility (monitor, admin); same id and content again → 200."""
    return created_or_replayed(facilities.create_facility(current_actor(), data, now()), facility_view,
                               "facilities.get_facility", "facility_id")


@bp.route("")
@authenticated(bp)
@bp.arguments(FacilityListArgs, location="query")
@bp.response(200, page_of(FacilitySchema, "FacilityPage"))
def list_facilities(args):
    """Facilities in the caller's countries."""
    result = facilities.list_facilities(
        current_actor(), args["limit"], args["cursor"], args.get("country"), args.get("kind"))
    return page(result, facility_view)


@bp.route("/<uuid:facility_id>")
@authenticated(bp)
@bp.response(200, FacilitySchema)
def get_facility(facility_id):
    """One facility."""
    return facility_view(facilities.get_facility(current_actor(), facility_id))

"""Research: pseudonymised exports and compliance statistics."""
from flask import Response, stream_with_context

from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, current_actor, now
from monitor.domain.research import MIN_CELL
from monitor.services.research import exports as research
from monitor.services.research import impunity, statistics
from schemas.research import AccountabilityArgs, AccountabilitySchema, ComplianceSchema, ExportArgs, StatsArgs

bp = Blueprint("research", __name__, url_prefix="/api/v1", description="Research")
MIMETYPES = {"ndjson": "application/x-ndjson", "json": "application/json", "csv": "text/csv"}


@bp.route("/exports/detentions")
@authenticated(bp)
@bp.arguments(ExportArgs, location="query")
@bp.response(200, description="Streamed pseudonymised records (NDJSON, JSON array or CSV)")
def export_detentions(args):
    """Every matching detention, pseudonymised, streamed (researcher, admin)."""
    actor, fmt = current_actor(), args["format"]
    # The service authorizes at the call, before the stream exists: a refusal is a real 403.
    body = research.export(actor, fmt, now(), args.get("country"), args.get("from_"), args.get("to"))
    response = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="detentions.{fmt}"'
    return response


@bp.route("/stats/compliance")
@authenticated(bp)
@bp.arguments(StatsArgs, location="query")
@bp.response(200, ComplianceSchema)
def compliance(args):
    """Outcome counts and median hours per group and safeguard; groups under 5 suppressed."""
    items = statistics.compliance(current_actor(), args["group_by"], now(), args.get("country"),
                                args.get("from_"), args.get("to"))
    return {"group_by": args["group_by"], "min_cell": MIN_CELL, "items": items}


@bp.route("/stats/accountability")
@authenticated(bp)
@bp.arguments(AccountabilityArgs, location="query")
@bp.response(200, AccountabilitySchema)
def accountability(args):
    """After allegations of ill-treatment: complaints, investigations, prosecutions,
    convictions, confessions admitted; groups and cells under 5 suppressed."""
    body = impunity.accountability(current_actor(), args["group_by"], now(), args.get("country"),
                                   args.get("from_"), args.get("to"))
    return dict(body, min_cell=MIN_CELL)

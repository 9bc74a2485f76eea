"""The audit trail (admin)."""
from monitor.api.blueprint import Blueprint
from monitor.api.common import authenticated, current_actor, page
from monitor.services import audit
from schemas.audit import AuditArgs, AuditEntrySchema
from schemas.common import page_of

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail")


@bp.route("")
@authenticated(bp)
@bp.arguments(AuditArgs, location="query")
@bp.response(200, page_of(AuditEntrySchema, "AuditPage"))
def list_audit(args):
    """Every write and every read of a person's identity, in order, hash-chained."""
    return page(audit.list_entries(current_actor(), args["limit"], args["cursor"], args.get("action")))

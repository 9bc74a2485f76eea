"""Liveness and readiness: `/healthz`."""
from flask import Blueprint, jsonify

from monitor.services.ops.health import health_report

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """Database reachability and when the last sweep finished (no auth)."""
    report = health_report()
    return jsonify(report), 200 if report["database"] == "ok" else 503

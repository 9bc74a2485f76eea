"""APScheduler wiring: it only calls the sweep service, under a database lease."""
import logging
import os
import socket
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.extensions import db
from monitor.services import sweep as sweep_service
from monitor.services import webhooks

log = logging.getLogger(__name__)


def holder_name():
    """Identify this process in the lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_seconds(config):
    """The sweep lease: SWEEP_LEASE_SECONDS, or five intervals and at least 60 s."""
    return config["SWEEP_LEASE_SECONDS"] or max(60, 5 * config["SWEEP_INTERVAL_SECONDS"])


def run_sweep_job(app):
    """One scheduled tick: sweep if this process can take the lease, renewing it per batch."""
    holder = holder_name()
    with app.app_context():
        now = datetime.now(timezone.utc)
        lease = lease_seconds(app.config)

        def renew():
            sweep_service.acquire_lease(holder, datetime.now(timezone.utc), lease)
        try:
            if not sweep_service.acquire_lease(holder, now, lease):
                return None
            report = sweep_service.sweep(now, app.config["SWEEP_BATCH_SIZE"], renew)
            sweep_service.release_lease(holder)
            log.info("sweep: %s", {k: v for k, v in report.items() if k != "raised_rules"})
            return report
        except Exception:  # the scheduler must survive a failing tick; the next one retries
            log.exception("sweep failed")
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def run_delivery_job(app):
    """One webhook tick: send due deliveries (claims make concurrent processes safe)."""
    with app.app_context():
        try:
            report = webhooks.deliver_due(datetime.now(timezone.utc))
            if any(report.values()):
                log.info("webhooks: %s", report)
            return report
        except Exception:  # a failing tick must not kill the scheduler
            log.exception("webhook delivery failed")
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def _add_job(scheduler, app):
    """Register the jobs once each, replacing any previous registration."""
    start = datetime.now(timezone.utc)
    scheduler.add_job(run_sweep_job, "interval", args=[app], id="sweep", replace_existing=True,
                      seconds=app.config["SWEEP_INTERVAL_SECONDS"], coalesce=True,
                      max_instances=1, next_run_time=start)
    scheduler.add_job(run_delivery_job, "interval", args=[app], id="webhooks",
                      replace_existing=True, seconds=app.config["WEBHOOK_INTERVAL_SECONDS"],
                      coalesce=True, max_instances=1, next_run_time=start)


def start_scheduler(app):
    """Start the background scheduler in this (web) process, if SCHEDULER_ENABLED."""
    if not app.config.get("SCHEDULER_ENABLED") or app.config.get("TESTING"):
        return None
    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    _add_job(scheduler, app)
    scheduler.start()
    app.extensions["monitor.scheduler"] = scheduler
    return scheduler


def run_dedicated_scheduler(app):
    """Run the scheduler in the foreground (`flask scheduler`), for SCHEDULER_ENABLED=0 webs."""
    scheduler = BlockingScheduler(timezone="UTC")
    _add_job(scheduler, app)
    scheduler.start()

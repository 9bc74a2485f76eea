"""APScheduler wiring: it only calls the sweep service, under a database lease."""
import logging
import os
import socket
import time
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.extensions import db
from monitor.services import attachments, webhooks
from monitor.services import sweep as sweep_service

log = logging.getLogger(__name__)
YIELD_SECONDS = 0.003


def holder_name():
    """Identify this process in the lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_seconds(config):
    """The sweep lease: SWEEP_LEASE_SECONDS, or five intervals and at least 60 s."""
    return config["SWEEP_LEASE_SECONDS"] or max(60, 5 * config["SWEEP_INTERVAL_SECONDS"])


def run_sweep_job(app, only_if_due=False):
    """One scheduled tick: sweep if this process can take the lease, renewing it as it goes.

    `only_if_due` (the frequent evaluation tick): first look, in one indexed read, whether
    any detention is due (written to since its last evaluation, or a deadline has passed),
    and do nothing more when none is."""
    holder = holder_name()
    with app.app_context():
        now = datetime.now(timezone.utc)
        lease = lease_seconds(app.config)
        if only_if_due and not sweep_service.anything_due(now):
            db.session.remove()
            return None

        renewed = [time.monotonic()]

        def between_batches():
            # Writers queued for the write lock go first (they poll it at least every
            # millisecond; this process would otherwise take it straight back).
            time.sleep(YIELD_SECONDS)
            if time.monotonic() - renewed[0] > lease / 3:
                sweep_service.acquire_lease(holder, datetime.now(timezone.utc), lease)
                renewed[0] = time.monotonic()
        try:
            if not sweep_service.acquire_lease(holder, now, lease):
                return None
            size = app.config["EVALUATION_BATCH_SIZE" if only_if_due else "SWEEP_BATCH_SIZE"]
            report = sweep_service.sweep(now, size, between_batches)
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


def run_attachment_cleanup_job(app):
    """One cleanup tick: remove uploads abandoned for ATTACHMENT_ABANDON_HOURS."""
    with app.app_context():
        try:
            removed = attachments.remove_abandoned(datetime.now(timezone.utc),
                                                   app.config["ATTACHMENT_ABANDON_HOURS"])
            if removed:
                log.info("attachments: %d abandoned uploads removed", removed)
            return removed
        except Exception:  # a failing tick must not kill the scheduler
            log.exception("attachment cleanup failed")
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
    scheduler.add_job(run_sweep_job, "interval", args=[app], kwargs={"only_if_due": True},
                      id="evaluate", replace_existing=True, coalesce=True, max_instances=1,
                      seconds=app.config["EVALUATION_INTERVAL_SECONDS"])
    scheduler.add_job(run_delivery_job, "interval", args=[app], id="webhooks",
                      replace_existing=True, seconds=app.config["WEBHOOK_INTERVAL_SECONDS"],
                      coalesce=True, max_instances=1, next_run_time=start)
    scheduler.add_job(run_attachment_cleanup_job, "interval", args=[app], id="attachments",
                      replace_existing=True, seconds=3600, coalesce=True, max_instances=1)


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

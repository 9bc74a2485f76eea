"""APScheduler wiring: it only calls the sweep service, under a database lease."""
import logging
import os
import socket
import time
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor import walcheckpoint
from monitor.extensions import db
from monitor.services.evaluation import sweep as sweep_service
from monitor.services.evidence import uploads as attachments
from monitor.services.flags import webhooks
from monitor.services.research import facts

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
    lease = lease_seconds(app.config)
    renewed = [time.monotonic()]

    def between_batches():
        # Writers queued for the write lock go first (they poll it at least every
        # millisecond; this process would otherwise take it straight back).
        time.sleep(YIELD_SECONDS)
        if time.monotonic() - renewed[0] > lease / 3:
            sweep_service.acquire_lease(holder, datetime.now(timezone.utc), lease)
            renewed[0] = time.monotonic()

    def work():
        now = datetime.now(timezone.utc)
        if only_if_due and not sweep_service.anything_due(now):
            return None
        if not sweep_service.acquire_lease(holder, now, lease):
            return None
        renewed[0] = time.monotonic()
        size = app.config["EVALUATION_BATCH_SIZE" if only_if_due else "SWEEP_BATCH_SIZE"]
        report = sweep_service.sweep(now, size, between_batches)
        if report["examined"]:  # new outcomes appended changes to the statistics' counts
            facts.fold_if_grown(app.config["COMPLIANCE_FOLD_ROWS"])
        sweep_service.release_lease(holder)
        log.info("sweep: %s", {k: v for k, v in report.items() if k != "raised_rules"})
        return report
    return _guarded_tick(app, "sweep", work)


def _guarded_tick(app, what, work):
    """Run `work()` in an app context; a failing tick is logged and rolled back, never raised
    (the scheduler must survive it, and the next tick retries)."""
    with app.app_context():
        try:
            return work()
        except Exception:
            log.exception("%s failed", what)
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def run_delivery_job(app):
    """One webhook tick: send due deliveries (claims make concurrent processes safe)."""
    def work():
        report = webhooks.deliver_due(datetime.now(timezone.utc))
        if any(report.values()):
            log.info("webhooks: %s", report)
        return report
    return _guarded_tick(app, "webhook delivery", work)


def run_attachment_cleanup_job(app):
    """One cleanup tick: remove uploads abandoned for ATTACHMENT_ABANDON_HOURS."""
    def work():
        removed = attachments.remove_abandoned(datetime.now(timezone.utc),
                                               app.config["ATTACHMENT_ABANDON_HOURS"])
        if removed:
            log.info("attachments: %d abandoned uploads removed", removed)
        return removed
    return _guarded_tick(app, "attachment cleanup", work)


def _add_job(scheduler, app):
    """Register the jobs once each, replacing any previous registration."""
    start = datetime.now(timezone.utc)
    config = app.config
    jobs = [  # id, function, keyword arguments, interval in seconds, run at once
        ("sweep", run_sweep_job, {}, config["SWEEP_INTERVAL_SECONDS"], True),
        ("evaluate", run_sweep_job, {"only_if_due": True}, config["EVALUATION_INTERVAL_SECONDS"], False),
        ("webhooks", run_delivery_job, {}, config["WEBHOOK_INTERVAL_SECONDS"], True),
        ("attachments", run_attachment_cleanup_job, {}, 3600, False),
    ]
    for job_id, function, kwargs, seconds, at_once in jobs:
        extra = {"next_run_time": start} if at_once else {}
        scheduler.add_job(function, "interval", args=[app], kwargs=kwargs, id=job_id, replace_existing=True,
                          seconds=seconds, coalesce=True, max_instances=1, **extra)


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
    """Run the scheduler in the foreground (`flask scheduler`), for SCHEDULER_ENABLED=0 webs.

    Like a web worker, the process checkpoints SQLite's WAL from a thread of its own
    (monitor.walcheckpoint): otherwise the sweep's commits would each copy the WAL back into
    the database file themselves."""
    checkpointer = walcheckpoint.start(app)
    scheduler = BlockingScheduler(timezone="UTC")
    _add_job(scheduler, app)
    try:
        scheduler.start()
    finally:
        if checkpointer is not None:
            checkpointer.stop()

"""The scheduler's wiring: every job registered once with its interval, and a failing tick
logged and survived (the next one retries)."""
import logging

from apscheduler.schedulers.background import BackgroundScheduler

from monitor import scheduler
from monitor.services.flags import webhooks


def test_every_job_is_registered_once_with_its_interval(app):
    jobs = BackgroundScheduler(timezone="UTC")
    scheduler._add_job(jobs, app)
    scheduler._add_job(jobs, app)  # registering again replaces, never doubles
    seen = {job.id: job for job in jobs.get_jobs()}
    assert sorted(seen) == ["attachments", "evaluate", "sweep", "webhooks"]
    assert seen["sweep"].trigger.interval.total_seconds() == app.config["SWEEP_INTERVAL_SECONDS"]
    assert seen["evaluate"].trigger.interval.total_seconds() == app.config["EVALUATION_INTERVAL_SECONDS"]
    assert seen["evaluate"].kwargs == {"only_if_due": True}
    assert seen["webhooks"].trigger.interval.total_seconds() == app.config["WEBHOOK_INTERVAL_SECONDS"]
    assert seen["attachments"].trigger.interval.total_seconds() == 3600


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_a_failing_tick_is_logged_and_survived(app, monkeypatch):
    def broken(now):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(webhooks, "deliver_due", broken)
    kept = _Kept()
    scheduler.log.addHandler(kept)  # the app's logging setup may not propagate to pytest
    try:
        assert scheduler.run_delivery_job(app) is None
    finally:
        scheduler.log.removeHandler(kept)
    assert [r.getMessage() for r in kept.records] == ["webhook delivery failed"]
    assert kept.records[0].exc_info[1].args == ("the database went away",)
    monkeypatch.undo()
    assert scheduler.run_delivery_job(app) == {"delivered": 0, "retrying": 0, "failed": 0}

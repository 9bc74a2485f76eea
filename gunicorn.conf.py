"""gunicorn settings: each worker starts the in-process scheduler (a lease lets one sweep)."""
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 60
accesslog = os.environ.get("ACCESS_LOG", "-")


def post_worker_init(worker):
    """Start the sweep scheduler in this worker unless SCHEDULER_ENABLED is off."""
    from monitor.scheduler import start_scheduler
    start_scheduler(worker.wsgi)

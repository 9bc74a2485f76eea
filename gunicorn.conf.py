"""gunicorn settings: each worker starts the in-process scheduler (a lease lets one sweep)."""
import os

from monitor.api import gunicorn_errors

# gunicorn's own refusals (URL or headers too long, malformed requests) as problem+json.
gunicorn_errors.install()

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers: the worker keeps signalling the arbiter while a thread streams a long
# export, so `timeout` only ends a worker that is really stuck (a sync worker streaming a
# million-row export for longer than `timeout` would be killed mid-response). One thread by
# default: on SQLite more threads only queue on the one write lock (and wait longer there).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "1"))
# No keep-alive: a connection kept open stays with the worker that accepted it, so a few busy
# clients can all land on one worker (one core) while the other idles; closing after each
# response lets every request go to whichever worker takes it (measured with bench/ingest.py:
# 450-860 events/s depending on where wrk's connections landed, about 700 steady without).
# A reverse proxy in front keeps its own client connections alive.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "0"))
timeout = 60
accesslog = os.environ.get("ACCESS_LOG", "-")


def post_worker_init(worker):
    """Start this worker's WAL checkpointer (SQLite) and, unless SCHEDULER_ENABLED is off,
    the sweep scheduler; then settle the garbage collector (monitor.gctuning)."""
    from monitor import gctuning, walcheckpoint
    from monitor.scheduler import start_scheduler
    walcheckpoint.start(worker.wsgi)
    start_scheduler(worker.wsgi)
    gctuning.settle()  # after start-up: what it made is frozen out of the collector's walks

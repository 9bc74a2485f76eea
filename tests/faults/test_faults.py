"""Faults: a worker killed mid-request loses nothing acknowledged; a sweep killed mid-way
and restarted leaves no duplicate and no missing flag. Real processes, a few seconds each."""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Flag
from seed.bulk import generate
from tests.helpers import TEST_DATA_KEY
from tests.processes import listening_socket, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def child_env(app, **extra):
    """The app's own settings, for a server or CLI run in another process."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=app.config["SECRET_KEY"], JWT_SECRET_KEY=app.config["JWT_SECRET_KEY"],
               DATA_KEY=TEST_DATA_KEY, SCHEDULER_ENABLED="0", ACCESS_LOG="")
    env.update(extra)
    return env


def test_killing_a_worker_loses_nothing_acknowledged(app, make_user, detention):
    import http.client
    target = detention()
    token = create_access_token(identity=str(make_user("admin", ()).id))
    listener = listening_socket()  # the kernel's port, held from here until gunicorn takes it over
    port = listener.getsockname()[1]
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2",
                               "-b", f"fd://{listener.fileno()}", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=child_env(app), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              pass_fds=(listener.fileno(),))
    acknowledged, errors, stop = [], [], threading.Event()
    occurred = (datetime.now(timezone.utc) - timedelta(minutes=30)).isoformat()

    def post(event_id):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = f'{{"id":"{event_id}","type":"rights_notified","occurred_at":"{occurred}"}}'
        conn.request("POST", f"/api/v1/detentions/{target['id']}/events", body,
                     {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        return conn.getresponse().status

    def client():
        while not stop.is_set():
            event_id = str(uuid.uuid4())
            for _ in range(50):  # a phone resends the same id until it gets an answer
                try:
                    status = post(event_id)
                except OSError:
                    time.sleep(0.05)
                    continue
                if status in (200, 201):
                    acknowledged.append(event_id)
                elif status >= 500:
                    errors.append(status)
                break

    def answers():
        try:
            return post(str(uuid.uuid4())) in (200, 201)
        except OSError:
            return False

    def workers():
        return subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()

    threads = [threading.Thread(target=client) for _ in range(4)]
    try:
        wait_until(answers, interval=0.1, what="gunicorn to answer")
        wait_until(lambda: len(workers()) == 2, what="both workers")
        for t in threads:
            t.start()
        # Kill a worker once writes are flowing, then keep writing until as many again are
        # acknowledged after the kill (counts, not seconds: a busy machine only makes it slower).
        wait_until(lambda: len(acknowledged) >= 10, what="ten acknowledged writes")
        os.kill(int(workers()[0]), signal.SIGKILL)
        killed_at = len(acknowledged)
        wait_until(lambda: len(acknowledged) >= killed_at + 20 or errors, what="writes after the kill")
    finally:
        stop.set()
        for t in threads:
            if t.ident is not None:  # started
                t.join()
        server.terminate()
        server.wait(30)
        listener.close()
    assert errors == [] and len(acknowledged) > 20
    db.session.rollback()  # a fresh snapshot: the servers wrote after this session last read
    stored = {str(i) for i in db.session.scalars(select(CustodyEvent.id).where(
        CustodyEvent.detention_id == uuid.UUID(target["id"])))}
    assert set(acknowledged) <= stored  # nothing acknowledged was lost (ids are unique keys)


def test_a_sweep_killed_midway_and_restarted_misses_and_duplicates_nothing(app):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    generate(3000, 3000, now, app.extensions["monitor.cipher"], progress=False)
    env = child_env(app, SWEEP_BATCH_SIZE="20")
    sweeper = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "sweep"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def flags_or_exit():
        """The flag count once there are flags, -1 if the sweep ended first, else falsy."""
        db.session.rollback()
        count = db.session.scalar(select(func.count()).select_from(Flag))
        return count or (sweeper.poll() is not None and -1)

    seen = wait_until(flags_or_exit, interval=0.005, what="the sweep's first batch or its exit")
    killed_at = None
    if seen > 0:
        sweeper.send_signal(signal.SIGKILL)
        killed_at = seen
    sweeper.wait(30)
    assert killed_at, "the sweep was not caught mid-way: " + sweeper.stderr.read().decode()[-2000:]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Detention).where(Detention.next_due_at < now)) > 0
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "sweep"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    db.session.rollback()
    pairs = db.session.execute(select(Flag.detention_id, Flag.rule)).all()
    assert len(pairs) == len(set(pairs))  # no duplicate
    flagged = {d for d, _ in pairs}
    due = set(db.session.scalars(select(Detention.id)))
    assert flagged == due  # none missed: every detention past its judge deadline is flagged
    judicial = {d for d, rule in pairs if "judicial" in rule}
    assert judicial == due  # national or international judge deadline flagged for each


def test_the_scheduler_killed_mid_sweep_and_restarted_misses_and_duplicates_nothing(app):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    generate(3000, 3000, now, app.extensions["monitor.cipher"], progress=False)
    env = child_env(app, SWEEP_BATCH_SIZE="20", SWEEP_INTERVAL_SECONDS="1", SWEEP_LEASE_SECONDS="2",
                    WEBHOOK_INTERVAL_SECONDS="3600")

    def start():
        return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "scheduler"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def flags_and_due():
        db.session.rollback()
        return (db.session.scalar(select(func.count()).select_from(Flag)),
                db.session.scalar(select(func.count()).select_from(Detention).where(Detention.next_due_at < now)))

    scheduler = start()
    try:
        # Kill it as soon as the first batches are committed.
        flags, due = wait_until(lambda: (lambda pair: pair if pair[0] else None)(flags_and_due()),
                                interval=0.005, what="the scheduler's first batch")
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(30)
        assert flags and due > 0, "the scheduler was not caught mid-sweep"
        scheduler = start()  # its lease is left behind: the new process waits it out, then sweeps
        wait_until(lambda: flags_and_due()[1] == 0, interval=0.05, what="the restarted scheduler to catch up")
    finally:
        scheduler.terminate()
        scheduler.wait(30)
    pairs = db.session.execute(select(Flag.detention_id, Flag.rule)).all()
    assert len(pairs) == len(set(pairs))  # no duplicate
    assert {d for d, rule in pairs if "judicial" in rule} == set(db.session.scalars(select(Detention.id)))

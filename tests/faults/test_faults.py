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

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from monitor.extensions import db
from monitor.models import CustodyEvent, Detention, Flag
from seed.bulk import generate
from tests.conftest import TEST_DATA_KEY

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
    port = 20000 + os.getpid() % 20000
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2",
                               "-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=child_env(app), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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

    try:
        for _ in range(100):
            try:
                post(str(uuid.uuid4()))
                break
            except OSError:
                time.sleep(0.1)
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(workers[0]), signal.SIGKILL)
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(10)
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
    killed_at = None
    for _ in range(4000):
        db.session.rollback()
        count = db.session.scalar(select(func.count()).select_from(Flag))
        if count:
            sweeper.send_signal(signal.SIGKILL)
            killed_at = count
            break
        if sweeper.poll() is not None:
            break
        time.sleep(0.005)
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
        for _ in range(4000):  # kill it as soon as the first batches are committed
            flags, due = flags_and_due()
            if flags:
                break
            time.sleep(0.005)
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(10)
        assert flags and due > 0, "the scheduler was not caught mid-sweep"
        scheduler = start()  # its lease is left behind: the new process waits it out, then sweeps
        for _ in range(600):
            flags, due = flags_and_due()
            if due == 0:
                break
            time.sleep(0.05)
    finally:
        scheduler.terminate()
        scheduler.wait(10)
    assert due == 0, "the restarted scheduler did not catch up"
    pairs = db.session.execute(select(Flag.detention_id, Flag.rule)).all()
    assert len(pairs) == len(set(pairs))  # no duplicate
    assert {d for d, rule in pairs if "judicial" in rule} == set(db.session.scalars(select(Detention.id)))

"""`postsale worker` as its own process against a real SMTP server, and `postsale sweep`."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from postsale.core import periodic
from postsale.notifications.models import Notification
from postsale.notifications.tests.factories import make_notification
from postsale.notifications.tests.smtp import SmtpSink
from postsale.ops.management.commands import worker as worker_command

# Runs in `postsale shell` in the worker's database: a seller, an order, its payment.
PAY_AN_ORDER = """
from postsale.orders.tests.factories import make_order
from postsale.sellers.tests.factories import make_seller
order = make_order(make_seller(slug="{slug}", name="{name}"), paid=True, email="{email}")
print("ORDER", order.number)
"""


def postsale(*args: str, env: dict) -> str:
    result = subprocess.run([sys.executable, "-m", "postsale.cli", *args], env=env,
                            cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pay_an_order(env: dict, *, slug: str, name: str, email: str) -> str:
    out = postsale("shell", "--no-imports", "-c",
                   PAY_AN_ORDER.format(slug=slug, name=name, email=email), env=env)
    return next(line.split()[1] for line in out.splitlines() if line.startswith("ORDER "))


def sqlite_outbox(db: Path):
    def rows(email: str) -> list[tuple]:
        with sqlite3.connect(db, timeout=10) as con:
            return con.execute("SELECT status, attempts, last_error FROM "
                               "notifications_notification WHERE to_email = ?",
                               (email,)).fetchall()
    return rows


def orm_outbox(email: str) -> list[tuple]:
    return list(Notification.objects.filter(to_email=email)
                .values_list("status", "attempts", "last_error"))


def wait_until(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log.read_text()}"
        time.sleep(0.1)
    return result


@contextmanager
def worker_process(env: dict, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "postsale.cli", "worker"], env=env,
                                   cwd=settings.BASE_DIR, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def worker_db(transactional_db, tmp_path):
    """(DATABASE_URL, outbox reader) for the worker. On a PostgreSQL run: the test database
    itself, outside a test transaction so both processes see committed rows; otherwise a
    fresh SQLite file, migrated by `postsale migrate`."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = db["USER"] + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}", orm_outbox
    path = tmp_path / "postsale.sqlite3"
    return f"sqlite:///{path}", sqlite_outbox(path)


@pytest.fixture
def worker_env(worker_db, tmp_path):
    """Development settings on the worker's database, mail to a local SMTP server."""
    smtp = SmtpSink()
    url, outbox = worker_db
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": url, "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp.port), "EMAIL_TIMEOUT": "3",
           "POSTSALE_SWEEP_INTERVAL": "1", "POSTSALE_MAIL_RETRY_BASE": "1",
           "MEDIA_ROOT": str(tmp_path / "media"), "PYTHONUNBUFFERED": "1"}
    for name in ("EMAIL_BACKEND", "TASKS_BACKEND", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
                 "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        env.pop(name, None)
    if url.startswith("sqlite"):
        postsale("migrate", "--verbosity", "0", env=env)
    yield env, outbox, smtp
    smtp.stop()


def sent(status, attempts, error):
    return status == "sent"


def failed_once(status, attempts, error):
    return status == "queued" and attempts >= 1


def rows_if(outbox, email: str, count: int, condition):
    """The outbox rows to `email` once there are `count` and all meet `condition`."""
    def check():
        rows = outbox(email)
        return rows if len(rows) == count and all(condition(*r) for r in rows) else None
    return check


def test_worker_delivers_order_mail_and_retries_after_an_smtp_outage(worker_env, tmp_path):
    env, outbox, smtp = worker_env
    log = tmp_path / "worker.log"
    smtp.start()
    with worker_process(env, log) as worker:
        number = pay_an_order(env, slug="acme", name="Acme Events", email="anna@example.com")
        rows = wait_until(rows_if(outbox, "anna@example.com", 2, sent), 30,
                          "the order e-mails to be sent", log)
        assert rows == [("sent", 1, "")] * 2
        assert sorted(m["subject"] for m in smtp.messages) == [
            f"Receipt for order {number} – Acme Events",
            f"Your entries for order {number} – Acme Events"]

        smtp.stop()
        number = pay_an_order(env, slug="beta", name="Beta Shop", email="jan@example.com")
        rows = wait_until(rows_if(outbox, "jan@example.com", 2, failed_once), 30,
                          "both e-mails to fail a first attempt", log)
        assert all(error.startswith("ConnectionRefusedError") for _, _, error in rows)

        smtp.start()  # the same port: the worker's sweep delivers them once they are due
        rows = wait_until(rows_if(outbox, "jan@example.com", 2, sent), 30,
                          "the retried e-mails to be sent", log)
        assert all(attempts >= 2 for _, attempts, _ in rows)
        assert worker.poll() is None, log.read_text()
    assert len(smtp.received) == 4, log.read_text()  # nothing twice
    assert sorted(m["subject"] for m in smtp.messages[2:]) == [
        f"Receipt for order {number} – Beta Shop",
        f"Your entries for order {number} – Beta Shop"]


@pytest.fixture
def lost_tasks(transactional_db, settings):
    """Outside a test transaction, as in production (the sweep closes stale connections
    between jobs); delivery tasks go nowhere, as if the worker lost them."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_sweep_command_prints_what_each_job_processed(lost_tasks):
    make_notification()  # queued and due; its task was lost
    out = StringIO()
    call_command("sweep", stdout=out)
    assert "notifications: 1 processed" in out.getvalue().splitlines()
    assert len(mail.outbox) == 1

    out = StringIO()
    call_command("sweep", stdout=out)
    assert "notifications: 0 processed" in out.getvalue().splitlines()


def test_sweep_command_reports_a_failed_job_and_still_runs_the_others(lost_tasks, monkeypatch):
    def broken(*, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(periodic, "_jobs", {"broken": broken, **periodic.jobs()})
    make_notification()
    out = StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("sweep", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "broken: failed (see log)"
    assert "notifications: 1 processed" in lines[1:]
    assert len(mail.outbox) == 1


def test_worker_sweep_thread_survives_a_failing_sweep(monkeypatch, settings):
    settings.POSTSALE_SWEEP_INTERVAL = 0
    stop, calls = threading.Event(), []

    def flaky_sweep():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        stop.set()
        return {"notifications": 0}

    monkeypatch.setattr(worker_command, "run_sweep", flaky_sweep)
    worker_command.Command._sweep_forever(stop)
    assert len(calls) == 2  # it went on after the failure

"""`postsale worker` as its own process against a real SMTP server, and `postsale sweep`."""

import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError

from postsale.core import periodic
from postsale.notifications.tests.factories import make_notification
from postsale.ops.management.commands import worker as worker_command
from postsale.ops.tests.processes import (
    failed_once,
    pay_an_order,
    rows_if,
    sent,
    wait_until,
    worker_process,
)


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

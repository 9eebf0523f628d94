"""Two workers never send the same notification: an attempt takes a lease on the row
(SELECT … FOR UPDATE SKIP LOCKED, then pushes its due time past the attempt)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from postsale.core import clock
from postsale.core.tests.helpers import row_locked_elsewhere
from postsale.notifications import services
from postsale.notifications.models import Notification
from postsale.notifications.services import (
    SEND_LEASE,
    notification_deliver,
    notifications_sweep,
)
from postsale.notifications.tests.factories import make_notification

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class WorkerDied(BaseException):
    """Stands for a process killed mid-send: nothing after it runs."""


def test_deliver_does_nothing_while_another_attempt_holds_the_lease(db, smtp, monkeypatch):
    notification = make_notification()
    raced = []
    real_send = services._send

    def send_while_another_worker_tries(n):
        raced.append(notification_deliver(notification_id=n.pk))
        raced.append(notifications_sweep())
        real_send(n)

    monkeypatch.setattr(services, "_send", send_while_another_worker_tries)
    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert raced == [None, 0]
    assert len(smtp.messages) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_attempt_that_died_mid_send_is_retried_once_its_lease_ends(db, smtp, monkeypatch):
    def die(notification):
        raise WorkerDied

    with time_machine.travel(T0, tick=False) as traveller:
        notification = make_notification()
        monkeypatch.setattr(services, "_send", die)
        with pytest.raises(WorkerDied):
            notification_deliver(notification_id=notification.pk)
        monkeypatch.undo()

        traveller.move_to(T0 + SEND_LEASE - timedelta(seconds=1))
        assert notification_deliver(notification_id=notification.pk) is None
        traveller.move_to(T0 + SEND_LEASE)
        assert notification_deliver(notification_id=notification.pk) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert len(smtp.messages) == 1


def test_lease_runs_from_the_clock_when_the_sweeps_now_is_stale(db, smtp, monkeypatch):
    """A sweep takes `now` once; rows late in a slow batch must not get a lease that has
    already run out."""
    stale = clock.now() - timedelta(hours=1)
    notification = make_notification(now=stale)
    leases = []
    real_send = services._send

    def observe(n):
        leases.append(Notification.objects.get(pk=n.pk).next_attempt_at)
        real_send(n)

    monkeypatch.setattr(services, "_send", observe)
    assert notification_deliver(notification_id=notification.pk, now=stale) == "sent"
    assert leases[0] > clock.now() + SEND_LEASE - timedelta(minutes=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deliver_skips_a_row_another_worker_has_locked(smtp, no_task_worker):
    notification = make_notification()
    with row_locked_elsewhere(Notification.objects.filter(pk=notification.pk)):
        assert notification_deliver(notification_id=notification.pk) is None  # no waiting
        assert notifications_sweep() == 0
    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert len(smtp.messages) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_of_50_notifications_exactly_once(smtp, no_task_worker):
    notifications = [make_notification(to_email=f"guest{i}@example.com") for i in range(50)]
    smtp.delay = 0.005  # keep both sweeps busy at the same time
    start = threading.Barrier(2)
    counts, errors = [], []

    def sweep():
        try:
            start.wait(10)
            counts.append(notifications_sweep())
        except Exception as exc:  # report in the test, not in a thread's traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(counts) == 50
    sent_ids = sorted(m["message-id"] for m in smtp.messages)
    assert sent_ids == sorted(n.message_id for n in notifications)  # each once, none twice
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}

"""Delivery never loses a message: failures are retried with capped exponential backoff,
permanent refusals are marked bounced, and a message is sent once."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from postsale.notifications.models import NotificationStatus
from postsale.notifications.rules import RetryPolicy
from postsale.notifications.services import notification_deliver, notifications_sweep
from postsale.notifications.tests.factories import make_notification

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def queued(frozen, django_capture_on_commit_callbacks):
    """A notification queued at T0 whose first delivery attempt has run (on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = make_notification()
    notification.refresh_from_db()
    return notification


def test_backoff_doubles_from_the_base_up_to_the_cap():
    policy = RetryPolicy(base=30, cap=100, max_attempts=8)
    assert [policy.delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 100, 100, 100]


@pytest.mark.parametrize(("exc", "status"), [
    (ConnectionRefusedError(111, "Connection refused"), "queued"),
    (TimeoutError("timed out"), "queued"),
    (smtplib.SMTPServerDisconnected("gone"), "queued"),
    (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"No such user")}), "bounced"),
    (smtplib.SMTPRecipientsRefused({"a@x.example": (450, b"Mailbox busy")}), "queued"),
    (smtplib.SMTPDataError(554, b"Rejected as spam"), "bounced"),
    (smtplib.SMTPDataError(451, b"Try again later"), "queued"),
    # Our sender or login refused is our configuration, not the recipient's address.
    (smtplib.SMTPSenderRefused(550, b"Not allowed", "no-reply@x.example"), "queued"),
    (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), "queued"),
])
def test_failure_decides_between_retry_and_bounce(exc, status):
    policy = RetryPolicy(base=30, cap=100, max_attempts=3)
    assert policy.status_after_failure(exc, attempts=1) == status
    final = "bounced" if status == "bounced" else "failed"
    assert policy.status_after_failure(exc, attempts=3) == final


def test_smtp_down_then_up_delivers_once_after_the_backoff(smtp_sink, retry_policy, queued,
                                                           frozen):
    assert (queued.status, queued.attempts) == (NotificationStatus.QUEUED, 1)
    assert queued.last_error.startswith("ConnectionRefusedError")
    assert queued.next_attempt_at == T0 + 30 * S

    frozen.move_to(T0 + 29 * S)
    assert notifications_sweep() == 0  # not due yet
    smtp_sink.start()
    assert notifications_sweep() == 0  # the server is back, but the row is still not due
    assert smtp_sink.messages == []

    frozen.move_to(T0 + 30 * S)
    assert notifications_sweep() == 1
    frozen.move_to(T0 + 1 * 3600 * S)
    assert notifications_sweep() == 0
    assert notification_deliver(notification_id=queued.pk) is None

    [message] = smtp_sink.messages
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_error) == ("sent", 2, "")
    assert queued.sent_at == T0 + 30 * S and queued.next_attempt_at is None
    assert message["message-id"] == queued.message_id  # chosen at queue time


def test_gives_up_after_the_last_attempt_and_never_retries(smtp_sink, retry_policy, queued):
    assert queued.next_attempt_at == T0 + 30 * S
    assert notifications_sweep(now=T0 + 30 * S) == 1  # attempt 2 fails: wait 60 s
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.next_attempt_at) == (
        "queued", 2, T0 + 90 * S)

    assert notifications_sweep(now=T0 + 89 * S) == 0
    assert notifications_sweep(now=T0 + 90 * S) == 1  # attempt 3 of 3 fails: give up
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.next_attempt_at) == ("failed", 3, None)
    assert queued.last_error.startswith("ConnectionRefusedError")

    smtp_sink.start()
    assert notifications_sweep(now=T0 + 30 * 86400 * S) == 0
    assert notification_deliver(notification_id=queued.pk, now=T0 + 30 * 86400 * S) is None
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 3)
    assert smtp_sink.messages == []


@pytest.mark.parametrize("reply", [
    {"data_reply": "451 4.3.0 Try again later"},
    {"rcpt_reply": "450 4.2.1 Mailbox busy"},
    {"mail_reply": "550 5.7.1 Sender not allowed"},  # our configuration: retried
])
def test_temporary_refusal_is_retried(smtp, retry_policy, frozen,
                                      django_capture_on_commit_callbacks, reply):
    for name, value in reply.items():
        setattr(smtp, name, value)
    with django_capture_on_commit_callbacks(execute=True):
        notification = make_notification()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("queued", 1)
    assert notification.last_error.endswith(next(iter(reply.values())))
    assert notification.next_attempt_at == T0 + 30 * S

    smtp.data_reply = smtp.rcpt_reply = smtp.mail_reply = None
    assert notifications_sweep(now=T0 + 30 * S) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert [m["message-id"] for m in smtp.messages] == [notification.message_id]


@pytest.mark.parametrize("reply", [
    {"data_reply": "550 5.7.1 Message rejected as spam"},
    {"data_reply": "554 5.6.0 Transaction failed"},
    {"rcpt_reply": "550 5.1.1 No such user here"},
])
def test_permanent_refusal_bounces_without_retrying(smtp, retry_policy, frozen,
                                                    django_capture_on_commit_callbacks, reply):
    for name, value in reply.items():
        setattr(smtp, name, value)
    with django_capture_on_commit_callbacks(execute=True):
        notification = make_notification()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("bounced", 1)
    assert notification.last_error.endswith(next(iter(reply.values())))
    assert notification.next_attempt_at is None

    smtp.data_reply = smtp.rcpt_reply = None
    assert notifications_sweep(now=T0 + 365 * 86400 * S) == 0
    assert smtp.messages == []


def test_message_id_is_the_same_on_every_attempt(smtp, retry_policy, frozen,
                                                 django_capture_on_commit_callbacks):
    smtp.data_reply = "451 4.3.0 Try again later"
    with django_capture_on_commit_callbacks(execute=True):
        notification = make_notification()
    smtp.data_reply = None
    notifications_sweep(now=T0 + 30 * S)

    [refused], [accepted] = smtp.refused, smtp.received
    assert refused.message["message-id"] == accepted.message["message-id"]
    assert accepted.message["message-id"] == notification.message_id
    assert refused.message["subject"] == accepted.message["subject"]
    assert (refused.message.get_body(("plain",)).get_content()
            == accepted.message.get_body(("plain",)).get_content())

"""Queue and deliver e-mail through the outbox.

`notification_queue` renders the message and stores it; call it inside the transaction of
the change that causes it. Delivery happens after commit, in the worker, with retries and
exponential backoff (`rules.RetryPolicy`); `notifications_sweep` picks up whatever is due
(retries, and rows whose task was lost because a process died)."""

import base64
import email.policy
import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from postsale.core import clock
from postsale.notifications.models import Notification, NotificationStatus, NotificationTag
from postsale.notifications.rules import RetryPolicy

log = logging.getLogger(__name__)

# How long an attempt holds its row: longer than the slowest SMTP conversation (each step
# may take EMAIL_TIMEOUT), so no other worker sends the same row meanwhile; a worker that
# dies mid-send leaves the row to be retried once this has passed.
SEND_LEASE = timedelta(minutes=10)


def render(kind: str, context: dict, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of a kind's templates in `language`."""
    with translation.override(language):
        ctx = {**context, "language": language,
               "language_bidi": translation.get_language_bidi()}
        subject = _render_plain(f"notifications/{kind}/subject.txt", ctx)
        text = _render_plain(f"notifications/{kind}/body.txt", ctx)
        html = render_to_string(f"notifications/{kind}/body.html", ctx)
    return " ".join(subject.split()), text.strip() + "\n", html


def _render_plain(name: str, context: dict) -> str:
    # Subjects and text bodies are not HTML: "Tom & Jerry" must not arrive as
    # "Tom &amp; Jerry". Autoescaping is off for them, whatever the template says.
    return get_template(name).template.render(Context(context, autoescape=False))


def notification_queue(*, kind: str, to_email: str, language: str, context: dict,
                       tags: list[str], seller=None, reply_to: str = "",
                       inline_images: dict[str, bytes] | None = None,
                       now: datetime | None = None) -> Notification:
    now = now or clock.now()
    subject, text, html = render(kind, context, language)
    notification = Notification.objects.create(
        seller=seller, kind=kind, to_email=to_email, reply_to=reply_to, language=language,
        subject=subject, body_text=text, body_html=html,
        inline_images={name: base64.b64encode(data).decode()
                       for name, data in (inline_images or {}).items()},
        next_attempt_at=now, created_at=now,
        # Fixed here, so every retry carries the same Message-ID and clients can
        # de-duplicate the rare second copy after a crash mid-send.
        message_id=make_msgid(domain=_mail_domain()),
    )
    NotificationTag.objects.bulk_create(
        NotificationTag(notification=notification, tag=tag) for tag in tags)
    transaction.on_commit(lambda: _enqueue_delivery(notification.pk))
    return notification


def _enqueue_delivery(notification_id: int) -> None:
    from postsale.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id)
    except Exception:
        # The row is queued and due; the sweep delivers it if the task cannot be queued.
        log.exception("Could not enqueue delivery of notification %s", notification_id)


def _mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "postsale.localhost"


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str | None:
    """Try to send one notification if it is due. Returns its new status, or None when it
    was not due, already handled, or being sent by another worker."""
    now = now or clock.now()
    notification = _lease(notification_id, now=now)
    if notification is None:
        return None
    try:
        _send(notification)
    except Exception as exc:  # whatever went wrong, the retry policy decides what follows
        return _record_failure(notification, exc, now=now)
    _record_outcome(notification, status=NotificationStatus.SENT,
                    sent_at=_later(now), next_attempt_at=None, last_error="")
    return NotificationStatus.SENT


def _later(now: datetime) -> datetime:
    """`now`, or the clock if it has moved on: a sweep's `now` is taken before its first
    row, and SMTP may have kept us waiting since."""
    return max(now, clock.now())


def _lease(notification_id: int, *, now: datetime) -> Notification | None:
    """Claim a due notification for one attempt (row lock, then push the due time past
    the attempt), or None when it is not due, finished, or claimed by another worker."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id, status=NotificationStatus.QUEUED,
                                next_attempt_at__lte=now).first())
        if notification is None:
            return None
        notification.attempts += 1
        notification.next_attempt_at = _later(now) + SEND_LEASE
        notification.save(update_fields=["attempts", "next_attempt_at"])
    return notification


def _record_failure(notification: Notification, exc: Exception, *, now: datetime) -> str:
    policy = RetryPolicy.from_settings()
    status = policy.status_after_failure(exc, attempts=notification.attempts)
    retry_at = (_later(now) + policy.delay(notification.attempts)
                if status == NotificationStatus.QUEUED else None)
    error = _describe(exc)
    _record_outcome(notification, status=status, next_attempt_at=retry_at,
                    last_error=error[:2000])
    log.warning("Notification %s attempt %s failed (now %s): %s", notification.pk,
                notification.attempts, status, error)
    return status


def _describe(exc: Exception) -> str:
    """The error as an agent reads it: the SMTP server's own words where there are some."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{address}: {code} {_text(reply)}"
                           for address, (code, reply) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        detail = str(exc)
    return f"{type(exc).__name__}: {detail}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _record_outcome(notification: Notification, **fields) -> None:
    # Only the attempt holding the lease records its outcome: if a stuck attempt outlived
    # its lease and another one took over, the later attempt's result stands.
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.QUEUED,
                                attempts=notification.attempts).update(**fields)


class OutboxEmail(EmailMultiAlternatives):
    """An e-mail whose HTML part carries inline images in a multipart/related part,
    where mail clients resolve `cid:` references (images attached to the whole message
    are shown as attachments by some clients)."""

    def __init__(self, *args, inline_images: dict[str, bytes], **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = inline_images

    def message(self, *, policy=email.policy.default):
        msg = super().message(policy=policy)
        html = msg.get_body(("html",))
        if html is None:
            return msg
        for name, data in self.inline_images.items():
            html.add_related(data, maintype="image", subtype="png", disposition="inline",
                             filename=f"{name}.png", cid=f"<{name}>")
        return msg


def _send(notification: Notification) -> None:
    message = OutboxEmail(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={"Message-ID": notification.message_id,
                 "X-Postsale-Kind": notification.kind,
                 # RFC 3834: vacation responders must not answer (replies become ticket
                 # messages; an auto-reply loop would flood the ticket).
                 "Auto-Submitted": "auto-generated"},
        inline_images={name: base64.b64decode(data)
                       for name, data in notification.inline_images.items()},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    if message.send(using="default") != 1:
        raise RuntimeError("The mailer accepted no message.")


def notifications_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver queued notifications that are due. Returns how many this call attempted
    (rows another worker claimed first are not counted)."""
    now = now or clock.now()
    due = list(Notification.objects.filter(status=NotificationStatus.QUEUED,
                                           next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(notification_deliver(notification_id=pk, now=now) is not None for pk in due)

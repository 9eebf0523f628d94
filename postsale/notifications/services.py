"""Queue and deliver e-mail through the outbox.

`notification_queue` renders the message and stores it; call it inside the transaction of
the change that causes it. Delivery happens after commit, in the worker, with retries and
exponential backoff; `notifications_sweep` picks up whatever is due (retries, and rows
whose task was lost because a process died)."""

import base64
import logging
from datetime import datetime, timedelta
from email.message import MIMEPart
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from postsale.core import clock
from postsale.notifications.models import Notification, NotificationStatus, NotificationTag

log = logging.getLogger(__name__)


def render(kind: str, context: dict, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of a kind's templates in `language`."""
    with translation.override(language):
        ctx = {**context, "language": language,
               "language_bidi": translation.get_language_bidi()}
        subject = render_to_string(f"notifications/{kind}/subject.txt", ctx)
        text = render_to_string(f"notifications/{kind}/body.txt", ctx)
        html = render_to_string(f"notifications/{kind}/body.html", ctx)
    return " ".join(subject.split()), text.strip() + "\n", html


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
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "postsale.localhost"


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base … capped."""
    seconds = settings.POSTSALE_MAIL_RETRY_BASE * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, settings.POSTSALE_MAIL_RETRY_CAP))


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str | None:
    """Try to send one notification if it is due. Returns its new status, or None when it
    was not due, already handled, or being sent by another worker."""
    now = now or clock.now()
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id, status=NotificationStatus.QUEUED,
                                next_attempt_at__lte=now).first())
        if notification is None:
            return None
        notification.attempts += 1
        # Take a lease before talking to SMTP: if we die mid-send, it is retried later.
        notification.next_attempt_at = now + retry_delay(notification.attempts)
        notification.save(update_fields=["attempts", "next_attempt_at"])

    try:
        _send(notification)
    except Exception as exc:  # any SMTP or network failure is retried
        final = notification.attempts >= settings.POSTSALE_MAIL_MAX_ATTEMPTS
        status = NotificationStatus.FAILED if final else NotificationStatus.QUEUED
        Notification.objects.filter(pk=notification.pk).update(
            status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None if final else notification.next_attempt_at)
        log.warning("Notification %s attempt %s failed: %s", notification.pk,
                    notification.attempts, exc)
        return status
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT, sent_at=clock.now(), next_attempt_at=None,
        last_error="")
    return NotificationStatus.SENT


def _send(notification: Notification) -> None:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={"Message-ID": notification.message_id,
                 "X-Postsale-Kind": notification.kind},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for name, data in notification.inline_images.items():
        image = MIMEPart()
        image.set_content(base64.b64decode(data), maintype="image", subtype="png",
                          disposition="inline", filename=f"{name}.png", cid=f"<{name}>")
        message.attach(image)
    message.send()


def notifications_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver queued notifications that are due. Returns how many were attempted."""
    now = now or clock.now()
    due = list(Notification.objects.filter(status=NotificationStatus.QUEUED,
                                           next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        notification_deliver(notification_id=pk, now=now)
    return len(due)

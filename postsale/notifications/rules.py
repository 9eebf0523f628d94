"""The outbox's retry policy, in one place: how long to wait after a failed attempt and
what a failure leaves behind. Pure decisions; the services apply them."""

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from postsale.notifications.models import NotificationStatus


@dataclass(frozen=True)
class RetryPolicy:
    base: int  # seconds to wait after the first failure
    cap: int  # never wait longer than this
    max_attempts: int  # give up (failed) after this many attempts

    @classmethod
    def from_settings(cls) -> "RetryPolicy":
        return cls(base=settings.POSTSALE_MAIL_RETRY_BASE, cap=settings.POSTSALE_MAIL_RETRY_CAP,
                   max_attempts=settings.POSTSALE_MAIL_MAX_ATTEMPTS)

    def delay(self, attempt: int) -> timedelta:
        """Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base … capped."""
        seconds = self.base * 2 ** max(attempt - 1, 0)
        return timedelta(seconds=min(seconds, self.cap))

    def status_after_failure(self, exc: Exception, *, attempts: int) -> NotificationStatus:
        """bounced: the server refused the recipient or the message for good (5xx), so
        trying again cannot help; failed: out of attempts; queued: try again later
        (4xx, connection errors, timeouts, anything else)."""
        if is_permanent_rejection(exc):
            return NotificationStatus.BOUNCED
        if attempts >= self.max_attempts:
            return NotificationStatus.FAILED
        return NotificationStatus.QUEUED


def is_permanent_rejection(exc: Exception) -> bool:
    """A 5xx answer to RCPT TO (every recipient refused) or to DATA. A refused sender or
    failed login is our configuration, not the recipient's: that is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600

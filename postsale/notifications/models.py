"""The outbox. A Notification is an e-mail, rendered and stored in the same transaction as
the change that caused it; a worker delivers it. Knows no domain: callers hand it a kind,
a recipient, a language, a context and tags (e.g. "order:42") to find it again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for (another) delivery attempt
    SENT = "sent", _("Sent")  # the SMTP server accepted it
    FAILED = "failed", _("Failed")  # gave up after the last attempt
    BOUNCED = "bounced", _("Bounced")  # refused for good (SMTP 5xx): never retried


class Notification(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, null=True,
                               related_name="+")
    kind = models.CharField(max_length=40)  # e.g. "order_receipt"
    to_email = models.EmailField()
    reply_to = models.EmailField(blank=True)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Images referenced from the HTML as cid:<name>: {name: base64 PNG}.
    inline_images = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next delivery attempt is due. Also a lease: an attempt pushes it forward
    # before sending, so a worker that dies mid-send leaves the row for a later retry.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: queued rows whose attempt is due.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="queued"),
                         name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.status})"


class NotificationTag(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="tags")
    tag = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["tag"])]

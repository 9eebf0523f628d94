"""AuditEvent: who did what to which object, and why. Written by services in the same
transaction as the change itself."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, null=True,
                               related_name="+")
    # The object the event is about, as "<type>:<id>", e.g. "order:42".
    subject = models.CharField(max_length=64, db_index=True)
    action = models.CharField(max_length=64)  # e.g. "order.paid", "entry.voided"
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # "user", "api:<token prefix>", "system", "customer", "import"
    actor = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject}"

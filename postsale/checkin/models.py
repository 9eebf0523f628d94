"""CheckIn: every scan at a gate, whatever its result (SPEC §9)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanResult(models.TextChoices):
    OK = "ok", _("OK")  # let in: the entry is now used
    ALREADY_USED = "already_used", _("Already used")  # somebody came in with it before
    NOT_PAID = "not_paid", _("Not paid")  # its order awaits payment
    REFUNDED_OR_VOID = "refunded_or_void", _("Refunded or void")  # refunded, exchanged, canceled
    WRONG_TIME_SLOT = "wrong_time_slot", _("Wrong time slot")  # valid, but not now or not here
    UNKNOWN = "unknown", _("Unknown code")  # no entry of this seller has this secret


class Method(models.TextChoices):
    SCAN = "scan", _("Scanned")  # a gate device or the scanner page, online
    OFFLINE = "offline", _("Scanned offline")  # uploaded later by a gate device
    MANUAL = "manual", _("Marked by staff")  # from a list or the order page


class CheckIn(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    # Empty for unknown codes; then `code` keeps what was scanned.
    entry = models.ForeignKey("orders.Entry", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="checkins")
    code = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=20, choices=ScanResult.choices)
    # Why a scan was `wrong_time_slot`: too_early, too_late or other_slot (checkin.rules).
    reason = models.CharField(max_length=20, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.SCAN)
    gate = models.CharField(_("gate"), max_length=100, blank=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    # Who scanned: a back-office user, or "api:<token prefix>" for a gate device.
    actor = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    # The device's own id for this scan: a repeat with it replays the first answer.
    nonce = models.CharField(max_length=64, null=True, blank=True)
    # When the code was scanned (the device's clock for offline scans), and received.
    scanned_at = models.DateTimeField()
    created_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "nonce"],
                                    condition=models.Q(nonce__isnull=False),
                                    name="checkin_nonce_unique"),
        ]
        indexes = [
            # "Already used — when, where": the entry's check-in that let somebody in.
            models.Index(fields=["entry", "scanned_at"], condition=models.Q(result="ok"),
                         name="checkin_entry_ok_idx"),
            models.Index(fields=["seller", "-created_at"], name="checkin_seller_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.scanned_at:%Y-%m-%d %H:%M:%S}"

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

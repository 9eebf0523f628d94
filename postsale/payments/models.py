from django.db import models
from django.utils.translation import gettext_lazy as _

from postsale.core.money import format_money


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # started, the provider has not confirmed it
    CONFIRMED = "confirmed", _("Confirmed")  # the money arrived
    FAILED = "failed", _("Failed")  # declined or abandoned
    REFUNDED = "refunded", _("Refunded")  # returned in full (by us or by the gateway)


# Which status may follow which. A late confirmation after "failed" happens (bank
# transfers), so it is allowed; nothing leaves "refunded".
PAYMENT_TRANSITIONS = {
    PaymentStatus.PENDING: {PaymentStatus.CONFIRMED, PaymentStatus.FAILED},
    PaymentStatus.FAILED: {PaymentStatus.CONFIRMED},
    PaymentStatus.CONFIRMED: {PaymentStatus.REFUNDED},
    PaymentStatus.REFUNDED: set(),
}


class Payment(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE,
                              related_name="payments")
    provider = models.CharField(max_length=32)  # "manual", "stripe", "autopay", or a channel's
    # The id on the customer's bank statement or in the gateway's dashboard.
    provider_transaction_id = models.CharField(max_length=128)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "provider", "provider_transaction_id"],
                                    name="payment_transaction_unique"),
        ]
        indexes = [models.Index(fields=["provider_transaction_id"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_transaction_id}"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)


class PaymentEvent(models.Model):
    """Every status report about a payment, as received. Its key makes a repeated report a
    no-op."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=200)  # the sender's event id, or provider+tx+status
    status = models.CharField(max_length=12, choices=PaymentStatus.choices)
    source = models.CharField(max_length=64)  # "api:<token>", "hook:<provider>", "import"
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    applied = models.BooleanField(default=True)  # False when the transition was not allowed

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["payment", "key"],
                                               name="payment_event_unique")]


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # billed each period
    CANCELED = "canceled", _("Canceled")  # no further billing


class Subscription(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE,
                              related_name="subscriptions")
    line = models.OneToOneField("orders.OrderLine", on_delete=models.CASCADE,
                                related_name="subscription")
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    started_at = models.DateTimeField()
    current_period_end = models.DateTimeField()
    canceled_at = models.DateTimeField(null=True, blank=True)


class Invoice(models.Model):
    """A bill for a paid order or a subscription period."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE,
                              related_name="invoices")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="invoices")
    number = models.CharField(max_length=24, unique=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    issued_at = models.DateTimeField()
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)

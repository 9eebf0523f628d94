from django.db import models
from django.utils.translation import gettext_lazy as _

from postsale.core.money import format_money


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # started, the provider has not confirmed it
    CONFIRMED = "confirmed", _("Confirmed")  # the money arrived
    FAILED = "failed", _("Failed")  # declined or abandoned
    REFUNDED = "refunded", _("Refunded")  # returned in full (by us or by the gateway)


# Which status may follow which. A late confirmation after "failed" happens (bank
# transfers), so it is allowed; nothing leaves "refunded". A gateway may refund a payment
# it never confirmed to us (its own automatic refund of a late payment), so "refunded" may
# follow "pending" and "failed": recorded, and the order is not paid by it.
PAYMENT_TRANSITIONS = {
    PaymentStatus.PENDING: {PaymentStatus.CONFIRMED, PaymentStatus.FAILED,
                            PaymentStatus.REFUNDED},
    PaymentStatus.FAILED: {PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED},
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
    # Reserved for refunds when they are requested, so two refunds can never together
    # return more than was paid (checked by the database, not only by the code).
    refunded_amount = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "provider", "provider_transaction_id"],
                                    name="payment_transaction_unique"),
            models.CheckConstraint(condition=models.Q(refunded_amount__lte=models.F("amount")),
                                   name="payment_refund_not_more_than_paid"),
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


class ProviderAccount(models.Model):
    """A seller's credentials for one payment provider (API keys, signing secrets). Never
    shown back in full; providers read what they need from `config`."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="provider_accounts")
    provider = models.CharField(max_length=32)
    config = models.JSONField(default=dict)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "provider"],
                                               name="provider_account_unique")]

    def __str__(self) -> str:
        return f"{self.provider} for {self.seller}"


class ProviderNotification(models.Model):
    """Every notification a provider sent us, accepted or not: the evidence when a customer
    says they paid."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, null=True,
                               related_name="+")
    provider = models.CharField(max_length=32)
    received_at = models.DateTimeField(db_index=True)
    verified = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)
    body = models.TextField()  # as received, truncated to 64 KiB
    headers = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # decided and reserved; not sent yet
    PROCESSING = "processing", _("Processing")  # being sent to the provider (or retried)
    SUCCEEDED = "succeeded", _("Refunded")  # the provider returned the money
    FAILED = "failed", _("Failed")  # gave up after repeated failures; needs an agent


class Refund(models.Model):
    """Money going back to the customer for some lines or entries of an order."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE,
                              related_name="refunds")
    number = models.CharField(max_length=24, unique=True)  # RFD-…; the idempotency key base
    amount = models.PositiveBigIntegerField()
    fee = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=RefundStatus.choices,
                              default=RefundStatus.REQUESTED)
    requested_by = models.CharField(max_length=10)  # customer | seller | system
    reason = models.CharField(max_length=500, blank=True)
    # What asked for it, for people and e-mail subjects: a support ticket (TCK-…).
    reference = models.CharField(max_length=32, blank=True)
    reasons = models.JSONField(default=list)  # the eligibility reasons shown when requested
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # due time for the worker
    last_error = models.TextField(blank=True)
    needs_attention = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"],
                         condition=models.Q(status__in=["requested", "processing"]),
                         name="refund_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)


class RefundPart(models.Model):
    """The share of a refund returned through one payment (an order may have several)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="parts")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_parts")
    amount = models.PositiveBigIntegerField()
    provider_refund_id = models.CharField(max_length=128, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    @property
    def idempotency_key(self) -> str:
        """Sent to the provider with every attempt, so a retry never refunds twice."""
        return f"{self.refund.number}-{self.pk}"


class RefundItem(models.Model):
    """A line or entry a refund covers. While the refund is not failed the item is
    `active`, and an entry can be in only one active refund (database constraint)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey("orders.Entry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="refund_items")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # subscriptions: the last invoice
    amount = models.PositiveBigIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=models.Q(active=True),
                                    name="refund_item_entry_once"),
            models.UniqueConstraint(fields=["line"],
                                    condition=models.Q(active=True, entry__isnull=True,
                                                       invoice__isnull=True),
                                    name="refund_item_line_once"),
            models.UniqueConstraint(fields=["invoice"], condition=models.Q(active=True),
                                    name="refund_item_invoice_once"),
        ]


class ExchangeStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")  # the difference is due
    COMPLETED = "completed", _("Completed")  # old entry void, new entry valid
    CANCELED = "canceled", _("Canceled")  # the difference was never paid


class Exchange(models.Model):
    """An entry moved to another time slot (or product): SPEC §4.4."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE,
                              related_name="exchanges")
    old_entry = models.ForeignKey("orders.Entry", on_delete=models.PROTECT, related_name="+")
    new_entry = models.OneToOneField("orders.Entry", on_delete=models.PROTECT,
                                     related_name="exchanged_from")
    # Positive: the customer pays this much more; negative: refunded. Fee included.
    difference = models.BigIntegerField()
    fee = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=ExchangeStatus.choices)
    payment_link = models.URLField(max_length=500, blank=True)
    # Our reference for the difference (XCH-…): in the transfer title, passed to the
    # provider's payment link; a payment reported with it completes the exchange.
    payment_transaction_id = models.CharField(max_length=128, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # the payment of the difference
    # Until when the new place is held for the payment; then the sweep cancels it.
    expires_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    requested_by = models.CharField(max_length=10)  # customer | seller
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["old_entry"],
                                    condition=~models.Q(status="canceled"),
                                    name="exchange_entry_once"),
        ]
        indexes = [
            # The expiry sweep: exchanges whose difference was not paid in time.
            models.Index(fields=["expires_at"], condition=models.Q(status="awaiting_payment"),
                         name="exchange_due_idx"),
            models.Index(fields=["payment_transaction_id"],
                         condition=~models.Q(payment_transaction_id=""),
                         name="exchange_reference_idx"),
        ]


class PaymentFlag(models.Model):
    """Something about a payment an agent should look at, e.g. a probable duplicate
    (same customer, same items, a short time apart) to refund."""

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", _("Probable duplicate payment")
        LATE = "late", _("Confirmed after the order expired")
        PROVIDER_REFUND = "provider_refund", _("Refunded by the payment provider")

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    related_order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, null=True,
                                      blank=True, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["payment", "kind"],
                                               name="payment_flag_once")]

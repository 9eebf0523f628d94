import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from postsale.core.money import format_money
from postsale.core.text import fold


class Customer(models.Model):
    """A buyer. No password: reaches their orders through signed links (SPEC §1)."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="customers")
    email = models.EmailField(_("e-mail"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164 when valid
    language = models.CharField(_("language"), max_length=8, default="en",
                                choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    # The surname folded for search (core.text.fold): "Łęcka" is found as "lecka".
    name_key = models.CharField(max_length=100, blank=True, default="", editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "email"],
                                               name="customer_email_unique")]
        indexes = [
            models.Index(fields=["seller", "name_key"], name="customer_name_key_idx"),
            models.Index("seller", Lower("email"), name="customer_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # Every write of the surname keeps its search key, and the seller's list of
        # surnames (for prefix and fuzzy search) knows it.
        self.name_key = fold(self.last_name)[:100]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "last_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        new = self._state.adding
        super().save(*args, **kwargs)
        if update_fields is None or "last_name" in update_fields:
            if self.name_key:
                SurnameKey.objects.bulk_create([SurnameKey(seller_id=self.seller_id,
                                                           key=self.name_key)],
                                               ignore_conflicts=True)
            if not new:  # a new customer has no orders yet
                self.orders.exclude(name_key=self.name_key).update(name_key=self.name_key)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SurnameKey(models.Model):
    """One folded surname of a seller's customers. Prefix and fuzzy search look here —
    a few thousand distinct surnames rather than every customer — and then find the
    customers by the exact key (orders.search)."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "key"],
                                               name="surname_key_unique")]
        # PostgreSQL also has a varchar_pattern_ops index for prefixes and a trigram index
        # for similar surnames (migration 0006_search).

    def __str__(self) -> str:
        return self.key


class ProductKind(models.TextChoices):
    TIMED_ENTRY = "timed_entry", _("Timed entry")  # admission to a time slot
    OPEN_ENTRY = "open_entry", _("Open entry")  # admission on any day
    DIGITAL = "digital", _("Digital download")
    SUBSCRIPTION = "subscription", _("Subscription")
    GOODS = "goods", _("Physical goods")


ENTRY_KINDS = {ProductKind.TIMED_ENTRY, ProductKind.OPEN_ENTRY}


def download_path(product: "Product", filename: str) -> str:
    # A random folder: a stored name never hints at another seller's or product's file.
    return f"downloads/{product.seller_id}/{secrets.token_hex(8)}/{filename}"


class Product(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="products")
    sku = models.SlugField(_("code"), max_length=64, help_text=_("Used by the API and CSV import."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    price = models.PositiveIntegerField(_("price (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    active = models.BooleanField(default=True)
    # Refund terms (SPEC §4.3). Empty windows fall back to the seller's.
    non_refundable = models.BooleanField(_("non-refundable"), default=False)
    customer_refund_days = models.PositiveIntegerField(null=True, blank=True)
    seller_refund_days = models.PositiveIntegerField(null=True, blank=True)
    refund_until_hours_before = models.PositiveIntegerField(null=True, blank=True)
    refund_fee_fixed = models.PositiveIntegerField(default=0)  # minor units
    refund_fee_percent = models.PositiveSmallIntegerField(default=0)  # 0–100
    no_refund_when_used = models.BooleanField(default=True)
    # Exchange policy (SPEC §4.4).
    exchange_until_hours_before = models.PositiveIntegerField(null=True, blank=True)
    exchange_fee = models.PositiveIntegerField(default=0)
    # Entries may be exchanged between products of the same group (e.g. "museum-day" for
    # the morning and the evening ticket); empty: only for another time of this product.
    exchange_group = models.SlugField(
        _("exchange group"), max_length=50, blank=True,
        help_text=_("Products with the same group can be exchanged for each other."))
    # Subscriptions: billing period in months.
    billing_period_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # Digital downloads: what a paid customer gets through a time-limited link
    # (orders/downloads.py). Kept in the default storage, never served publicly.
    download_file = models.FileField(
        _("file to download"), upload_to=download_path, max_length=300, blank=True,
        help_text=_("Digital downloads only: customers of paid orders get a link to it."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "sku"],
                                               name="product_sku_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_entries(self) -> bool:
        return self.kind in ENTRY_KINDS


class TimeSlot(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="time_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["product", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.product} {self.starts_at:%Y-%m-%d %H:%M}"


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")  # entries not yet valid
    PAID = "paid", _("Paid")  # entries valid and delivered
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")  # everything returned; entries void
    CANCELED = "canceled", _("Canceled")  # never paid, or stopped by the seller
    EXPIRED = "expired", _("Expired")  # payment never confirmed in time


class Order(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="orders")
    channel = models.ForeignKey("sellers.SalesChannel", on_delete=models.PROTECT,
                                related_name="orders")
    number = models.CharField(max_length=16, unique=True)  # PID-…
    # The channel's own id for this order; with the channel, it makes creation idempotent.
    external_id = models.CharField(max_length=100, null=True, blank=True)
    # Hash of what the channel sent, to tell a replay from a different order.
    fingerprint = models.CharField(max_length=64, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    # The customer's Customer.name_key, kept here (Customer.save) so that a surname's
    # newest orders are one index range, however many customers share it.
    name_key = models.CharField(max_length=100, blank=True, default="", editable=False)
    email = models.EmailField(_("e-mail"))  # where this order's mail goes
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en",
                                choices=settings.LANGUAGES)
    currency = models.CharField(max_length=3)
    total = models.PositiveBigIntegerField()  # minor units, sum of the lines
    status = models.CharField(max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.AWAITING_PAYMENT)
    created_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # canceled or expired
    # Carried in every signed link to the order; raising it revokes all earlier links.
    link_generation = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"],
                                    condition=models.Q(external_id__isnull=False),
                                    name="order_channel_external_id_unique"),
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at"]),
            models.Index(fields=["seller", "status", "-created_at"]),
            models.Index(fields=["seller", "email"]),
            # Search (orders.search): e-mail in any case, phone in E.164.
            models.Index("seller", Lower("email"), name="order_email_lower_idx"),
            models.Index(fields=["seller", "phone"], name="order_phone_idx"),
            models.Index(fields=["seller", "name_key", "-created_at"],
                         name="order_name_key_idx"),
            # "Find my order" by the channel's own order number, across channels.
            models.Index(fields=["external_id"], name="order_external_id_idx"),
            # The expiry sweep: unpaid orders whose payment deadline has passed.
            models.Index(fields=["expires_at"], condition=models.Q(status="awaiting_payment"),
                         name="order_expiry_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total_display(self) -> str:
        return format_money(self.total, self.currency)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.PositiveIntegerField()  # minor units, in the order's currency

    class Meta:
        ordering = ["id"]

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price

    @property
    def total_display(self) -> str:
        return format_money(self.total, self.order.currency)


class OrderAnswer(models.Model):
    """An answer to a checkout question ("company name", "licence plate") — searchable."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=100)
    answer = models.CharField(max_length=500)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(Lower("answer"), name="order_answer_lower_idx")]


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Not valid yet")  # the order is awaiting payment
    VALID = "valid", _("Valid")  # paid; lets the holder in
    USED = "used", _("Used")  # checked in at the gate
    VOID = "void", _("Void")  # refunded, exchanged or canceled


class Entry(models.Model):
    """An admission item of an order: what the customer shows at the gate."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="entries")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="entries")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="entries")
    number = models.CharField(max_length=16, unique=True)  # TID-…, for people
    secret = models.CharField(max_length=64, unique=True)  # in the QR code; grants entry
    status = models.CharField(max_length=10, choices=EntryStatus.choices,
                              default=EntryStatus.PENDING)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # Raised by every change (orders.sync.entries_update), so a gate device downloading a
    # time slot's entries asks only for what changed since its last download.
    sync_version = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["time_slot", "sync_version", "id"], name="entry_slot_sync_idx"),
            # The newest version on SQLite, which has no sequences (orders.sync).
            models.Index(fields=["sync_version"], name="entry_sync_version_idx"),
        ]

    def __str__(self) -> str:
        return self.number

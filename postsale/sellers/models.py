from zoneinfo import available_timezones

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in available_timezones())


class Seller(models.Model):
    """A tenant: every row of business data belongs to exactly one seller."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw",
                                 choices=TIME_ZONE_CHOICES)
    country = models.CharField(_("country"), max_length=2, default="PL",
                               help_text=_("ISO 3166 code; sets weekend days and holidays."))
    subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    # Empty: the country's weekend. Otherwise ISO weekday numbers, Monday=0.
    weekend_days = models.JSONField(_("weekend days"), default=list, blank=True)
    pause_on_holidays = models.BooleanField(_("holidays pause the clock"), default=True)
    language = models.CharField(_("language"), max_length=8, default="en",
                                choices=settings.LANGUAGES)
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    account_email = models.EmailField(_("account e-mail"))
    support_email = models.EmailField(_("support e-mail"), blank=True)
    customer_refund_days = models.PositiveIntegerField(_("customer refund window (days)"),
                                                       default=60)
    seller_refund_days = models.PositiveIntegerField(_("seller refund window (days)"),
                                                     default=90)
    abuse_flagged_at = models.DateTimeField(null=True, blank=True)
    late_payment_policy = models.CharField(
        _("payment confirmed after expiry"), max_length=10, default="activate",
        choices=[("activate", _("Activate the order if places are left, else refund")),
                 ("refund", _("Always refund"))])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def reply_to_email(self) -> str:
        """Where the seller's copy of customer-facing mail goes (SPEC §7)."""
        return self.support_email or self.account_email


class ClosureDay(models.Model):
    """A day the seller is closed, on top of weekends and public holidays."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "date"],
                                               name="closure_day_unique")]


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")  # everything, including settings, members and tokens
    AGENT = "agent", _("Agent")  # orders, tickets, refunds, exchanges
    DOOR = "door", _("Door staff")  # search and check-in only
    VIEWER = "viewer", _("Viewer")  # read-only


class Member(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "user"],
                                               name="member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.seller} ({self.role})"


class SalesChannel(models.Model):
    """Where orders come from: a web shop, a box office, a marketplace."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="channels")
    code = models.SlugField(max_length=50, help_text=_("Used by the API, e.g. web-shop."))
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "code"],
                                               name="channel_code_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    ORDERS_READ = "orders:read", _("Read orders")
    ORDERS_WRITE = "orders:write", _("Create orders")
    PAYMENTS_WRITE = "payments:write", _("Record payment events")
    REFUNDS_READ = "refunds:read", _("Read refunds and refund eligibility")
    REFUNDS_WRITE = "refunds:write", _("Request refunds")
    EXCHANGES_WRITE = "exchanges:write", _("Exchange entries")
    TICKETS_READ = "tickets:read", _("Read support tickets")
    TICKETS_WRITE = "tickets:write", _("Open and answer support tickets")
    CHECKINS_READ = "checkins:read", _("Read occupancy and download entries for gates")
    CHECKINS_WRITE = "checkins:write", _("Check entries in at the gate")


class ApiToken(models.Model):
    """A seller's API token. Only a hash is stored; the token is shown once on creation."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)  # shown in lists and audit
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WalletPass(models.Model):
    """A seller's Apple Wallet pass signing setup: the Pass Type ID certificate Apple issued
    to them, its private key (encrypted at rest, never shown again) and Apple's WWDR
    intermediate. Without one, customers are not offered "Add to Apple Wallet"."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="wallet_pass")
    pass_type_identifier = models.CharField(
        _("pass type identifier"), max_length=200,
        help_text=_("As registered with Apple, e.g. pass.com.example.tickets."))
    team_identifier = models.CharField(_("team identifier"), max_length=20,
                                       help_text=_("The Apple developer team ID."))
    certificate_pem = models.TextField(_("pass certificate (PEM)"))
    # Fernet token of the PEM key (postsale.sellers.wallet): useless without SECRET_KEY.
    private_key_encrypted = models.TextField(editable=False)
    wwdr_certificate_pem = models.TextField(
        _("Apple WWDR intermediate certificate (PEM)"),
        help_text=_("Apple Worldwide Developer Relations certificate that issued the pass "
                    "certificate."))
    certificate_expires_at = models.DateTimeField(_("certificate expires"), editable=False)
    enabled = models.BooleanField(_("offer Apple Wallet passes"), default=True)
    updated_at = models.DateTimeField(_("updated"), editable=False)

    class Meta:
        verbose_name = _("Apple Wallet pass setup")
        verbose_name_plural = _("Apple Wallet pass setups")

    def __str__(self) -> str:
        return f"{self.pass_type_identifier} ({self.seller})"

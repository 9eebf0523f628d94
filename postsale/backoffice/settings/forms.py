"""Forms of the settings pages. They parse and check types; the rules (and their field
errors) belong to the services, which `apply_errors` puts back on the form."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from postsale.core import calendar
from postsale.core.contact import suggest_email
from postsale.core.errors import DomainError
from postsale.core.money import CURRENCIES, exponent
from postsale.orders.products import ProductTerms
from postsale.sellers.models import TIME_ZONE_CHOICES, Role, Scope, Seller
from postsale.sellers.rules import MAX_HOURS_BEFORE, MAX_REFUND_DAYS


def apply_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field errors on the form's fields; the rest on top of the form."""
    placed = False
    for field, message in exc.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
        else:
            form.add_error(None, message)
    if not placed:
        form.add_error(None, exc.message)


class EmailTypoCheck:
    """Asks to confirm an address that looks like a typo of a common domain
    ("gmial.com"): the form is refused once with the suggestion; the person then takes
    the suggestion (button `use_suggestion=<field>`) or keeps what they typed (button
    `<field>_confirmed=<address>`). Confirmations ride along in hidden inputs."""

    email_fields: tuple[str, ...] = ()

    def _prepare_typos(self, data) -> dict:
        self.suggestions: dict[str, str] = {}
        if not data:
            return data
        data = data.copy()
        field = data.get("use_suggestion")
        if field in self.email_fields and (better := suggest_email(data.get(field, ""))):
            data[field] = better
        return data

    def confirmed(self, field: str) -> str:
        return self.data.get(f"{field}_confirmed", "")

    @property
    def confirmations(self) -> dict[str, str]:
        """Addresses already confirmed as typed, to send again with the form."""
        return {f"{f}_confirmed": self.confirmed(f) for f in self.email_fields
                if self.confirmed(f)}

    def _check_typos(self) -> None:
        for field in self.email_fields:
            value = self.cleaned_data.get(field) or ""
            better = suggest_email(value) if value else None
            if better and self.confirmed(field).lower() != value.lower():
                self.suggestions[field] = better
                self.add_error(field, _("Did you mean %(address)s?") % {"address": better})


class GeneralForm(EmailTypoCheck, forms.Form):
    email_fields = ("account_email", "support_email")

    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 help_text=_("Of the e-mails the seller receives, and the "
                                             "default for new customers."))
    currency = forms.ChoiceField(label=_("Currency"),
                                 choices=[(c, c) for c in sorted(CURRENCIES)])
    account_email = forms.EmailField(label=_("Account e-mail"))
    support_email = forms.EmailField(
        label=_("Support e-mail"), required=False,
        help_text=_("Where the seller's copy of ticket e-mails goes and where customers "
                    "reply. Empty: the account e-mail."))

    def __init__(self, data=None, *, seller: Seller, currency_locked: bool):
        initial = {f: getattr(seller, f) for f in
                   ("name", "language", "currency", "account_email", "support_email")}
        super().__init__(self._prepare_typos(data), initial=initial)
        if currency_locked:
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = _(
                "Fixed: the seller has products or orders priced in it.")

    def clean(self):
        data = super().clean()
        self._check_typos()
        return data


def weekday_choices():
    return [(str(day), name) for day, name in WEEKDAYS.items()]


class CalendarForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    country = forms.ChoiceField(label=_("Country"), choices=calendar.countries,
                                help_text=_("Sets the weekend days and public holidays."))
    subdivision = forms.ChoiceField(label=_("Region"), required=False,
                                    help_text=_("For regional public holidays."))
    weekend_days = forms.MultipleChoiceField(
        label=_("Weekend days"), required=False, choices=weekday_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the country's weekend."))
    pause_on_holidays = forms.BooleanField(
        label=_("Public holidays pause the clock"), required=False,
        help_text=_("When off, public holidays count as business days; weekends and "
                    "closure days still pause it."))

    def __init__(self, data=None, *, seller: Seller):
        initial = {"time_zone": seller.time_zone, "country": seller.country,
                   "subdivision": seller.subdivision,
                   "weekend_days": [str(d) for d in seller.weekend_days],
                   "pause_on_holidays": seller.pause_on_holidays}
        super().__init__(data, initial=initial)
        country = (data or {}).get("country") or seller.country
        self.fields["subdivision"].choices = [("", _("The whole country")),
                                              *calendar.subdivisions(country)]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"time_zone": data["time_zone"], "country": data["country"],
                "subdivision": data["subdivision"],
                "weekend_days": [int(d) for d in data["weekend_days"]],
                "pause_on_holidays": data["pause_on_holidays"]}


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("Date"),
                           widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200,
                           help_text=_("E.g. inventory, staff holiday."))


def _days(label, **kwargs):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_REFUND_DAYS, **kwargs)


def _hours(label, **kwargs):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_HOURS_BEFORE,
                              required=False, **kwargs)


class RefundPolicyForm(forms.Form):
    customer_refund_days = _days(_("Customers may ask for a refund for (days)"),
                                 help_text=_("Counted from the sale, or for a subscription "
                                             "from its last invoice."))
    seller_refund_days = _days(_("You may refund for (days)"))
    late_payment_policy = forms.ChoiceField(
        label=_("A payment confirmed after its order expired"),
        choices=Seller._meta.get_field("late_payment_policy").choices)


def money_field(label, currency: str, **kwargs):
    exp = exponent(currency)
    return forms.DecimalField(label=label, min_value=0, max_digits=12, decimal_places=exp,
                              **kwargs)


def to_minor(value: Decimal | None, currency: str) -> int:
    return int((value or 0) * 10 ** exponent(currency))


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


class ProductTermsForm(forms.Form):
    non_refundable = forms.BooleanField(label=_("Non-refundable for customers"),
                                        required=False)
    customer_refund_days = _days(_("Customers may ask for a refund for (days)"),
                                 required=False)
    seller_refund_days = _days(_("You may refund for (days)"), required=False)
    refund_until_hours_before = _hours(_("Refundable until this many hours before the "
                                         "time slot"))
    refund_fee_percent = forms.IntegerField(label=_("Refund fee (percent of the price)"),
                                            min_value=0, max_value=100)
    no_refund_when_used = forms.BooleanField(label=_("No refund for an entry already used"),
                                             required=False)
    exchange_until_hours_before = _hours(_("Exchangeable until this many hours before the "
                                           "time slot"))

    def __init__(self, data=None, *, product, seller: Seller):
        self.currency = product.currency
        terms = ProductTerms.of(product)
        initial = {**terms.__dict__,
                   "refund_fee_fixed": to_major(terms.refund_fee_fixed, self.currency),
                   "exchange_fee": to_major(terms.exchange_fee, self.currency)}
        super().__init__(data, initial=initial)
        self.fields["refund_fee_fixed"] = money_field(
            _("Refund fee (fixed, %(currency)s)") % {"currency": self.currency},
            self.currency, help_text=_("Per item, on top of the percentage; never more than "
                                       "the item's price. Customers' requests only."))
        self.fields["exchange_fee"] = money_field(
            _("Exchange fee (%(currency)s)") % {"currency": self.currency}, self.currency)
        for field, days in (("customer_refund_days", seller.customer_refund_days),
                            ("seller_refund_days", seller.seller_refund_days)):
            self.fields[field].help_text = _("Empty: the seller's %(days)s days.") % {
                "days": days}
        self.order_fields(["non_refundable", "customer_refund_days", "seller_refund_days",
                           "refund_until_hours_before", "refund_fee_fixed",
                           "refund_fee_percent", "no_refund_when_used",
                           "exchange_until_hours_before", "exchange_fee"])

    def terms(self) -> ProductTerms:
        data = self.cleaned_data
        return ProductTerms(
            non_refundable=data["non_refundable"],
            customer_refund_days=data["customer_refund_days"],
            seller_refund_days=data["seller_refund_days"],
            refund_until_hours_before=data["refund_until_hours_before"],
            refund_fee_fixed=to_minor(data["refund_fee_fixed"], self.currency),
            refund_fee_percent=data["refund_fee_percent"],
            no_refund_when_used=data["no_refund_when_used"],
            exchange_until_hours_before=data["exchange_until_hours_before"],
            exchange_fee=to_minor(data["exchange_fee"], self.currency))


class MemberInviteForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail address"), max_length=150,
        help_text=_("Someone without an account gets an e-mail with a link to choose a "
                    "password."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("Who uses it, e.g. web shop or box office."))
    scopes = forms.MultipleChoiceField(label=_("What it may do"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       initial=Scope.values)

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from postsale.orders.models import OrderStatus
from postsale.sellers.models import Seller


class OrderFilterForm(forms.Form):
    """The orders list's filters. Dates are days in the seller's time zone, both ends
    included."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.SearchInput(attrs={"autocomplete": "off",
                                                        "spellcheck": "false",
                                                        "data-search-box": ""}),
                        help_text=_("Order or entry number, e-mail, phone in any format, "
                                    "payment id, the channel's order id, a checkout answer "
                                    "or a surname. Press / to come back here."))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *OrderStatus.choices])
    channel = forms.ChoiceField(label=_("Sales channel"), required=False)
    # ISO values whatever the language: that is what <input type="date"> speaks.
    created_from = forms.DateField(label=_("Created from"), required=False,
                                   widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    created_to = forms.DateField(label=_("Created to"), required=False,
                                 widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, data, *, seller: Seller):
        super().__init__(data)
        self.seller = seller
        self.fields["channel"].choices = [("", _("Any channel")), *(
            (c.code, c.name) for c in seller.channels.order_by("name"))]

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return data

    def selector_kwargs(self) -> dict:
        """Arguments for `order_list`; fields that did not validate are left out."""
        self.is_valid()
        data = self.cleaned_data
        tz = ZoneInfo(self.seller.time_zone)
        start, end = data.get("created_from"), data.get("created_to")
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "channel": data.get("channel") or None,
            "created_from": _day_start(start, tz) if start else None,
            "created_to": _day_start(end + timedelta(days=1), tz) if end else None,
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)

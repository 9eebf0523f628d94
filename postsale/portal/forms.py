"""Parsing what the customer typed. The rules (who may ask what, eligibility, limits on
files and quantities) live in the services; these forms only turn input into arguments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from postsale.core.forms import EmailTypoCheckMixin, TypedEmailField
from postsale.orders.models import Order
from postsale.tickets.models import ReturnKind, TicketType
from postsale.tickets.services import MAX_BODY, ReturnDetails

from .presenters import TypeOption


class OpenTicketForm(EmailTypoCheckMixin, forms.Form):
    typo_checked_fields = ("contact_email",)

    type = forms.ChoiceField(label=_("What do you need?"))
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), max_length=MAX_BODY, widget=forms.Textarea)
    return_kind = forms.ChoiceField(label=_("What kind of return is it?"),
                                    choices=ReturnKind.choices, required=False)
    contact_email = TypedEmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)

    def __init__(self, *args, order: Order, types: list[TypeOption], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.value, t.label) for t in types]
        self.lines = list(order.lines.select_related("product", "time_slot"))
        for line in self.lines:
            self.fields[f"line-{line.pk}"] = forms.IntegerField(
                label=line.product.name, min_value=0, required=False)

    @property
    def line_fields(self) -> list[tuple]:
        return [(line, self[f"line-{line.pk}"]) for line in self.lines]

    def clean(self):
        data = super().clean()
        if data.get("type") == TicketType.RETURN and not data.get("return_kind"):
            self.add_error("return_kind", _("Choose what kind of return this is."))
        return data

    def return_details(self) -> ReturnDetails | None:
        data = self.cleaned_data
        if data["type"] != TicketType.RETURN:
            return None
        lines = [{"line": line.pk, "quantity": data[f"line-{line.pk}"]} for line in self.lines
                 if data.get(f"line-{line.pk}")]
        return ReturnDetails(kind=data["return_kind"], lines=lines,
                             contact_email=data["contact_email"],
                             contact_phone=data["contact_phone"].strip())


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=MAX_BODY, widget=forms.Textarea)


def apply_field_errors(form: forms.Form, field_errors: dict[str, str]) -> list[str]:
    """Put a domain error's field messages on the form's fields; return the ones that
    belong to no field (shown at the top)."""
    rest = []
    for key, message in field_errors.items():
        if key in form.fields:
            form.add_error(key, message)
        else:
            rest.append(message)
    return rest

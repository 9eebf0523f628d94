"""Forms of the customer's self-service: find my order, the return-form link, correcting
the e-mail address, rating a ticket. E-mail fields are checked for likely typos
(postsale.core.forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from postsale.analytics.models import MAX_COMMENT, Score
from postsale.core.forms import EmailTypoCheckMixin, TypedEmailField


class FindOrderForm(EmailTypoCheckMixin, forms.Form):
    email = TypedEmailField(label=_("The e-mail address you ordered with"))
    reference = forms.CharField(
        label=_("Order number or payment id"), max_length=128,
        help_text=_("The order number from the shop's confirmation (for example PID-…), or "
                    "the payment id from your bank statement."))

    def clean_reference(self) -> str:
        value = " ".join(self.cleaned_data["reference"].split())
        if not value.isprintable():
            raise forms.ValidationError(_("Remove the special characters."))
        return value


class ReturnLookupForm(FindOrderForm):
    reference = forms.CharField(
        label=_("Order number"), max_length=128,
        help_text=_("As it appears in the shop's order confirmation."))


class EmailChangeForm(EmailTypoCheckMixin, forms.Form):
    email = TypedEmailField(label=_("New e-mail address"))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How well were you helped?"), coerce=int,
        choices=Score.choices,
        error_messages={"required": _("Choose a score from 1 to 5.")})
    comment = forms.CharField(label=_("Anything you would like to tell us?"),
                              max_length=MAX_COMMENT, required=False,
                              widget=forms.Textarea)

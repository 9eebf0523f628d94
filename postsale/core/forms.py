"""Form pieces every front end shares. E-mail addresses people type go through
`TypedEmailField` (normalized like every stored address) and `EmailTypoCheckMixin` (a
likely typo is questioned before it is used); templates show the question with
`{% load contact_tags %}{% email_typo_choice form.<field> %}`."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postsale.core.contact import normalize_email, suggest_email
from postsale.core.errors import Invalid


class TypedEmailField(forms.EmailField):
    default_error_messages = {"invalid": gettext_lazy(
        "Enter a complete e-mail address, like name@example.com.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "email", "spellcheck": "false",
                                  "autocapitalize": "none"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalize_email(value)
        except Invalid:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class EmailTypoCheckMixin:
    """Questions addresses that look mistyped ("ann@gmial.com": did you mean
    ann@gmail.com?). For each field named in `typo_checked_fields` the person answers with
    a radio choice `<field>__typo` whose value is the address they pick: the suggestion,
    or what they typed. The answer counts only for the address it was asked about, so an
    address edited afterwards is checked again; no answer (Enter pressed) asks again."""

    typo_checked_fields: tuple[str, ...] = ("email",)

    def clean(self):
        data = super().clean()
        self.email_typos: dict[str, tuple[str, str]] = {}
        for name in self.typo_checked_fields:
            value = data.get(name)
            if not value or name in self.errors:
                continue
            suggestion = suggest_email(value)
            if not suggestion:
                continue
            answer = self.data.get(self.add_prefix(f"{name}__typo"))
            if answer and answer == suggestion:
                data[name] = suggestion
            elif answer and answer == value:
                self.typo_confirmed = {*getattr(self, "typo_confirmed", set()), name}
            else:
                self.email_typos[name] = (value, suggestion)
                self.add_error(name, ValidationError(
                    _("Did you mean %(suggestion)s? Choose the right address below.")
                    % {"suggestion": suggestion}, code="email_typo"))
        return data

    def is_typo_confirmed(self, name: str) -> bool:
        """Whether the person confirmed this field's address although it looks mistyped
        (services then accept it without asking again)."""
        return name in getattr(self, "typo_confirmed", set())

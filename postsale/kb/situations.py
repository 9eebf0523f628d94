"""The situations a customer picks before writing to support (SPEC §6). An article fits
a situation when it carries the situation's tag; agents may add other tags of their own."""

from django.utils.translation import gettext_lazy as _

EMAIL_NOT_RECEIVED = "email-not-received"
ACCESS_NOT_WORKING = "access-not-working"
CONTENT_NOT_LOADING = "content-not-loading"

# In the order the customer sees them.
SITUATIONS = {
    EMAIL_NOT_RECEIVED: _("I did not receive the e-mail"),
    ACCESS_NOT_WORKING: _("My access details do not work"),
    CONTENT_NOT_LOADING: _("The content does not load"),
}


def situation_label(tag: str) -> str:
    return str(SITUATIONS.get(tag, tag))

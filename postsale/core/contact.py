"""E-mail addresses and phone numbers typed by people: normalize, validate, suggest."""

from functools import cache

import phonenumbers
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from postsale.core.errors import Invalid

# Common mailbox domains of our sellers' customers and their usual misspellings.
_DOMAIN_TYPOS = {
    "gamil": "gmail", "gmial": "gmail", "gnail": "gmail", "gmaill": "gmail", "gmai": "gmail",
    "gmal": "gmail", "hotmial": "hotmail", "hotmal": "hotmail", "outlok": "outlook",
    "yaho": "yahoo", "yahho": "yahoo", "wpp": "wp", "onett": "onet", "intera": "interia",
    "interiaa": "interia", "libro": "libero", "liberoo": "libero", "ukrnet": "ukr",
}


def normalize_email(value: str, *, field: str = "email") -> str:
    """Syntax check (no DNS lookups: those belong to delivery, not input)."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid("Check the e-mail address.", {field: str(exc)},
                      code="invalid_email") from None


@cache
def _fixer():
    from email_typo_fixer import EmailTypoFixer

    return EmailTypoFixer(domain_typos=_DOMAIN_TYPOS)


def suggest_email(value: str) -> str | None:
    """A likely intended address ("ann@gmial.com" → "ann@gmail.com"), or None."""
    try:
        fixed = _fixer().normalize(value)
    except ValueError:
        return None
    if not fixed or "@" not in value or fixed.startswith("@"):
        return None
    typed_local = value.strip().rpartition("@")[0]
    fixed_local, _at, fixed_domain = fixed.rpartition("@")
    if fixed_local == typed_local.lower():  # keep the case the person typed
        fixed = f"{typed_local}@{fixed_domain}"
    return fixed if fixed.lower() != value.strip().lower() else None


def mask_email(email: str) -> str:
    """Enough of an address for its owner to recognize it, not for others to use it:
    "anna.kowalska@example.com" → "an…a@example.com"."""
    local, _at, domain = email.rpartition("@")
    if not local:
        return "…"
    shown = local[:2] + "…" + local[-1] if len(local) > 3 else local[:1] + "…"
    return f"{shown}@{domain}"


class EmailTypo(Invalid):
    """The address is valid but looks mistyped; the person should confirm it or take the
    suggestion."""

    def __init__(self, *, field: str, typed: str, suggestion: str):
        message = _("Did you mean %(suggestion)s? Check the address, or confirm that "
                    "%(typed)s is right.") % {"suggestion": suggestion, "typed": typed}
        super().__init__(message, {field: message}, code="email_typo")
        self.typed, self.suggestion = typed, suggestion


def check_email(value: str, *, field: str = "email", typo_confirmed: bool = False) -> str:
    """The normalized address a person typed. Unless they confirmed it, a likely typo of a
    common domain raises EmailTypo with the suggestion."""
    email = normalize_email(value, field=field)
    if not typo_confirmed and (suggestion := suggest_email(email)):
        raise EmailTypo(field=field, typed=email, suggestion=suggestion)
    return email


def normalize_phone(value: str, *, country: str, field: str = "phone") -> str:
    """E.164 when the number parses as possible; the caller decides on validity."""
    if not value.strip():
        return ""
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        raise Invalid("Check the phone number.",
                      {field: "This does not look like a phone number."},
                      code="invalid_phone") from None
    if not phonenumbers.is_possible_number(number):
        raise Invalid("Check the phone number.",
                      {field: "This phone number has the wrong number of digits."},
                      code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """An E.164 number as people read it: "+48601234567" → "+48 601 234 567"."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

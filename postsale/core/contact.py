"""E-mail addresses and phone numbers typed by people: normalize, validate, suggest."""

from functools import cache

import phonenumbers
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
    return fixed if fixed and fixed != value.strip().lower() else None


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

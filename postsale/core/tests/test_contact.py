import pytest

from postsale.core.contact import normalize_email, normalize_phone, suggest_email
from postsale.core.errors import Invalid


def test_email_is_normalized_and_bad_ones_explain_why():
    assert normalize_email("  Anna@Example.COM ") == "Anna@example.com"
    with pytest.raises(Invalid) as exc:
        normalize_email("anna@", field="customer.email")
    assert "customer.email" in exc.value.field_errors


@pytest.mark.parametrize(("typed", "meant"), [
    ("anna@gmial.com", "anna@gmail.com"),
    ("jan@gmail.con", "jan@gmail.com"),
    ("olga@hotmial.com", "olga@hotmail.com"),
])
def test_typos_of_common_domains_are_suggested(typed, meant):
    assert suggest_email(typed) == meant


@pytest.mark.parametrize("fine", ["anna@gmail.com", "jan@wp.pl", "Anna@Gmail.com"])
def test_no_suggestion_for_correct_addresses(fine):
    assert suggest_email(fine) is None


@pytest.mark.parametrize(("typed", "country", "e164"), [
    ("601 234 567", "PL", "+48601234567"),
    ("+48 601-234-567", "IT", "+48601234567"),
    ("050-123-4567", "IL", "+972501234567"),
    ("", "PL", ""),
])
def test_phones_become_e164(typed, country, e164):
    assert normalize_phone(typed, country=country) == e164


@pytest.mark.parametrize("bad", ["hello", "12", "+48 1"])
def test_bad_phones_are_refused_with_a_message(bad):
    with pytest.raises(Invalid) as exc:
        normalize_phone(bad, country="PL")
    assert exc.value.field_errors["phone"]

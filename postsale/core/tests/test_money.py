import pytest

from postsale.core.money import Money, format_money


def test_amounts_are_integers_in_minor_units():
    with pytest.raises(TypeError):
        Money(10.5, "PLN")
    with pytest.raises(TypeError):
        Money(True, "PLN")


def test_currencies_cannot_be_mixed():
    with pytest.raises(ValueError, match="PLN with EUR"):
        Money(100, "PLN") + Money(100, "EUR")


def test_unknown_currency_is_refused():
    with pytest.raises(ValueError):
        Money(1, "XXX")


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (123450, "PLN", "1\u202f234.50 PLN"),
    (5, "EUR", "0.05 EUR"),
    (-250, "ILS", "-2.50 ILS"),
    (1500, "JPY", "1\u202f500 JPY"),
])
def test_format(amount, currency, text):
    assert format_money(amount, currency) == text


def test_arithmetic():
    assert Money(150, "UAH") + Money(50, "UAH") == Money(200, "UAH")
    assert Money(150, "UAH") * 3 == Money(450, "UAH")

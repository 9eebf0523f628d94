"""Money is an integer amount of minor units plus an ISO 4217 currency. Never floats."""

from dataclasses import dataclass

# Minor-unit exponents that differ from 2 (ISO 4217). Everything else has 2 decimals.
_EXPONENTS = {"JPY": 0, "KRW": 0, "HUF": 2, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3,
              "JOD": 3, "OMR": 3, "TND": 3}
# The currencies sellers can use; extend as sellers need them.
CURRENCIES = frozenset({"PLN", "EUR", "ILS", "UAH", "USD", "GBP", "CHF", "CZK", "SEK",
                        "NOK", "DKK", "HUF", "RON", "JPY"})


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money amounts are integers in minor units")
        if self.currency not in CURRENCIES:
            raise ValueError(f"Unknown currency {self.currency!r}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> "Money":
        return Money(self.amount * factor, self.currency)

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise ValueError(f"Cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: int, currency: str) -> str:
    """Plain, locale-neutral formatting: `1 234.50 PLN`."""
    exp = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exp) if exp else (abs(amount), 0)
    whole_s = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{whole_s}.{frac:0{exp}d} {currency}" if exp else f"{sign}{whole_s} {currency}"

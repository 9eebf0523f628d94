"""Payment providers: one module each, behind `base.PaymentProvider`. Register new ones
in PROVIDERS."""

from postsale.core.errors import NotFound
from postsale.payments.providers.autopay import AutopayProvider
from postsale.payments.providers.base import PaymentProvider
from postsale.payments.providers.manual import ManualProvider
from postsale.payments.providers.stripe import StripeProvider

PROVIDERS: dict[str, PaymentProvider] = {
    p.name: p for p in (ManualProvider(), StripeProvider(), AutopayProvider())}


def get_provider(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise NotFound(f"Unknown payment provider {name!r}.", code="unknown_provider") from None

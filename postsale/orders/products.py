"""Writes to products: their refund terms and exchange policy (SPEC §4.3, §4.4), as owners
set them on the settings pages. The rules that read them live in postsale.payments."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from postsale.core.audit import Actor, audit
from postsale.core.errors import Invalid, NotFound
from postsale.orders.models import Product
from postsale.sellers.models import Seller
from postsale.sellers.rules import MAX_HOURS_BEFORE, refund_windows_refusal


@dataclass(frozen=True)
class ProductTerms:
    """Everything a product says about refunds and exchanges. Windows left empty (None)
    follow the seller's."""

    non_refundable: bool = False
    customer_refund_days: int | None = None
    seller_refund_days: int | None = None
    refund_until_hours_before: int | None = None
    refund_fee_fixed: int = 0  # minor units, per item
    refund_fee_percent: int = 0  # 0–100
    no_refund_when_used: bool = True
    exchange_until_hours_before: int | None = None
    exchange_fee: int = 0  # minor units

    @classmethod
    def of(cls, product: Product) -> "ProductTerms":
        return cls(**{f: getattr(product, f) for f in cls.__dataclass_fields__})


def terms_errors(terms: ProductTerms, *, seller: Seller) -> dict[str, str]:
    """Field errors of `terms` (empty when they are fine). Windows are compared with the
    seller's where the product leaves one empty."""
    errors = refund_windows_refusal(
        customer_days=terms.customer_refund_days
        if terms.customer_refund_days is not None else seller.customer_refund_days,
        seller_days=terms.seller_refund_days
        if terms.seller_refund_days is not None else seller.seller_refund_days)
    for field in ("refund_until_hours_before", "exchange_until_hours_before"):
        hours = getattr(terms, field)
        if hours is not None and not 0 <= hours <= MAX_HOURS_BEFORE:
            errors[field] = _("Enter a number of hours from 0 to %(max)s.") % {
                "max": MAX_HOURS_BEFORE}
    if not 0 <= terms.refund_fee_percent <= 100:
        errors["refund_fee_percent"] = _("Enter a percentage from 0 to 100.")
    for field in ("refund_fee_fixed", "exchange_fee"):
        if getattr(terms, field) < 0:
            errors[field] = _("A fee cannot be negative.")
    return errors


@transaction.atomic
def product_terms_update(*, seller: Seller, sku: str, terms: ProductTerms, actor: Actor,
                         now: datetime | None = None) -> Product:
    """Set a product's terms. They apply to refund requests and exchanges asked from now
    on; requests already made keep the decision they were given."""
    product = Product.objects.select_for_update().filter(seller=seller, sku=sku).first()
    if product is None:
        raise NotFound(_("No product %(sku)s.") % {"sku": sku}, code="product_not_found")
    if errors := terms_errors(terms, seller=seller):
        raise Invalid(_("Check the highlighted fields; nothing was saved."), errors)
    old = asdict(ProductTerms.of(product))
    changed = {f: [old[f], v] for f, v in asdict(terms).items() if old[f] != v}
    if not changed:
        return product
    for field, (_old, new) in changed.items():
        setattr(product, field, new)
    product.save(update_fields=list(changed))
    audit(seller=seller, obj=product, action="product.terms_updated", actor=actor, now=now,
          data={"sku": product.sku, "changed": changed})
    return product

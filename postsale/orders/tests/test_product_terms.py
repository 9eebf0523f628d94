"""Product terms as owners set them: saved and audited, refused with field errors, and
read by the refund rules from then on."""

import pytest

from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.errors import Invalid, NotFound
from postsale.core.models import AuditEvent
from postsale.orders.models import Product
from postsale.orders.products import ProductTerms, product_terms_update
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.eligibility import refund_eligibility
from postsale.payments.rules import RequestedBy

OWNER = Actor("user", "olga")


def test_terms_are_saved_audited_and_used_by_the_refund_rules(seller):
    product = make_product(seller, sku="museum", price=4000)
    order = make_order(seller, product, quantity=1, paid=True)
    terms = ProductTerms(refund_fee_fixed=500, refund_fee_percent=10,
                         customer_refund_days=14, exchange_fee=300)
    product_terms_update(seller=seller, sku="museum", terms=terms, actor=OWNER)
    product.refresh_from_db()
    assert ProductTerms.of(product) == terms
    event = AuditEvent.objects.get(action="product.terms_updated")
    assert event.data["changed"]["refund_fee_fixed"] == [0, 500]
    assert "non_refundable" not in event.data["changed"]
    decision = refund_eligibility(order=order, by=RequestedBy.CUSTOMER, at=clock.now())
    assert decision.allowed and decision.fee == 500 + 400 and decision.amount == 3100

    product_terms_update(seller=seller, sku="museum", terms=ProductTerms(non_refundable=True),
                         actor=OWNER)
    decision = refund_eligibility(order=order, by=RequestedBy.CUSTOMER, at=clock.now())
    assert not decision.allowed and any("non-refundable" in r for r in decision.reasons)


def test_saving_the_same_terms_writes_no_audit_row(seller):
    make_product(seller, sku="museum")
    product_terms_update(seller=seller, sku="museum", terms=ProductTerms(), actor=OWNER)
    assert not AuditEvent.objects.filter(action="product.terms_updated").exists()


@pytest.mark.parametrize(("terms", "field"), [
    (ProductTerms(refund_fee_percent=101), "refund_fee_percent"),
    (ProductTerms(refund_fee_fixed=-1), "refund_fee_fixed"),
    (ProductTerms(exchange_until_hours_before=10**6), "exchange_until_hours_before"),
    # a product window for customers longer than the seller's own 90 days
    (ProductTerms(customer_refund_days=120), "seller_refund_days"),
    (ProductTerms(customer_refund_days=30, seller_refund_days=10), "seller_refund_days"),
])
def test_bad_terms_are_refused_and_nothing_changes(seller, terms, field):
    product = make_product(seller, sku="museum")
    with pytest.raises(Invalid) as exc:
        product_terms_update(seller=seller, sku="museum", terms=terms, actor=OWNER)
    assert field in exc.value.field_errors
    assert ProductTerms.of(Product.objects.get(pk=product.pk)) == ProductTerms.of(product)


def test_another_sellers_product_is_not_found(seller, other_seller):
    make_product(other_seller, sku="theirs")
    with pytest.raises(NotFound):
        product_terms_update(seller=seller, sku="theirs", terms=ProductTerms(), actor=OWNER)

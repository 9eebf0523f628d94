import pytest

from postsale.core.audit import SYSTEM
from postsale.core.errors import Conflict, Invalid
from postsale.orders.models import Customer, EntryStatus, Order, ProductKind
from postsale.orders.services import order_create
from postsale.orders.tests.factories import make_product, make_slot, order_draft


def create(seller, draft):
    return order_create(seller=seller, draft=draft, actor=SYSTEM)


def test_entries_are_pending_until_paid_and_numbers_do_not_grant_access(seller):
    product = make_product(seller, price=3000)
    order, created = create(seller, order_draft(product, quantity=3))
    assert created and order.status == "awaiting_payment" and order.total == 9000
    entries = list(order.entries.all())
    assert [e.status for e in entries] == [EntryStatus.PENDING] * 3
    assert all(e.number.startswith("TID-") and e.secret != e.number for e in entries)
    assert order.number.startswith("PID-")


def test_goods_and_digital_products_have_no_entries(seller):
    for kind in (ProductKind.GOODS, ProductKind.DIGITAL):
        order, _ = create(seller, order_draft(make_product(seller, kind=kind)))
        assert not order.entries.exists()


def test_same_external_id_and_content_returns_the_same_order(seller):
    product = make_product(seller)
    first, created1 = create(seller, order_draft(product, external_id="ext-1"))
    again, created2 = create(seller, order_draft(product, external_id="ext-1"))
    assert (created1, created2) == (True, False) and first == again
    assert Order.objects.count() == 1


def test_same_external_id_with_other_content_is_a_conflict(seller):
    product = make_product(seller)
    create(seller, order_draft(product, external_id="ext-1"))
    with pytest.raises(Conflict):
        create(seller, order_draft(product, external_id="ext-1", quantity=5))
    assert Order.objects.count() == 1


def test_capacity_of_a_time_slot_is_never_exceeded(seller):
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY)
    slot = make_slot(product, capacity=3)
    create(seller, order_draft(product, slot=slot, quantity=2))
    with pytest.raises(Invalid) as exc:
        create(seller, order_draft(product, slot=slot, quantity=2))
    assert exc.value.field_errors == {"lines[0].quantity": "Only 1 places left in this time slot."}
    create(seller, order_draft(product, slot=slot, quantity=1))
    assert slot.entries.count() == 3


def test_every_problem_is_reported_at_once_and_nothing_is_written(seller, other_seller):
    foreign = make_product(other_seller, sku="foreign")
    draft = order_draft(foreign, email="not-an-email")
    with pytest.raises(Invalid) as exc:
        create(seller, draft)
    assert set(exc.value.field_errors) == {"customer.email", "lines[0].product"}
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_currency_mismatch_names_the_right_currency(seller):
    product = make_product(seller, currency="PLN")
    with pytest.raises(Invalid) as exc:
        create(seller, order_draft(product, currency="EUR"))
    assert "Send the order in PLN" in exc.value.field_errors["lines[0].product"]


def test_a_returning_customer_keeps_their_details(seller):
    product = make_product(seller)
    create(seller, order_draft(product))
    create(seller, order_draft(product))
    customer = Customer.objects.get()
    assert customer.orders.count() == 2
    assert customer.phone == "+48601234567" and customer.last_name == "Kowalska"

"""The customer view's matching: one person's orders found by their customer record and
by the e-mail addresses and phone numbers they used, within one seller."""

from postsale.orders.customers import customer_identity, customer_orders
from postsale.orders.models import Customer, Order
from postsale.orders.tests.factories import make_order, make_product


def order(seller, email, phone="", product=None):
    """An order from `email` with `phone` on the order and on its customer record."""
    made = make_order(seller, product or make_product(seller), email=email)
    Order.objects.filter(pk=made.pk).update(phone=phone)
    Customer.objects.filter(pk=made.customer_id).update(phone=phone)
    made.refresh_from_db()
    return made


def matched(customer):
    orders, truncated = customer_orders(identity=customer_identity(customer))
    return {m.order.number: m.matched_by for m in orders}, truncated


def test_orders_match_by_record_by_e_mail_and_by_phone(seller):
    first = order(seller, "anna@example.com", "+48601234567")
    same_address = order(seller, "Anna@example.com")  # another record, same mailbox
    same_phone = order(seller, "anna.k@work.example", "+48601234567")
    stranger = order(seller, "piotr@example.com", "+48500100200")
    found, truncated = matched(first.customer)
    assert not truncated
    assert stranger.number not in found
    assert ("customer", "") in found[first.number]
    assert found[same_address.number] == (("email", "anna@example.com"),)
    assert found[same_phone.number] == (("phone", "+48601234567"),)


def test_a_corrected_order_address_still_belongs_to_the_customer(seller):
    first = order(seller, "anna@example.com")
    Order.objects.filter(pk=first.pk).update(email="anna@new.example")
    later = order(seller, "anna@new.example")  # ordered again with the new address
    found, _ = matched(first.customer)
    assert set(found) == {first.number, later.number}


def test_matching_stops_after_one_step(seller):
    """Anna and Piotr once shared a phone; Piotr's other orders are not Anna's."""
    anna = order(seller, "anna@example.com", "+48601234567")
    order(seller, "piotr@example.com", "+48601234567")
    piotr_alone = order(seller, "piotr@example.com", "+48500100200")
    found, _ = matched(anna.customer)
    assert piotr_alone.number not in found


def test_another_sellers_orders_never_match(seller, other_seller):
    mine = order(seller, "anna@example.com", "+48601234567")
    theirs = order(other_seller, "anna@example.com", "+48601234567")
    found, _ = matched(mine.customer)
    assert mine.number in found and theirs.number not in found


def test_the_list_is_limited_and_says_so(seller):
    product = make_product(seller)
    first = order(seller, "anna@example.com", product=product)
    for _ in range(3):
        order(seller, "anna@example.com", product=product)
    orders, truncated = customer_orders(identity=customer_identity(first.customer), limit=2)
    assert len(orders) == 2 and truncated
    assert orders[0].order.created_at >= orders[1].order.created_at

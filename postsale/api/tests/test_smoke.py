from django.core import mail

from postsale.orders.models import EntryStatus, Order
from postsale.orders.tests.factories import make_product


def test_create_then_pay_makes_entries_valid_and_sends_receipt_and_entries(
        api, seller, django_capture_on_commit_callbacks):
    make_product(seller, sku="museum-open", price=4000)
    body = {"channel": "web-shop", "currency": "PLN", "external_id": "shop-1",
            "customer": {"email": "jan@example.com", "first_name": "Jan", "last_name": "Nowak"},
            "lines": [{"product": "museum-open", "quantity": 2}]}
    r = api.post("/api/v1/orders", body, content_type="application/json")
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["total"] == 8000
    assert [e["status"] for e in r.json()["entries"]] == ["pending", "pending"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/payments/events",
                     {"order": number, "provider": "manual", "transaction_id": "T1",
                      "status": "confirmed"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["order"]["status"] == "paid"
    order = Order.objects.get(number=number)
    assert set(order.entries.values_list("status", flat=True)) == {EntryStatus.VALID}
    assert sorted(m.subject for m in mail.outbox) == [
        f"Receipt for order {number} – Acme Events",
        f"Your entries for order {number} – Acme Events"]

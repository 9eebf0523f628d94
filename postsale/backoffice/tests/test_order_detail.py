import re
from datetime import UTC, datetime

from django.urls import reverse

from postsale.core.audit import Actor, audit
from postsale.notifications.models import Notification, NotificationStatus
from postsale.orders.models import OrderAnswer, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot


def page_of(client, order):
    return client.get(reverse("backoffice:order", args=[order.number]))


def section(response, title: str) -> str:
    """The HTML of the page section whose heading is `title`."""
    match = re.search(rf"<h2[^>]*>{re.escape(title)}</h2>(.*?)</section>", response.text, re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_paid_order_shows_lines_entries_payments_emails_and_history(
        agent_client, seller, django_capture_on_commit_callbacks):
    product = make_product(seller, name="Museum, timed", kind=ProductKind.TIMED_ENTRY,
                           price=4000)
    slot = make_slot(product)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(seller, product, slot=slot, quantity=2, paid=True)
    OrderAnswer.objects.create(order=order, question="Licence plate", answer="WA 12345")
    response = page_of(agent_client, order)
    assert response.status_code == 200

    assert "The payment is confirmed" in response.text
    lines = section(response, "Lines")
    assert "Museum, timed" in lines and "40.00 PLN" in lines and "80.00 PLN" in lines
    assert slot.starts_at.astimezone(seller_tz(seller)).strftime("%Y-%m-%d %H:%M") in lines

    entries = section(response, "Entries")
    for entry in order.entries.all():
        assert entry.number in entries
        assert entry.secret not in response.text
    assert entries.count('data-status="valid">Valid<') == 2

    payments = section(response, "Payments")
    payment = order.payments.get()
    assert payment.provider_transaction_id in payments and "manual" in payments
    assert 'data-status="confirmed"' in payments

    emails = section(response, "E-mails sent")
    assert "Receipt" in emails and "Entries" in emails
    assert emails.count('data-status="sent">Sent<') == 2
    assert f"Receipt for order {order.number}" in emails

    history = section(response, "History")
    actions = re.findall(r"<code>([a-z_.]+)</code>", history)
    assert actions == ["order.paid", "payment.confirmed", "payment.created", "order.created"]

    assert "Licence plate" in section(response, "Checkout answers")
    assert order.invoices.get().number in section(response, "Invoices")
    assert "Anna Kowalska" in section(response, "Customer")
    assert "+48601234567" in section(response, "Customer")


def seller_tz(seller):
    from zoneinfo import ZoneInfo

    return ZoneInfo(seller.time_zone)


def test_awaiting_payment_is_explained_with_the_late_payment_advice(agent_client, seller):
    order = make_order(seller)
    response = page_of(agent_client, order)
    assert "the payment provider has not confirmed the payment yet" in response.text.lower()
    assert "buy again, preferably with another payment method" in response.text
    assert 'data-status="pending">Not valid yet<' in section(response, "Entries")
    assert "No payment has been reported" in section(response, "Payments")
    assert "No e-mail has been sent" in section(response, "E-mails sent")


def test_email_delivery_problems_are_visible(agent_client, seller,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(seller, paid=True)
    receipt, entries = (Notification.objects.get(kind=k, tags__tag=f"order:{order.pk}")
                        for k in ("order_receipt", "entries_delivery"))
    Notification.objects.filter(pk=receipt.pk).update(
        status=NotificationStatus.FAILED, attempts=8, last_error="550 mailbox unavailable")
    Notification.objects.filter(pk=entries.pk).update(status=NotificationStatus.BOUNCED)
    emails = section(page_of(agent_client, order), "E-mails sent")
    assert 'class="badge badge--bad" data-status="failed">Failed<' in emails
    assert 'data-status="bounced">Bounced<' in emails
    assert "550 mailbox unavailable" in emails
    assert ">8<" in emails


def test_history_lists_entry_events_and_user_actors_newest_first(agent, agent_client, seller):
    order = make_order(seller)
    entry = order.entries.first()
    audit(seller=seller, obj=entry, action="entry.voided", actor=Actor("user", user=agent),
          data={"reason": "duplicate"}, now=datetime(2030, 1, 1, 12, tzinfo=UTC))
    history = section(page_of(agent_client, order), "History")
    assert re.findall(r"<code>([a-z_.]+)</code>", history) == ["entry.voided", "order.created"]
    assert "agnes" in history and "reason: duplicate" in history
    assert "2030-01-01 13:00:00" in history  # noon UTC in Europe/Warsaw


def test_times_are_in_the_sellers_time_zone(agent_client, seller):
    seller.time_zone = "Asia/Jerusalem"
    seller.save(update_fields=["time_zone"])
    order = make_order(seller)
    type(order).objects.filter(pk=order.pk).update(
        created_at=datetime(2026, 7, 1, 21, 15, tzinfo=UTC))
    response = page_of(agent_client, order)
    assert "2026-07-02 00:15" in response.text and "Asia/Jerusalem" in response.text


def test_unknown_number_is_404_and_lowercase_number_works(agent_client, seller):
    order = make_order(seller)
    assert agent_client.get(reverse("backoffice:order", args=["PID-NOPE"])).status_code == 404
    response = agent_client.get(reverse("backoffice:order", args=[order.number.lower()]))
    assert response.status_code == 200


def test_order_page_query_count_does_not_grow_with_entries(
        agent_client, seller, django_assert_max_num_queries):
    order = make_order(seller, quantity=10, paid=True)
    with django_assert_max_num_queries(25):
        assert page_of(agent_client, order).status_code == 200

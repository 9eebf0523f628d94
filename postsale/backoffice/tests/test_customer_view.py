"""The customer view: one person's orders, tickets, e-mails (with delivery status) and
check-ins, matched by e-mail and phone, within the seller; linked from the order and the
ticket pages."""

from django.urls import reverse

from postsale.core import clock
from postsale.orders.models import Customer, EntryStatus, Order
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member
from postsale.tickets.tests.factories import open_ticket


def customer_url(customer_id: int) -> str:
    return reverse("backoffice:customer", args=[customer_id])


def order_of(seller, email, phone="+48601234567", paid=True):
    made = make_order(seller, make_product(seller), email=email, paid=paid)
    Order.objects.filter(pk=made.pk).update(phone=phone)
    Customer.objects.filter(pk=made.customer_id).update(phone=phone)
    made.refresh_from_db()
    return made


def test_everything_about_one_customer_on_one_page(agent_client, seller,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = order_of(seller, "anna@example.com")
        by_phone = order_of(seller, "anna.work@example.com")  # another address, same phone
    stranger = order_of(seller, "piotr@example.com", phone="+48500100200")
    ticket = open_ticket(by_phone, subject="Where are my tickets?")
    used = first.entries.first()
    used.status, used.used_at = EntryStatus.USED, clock.now()
    used.save()

    page = agent_client.get(customer_url(first.customer_id))
    assert page.status_code == 200
    html = page.text
    orders = html.split('id="orders"')[1].split("</section>")[0]
    assert first.number in orders and by_phone.number in orders
    assert stranger.number not in html
    assert "this customer" in orders and "phone" in orders  # what matched
    assert ticket.number in html.split('id="tickets"')[1].split("</section>")[0]
    emails = html.split('id="emails"')[1].split("</section>")[0]
    assert "anna.work@example.com" in emails and "Sent" in emails  # delivery status
    assert "Receipt" in emails
    check_ins = html.split('id="check-ins"')[1].split("</section>")[0]
    assert used.number in check_ins
    # The other customer record the phone matched is linked.
    assert customer_url(by_phone.customer_id) in html


def test_linked_from_the_order_and_the_ticket(agent_client, seller):
    order = order_of(seller, "anna@example.com", paid=False)
    ticket = open_ticket(order)
    url = customer_url(order.customer_id)
    assert f'href="{url}"' in agent_client.get(reverse("backoffice:order",
                                                       args=[order.number])).text
    assert f'href="{url}"' in agent_client.get(reverse("backoffice:ticket",
                                                       args=[ticket.number])).text


def test_another_sellers_customer_is_404_and_never_shown(agent_client, seller, other_seller):
    mine = order_of(seller, "anna@example.com", paid=False)
    theirs = order_of(other_seller, "anna@example.com", paid=False)
    assert agent_client.get(customer_url(theirs.customer_id)).status_code == 404
    assert agent_client.get(customer_url(10**12)).status_code == 404
    assert theirs.number not in agent_client.get(customer_url(mine.customer_id)).text


def test_viewers_read_it_and_door_staff_do_not(seller, client_for):
    order = order_of(seller, "anna@example.com", paid=False)
    viewer = client_for(make_member(seller, role=Role.VIEWER).user)
    door = client_for(make_member(seller, role=Role.DOOR).user)
    assert viewer.get(customer_url(order.customer_id)).status_code == 200
    assert door.get(customer_url(order.customer_id)).status_code == 403


def test_a_customer_without_anything_yet_gets_clear_empty_sections(agent_client, seller):
    order = order_of(seller, "anna@example.com", paid=False)
    html = agent_client.get(customer_url(order.customer_id)).text
    assert "No tickets." in html and "No entry of this customer has been used yet." in html

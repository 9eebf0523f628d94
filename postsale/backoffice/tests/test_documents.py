"""The order's PDFs in the back office: for owners, agents and viewers of the seller —
not door staff, not another seller."""

import pytest
from django.urls import reverse

from postsale.core.audit import SYSTEM
from postsale.orders.tests.documents_helpers import pdf_text
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.documents import order_invoices
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(seller):
    return make_order(seller, make_product(seller, name="Museum entry", price=4000),
                      quantity=2, paid=True)


def documents_of(order) -> dict[str, str]:
    entry = order.entries.order_by("id").first()
    return {
        "all": reverse("backoffice:order_entries_pdf", args=[order.number]),
        "entry": reverse("backoffice:entry_pdf", args=[order.number, entry.number]),
        "invoice": reverse("backoffice:invoice_pdf",
                           args=[order.number, order_invoices(order).get().number]),
    }


@pytest.mark.parametrize("role", [Role.OWNER, Role.AGENT, Role.VIEWER])
def test_owners_agents_and_viewers_get_the_pdfs(client_for, seller, order, role):
    client = client_for(make_member(seller, role=role).user)
    page = client.get(reverse("backoffice:order", args=[order.number])).text
    urls = documents_of(order)
    for url in urls.values():
        assert url in page
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
    text = pdf_text(client.get(urls["all"]).content)
    assert all(e.number in text for e in order.entries.all())


def test_door_staff_get_neither_the_links_nor_the_pdfs(client_for, seller, order):
    client = client_for(make_member(seller, role=Role.DOOR).user)
    page = client.get(reverse("backoffice:order", args=[order.number])).text
    assert "entries.pdf" not in page
    for url in documents_of(order).values():
        assert client.get(url).status_code == 403


def test_another_sellers_order_is_not_found(agent_client, other_seller):
    theirs = make_order(other_seller, make_product(other_seller), paid=True)
    for url in documents_of(theirs).values():
        assert agent_client.get(url).status_code == 404


def test_a_refunded_entry_gets_a_page_that_says_why(agent_client, seller, order):
    first = order.entries.order_by("id").first()
    refund = refund_request(seller=seller, order_number=order.number, by=RequestedBy.SELLER,
                            actor=SYSTEM, keys=[f"entry:{first.number}"])
    refund_process(refund_id=refund.pk)
    response = agent_client.get(documents_of(order)["entry"])
    assert response.status_code == 409
    assert "This entry was refunded, so it is no longer valid." in response.text
    page = agent_client.get(reverse("backoffice:order", args=[order.number])).text
    assert "Entry (PDF)" in page  # one valid entry left


def test_an_unpaid_order_offers_no_documents(agent_client, seller):
    order = make_order(seller, make_product(seller), quantity=1, paid=False)
    page = agent_client.get(reverse("backoffice:order", args=[order.number])).text
    assert 'id="documents"' not in page
    response = agent_client.get(reverse("backoffice:order_entries_pdf", args=[order.number]))
    assert response.status_code == 409
    assert "no valid entries" in response.text


def test_big_orders_get_several_files_here_too(agent_client, order, monkeypatch):
    monkeypatch.setattr("postsale.orders.documents.entries.ENTRIES_PER_PDF", 1)
    page = agent_client.get(reverse("backoffice:order", args=[order.number])).text
    assert "Entries 2–2 (PDF)" in page
    response = agent_client.get(documents_of(order)["all"] + "?part=2")
    assert response.status_code == 200
    assert f"entries-{order.number}-2-of-2.pdf" in response["Content-Disposition"]
    assert agent_client.get(documents_of(order)["all"] + "?part=9").status_code == 404


def test_only_digital_products_take_a_file_in_the_admin(client_for, seller):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    operator = client_for(get_user_model().objects.create_superuser("root", password="pw"))
    product = make_product(seller, name="Museum entry")
    response = operator.post(
        reverse("admin:orders_product_change", args=[product.pk]),
        {"seller": seller.pk, "sku": product.sku, "name": product.name, "kind": product.kind,
         "price": product.price, "currency": product.currency, "active": "on",
         "refund_fee_fixed": 0, "refund_fee_percent": 0, "no_refund_when_used": "on",
         "exchange_fee": 0, "download_file": SimpleUploadedFile("guide.mp3", b"ID3"),
         "time_slots-TOTAL_FORMS": 0, "time_slots-INITIAL_FORMS": 0})
    assert response.status_code == 200
    assert "Only digital downloads have a file" in response.text
    product.refresh_from_db()
    assert not product.download_file

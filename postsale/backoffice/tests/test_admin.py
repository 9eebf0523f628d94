import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from postsale.notifications.models import Notification
from postsale.orders.models import Entry, Order
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import ApiToken
from postsale.sellers.tests.factories import make_token


@pytest.fixture
def operator(client_for, db):
    return client_for(get_user_model().objects.create_superuser("root", password="pw"))


@pytest.fixture
def data(seller, django_capture_on_commit_callbacks):
    make_slot(make_product(seller))
    make_token(seller)
    with django_capture_on_commit_callbacks(execute=True):
        return make_order(seller, paid=True)


def _url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def test_every_postsale_model_has_a_working_changelist_and_change_page(operator, data):
    models = [m for m in admin.site._registry if m.__module__.startswith("postsale.")]
    assert {m.__name__ for m in models} >= {
        "Seller", "ApiToken", "Product", "Order", "Entry", "Payment", "PaymentEvent",
        "Subscription", "Invoice", "Notification", "AuditEvent"}
    for model in models:
        assert operator.get(_url(model, "changelist")).status_code == 200, model
        obj = model.objects.first()
        if obj is not None:
            assert operator.get(_url(model, "change", obj.pk)).status_code == 200, model


def test_admin_never_shows_entry_secrets(operator, data):
    entry = Entry.objects.first()
    for url in (_url(Entry, "changelist"), _url(Entry, "change", entry.pk),
                _url(Order, "change", data.pk)):
        assert entry.secret not in operator.get(url).text


def test_orders_and_notifications_are_read_only_and_searchable(operator, data):
    assert operator.get(_url(Order, "add")).status_code == 403
    change = operator.get(_url(Order, "change", data.pk)).text
    assert 'name="_save"' not in change
    found = operator.get(_url(Order, "changelist"), {"q": data.number}).text
    assert data.number in found
    assert operator.get(_url(Notification, "changelist"), {"status": "sent"}).status_code == 200


def test_api_tokens_cannot_be_added_here(operator, data):
    assert operator.get(_url(ApiToken, "add")).status_code == 403
    token = ApiToken.objects.first()
    assert token.token_hash in operator.get(_url(ApiToken, "change", token.pk)).text


def test_agents_cannot_open_the_admin(agent_client):
    assert agent_client.get("/admin/").status_code == 302

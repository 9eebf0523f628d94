"""The new order e-mails (order link, e-mail address changed) in every language: the
recipient's language, right to left in Hebrew, subjects that carry the order number."""

import pytest
from django.conf import settings

from postsale.core.audit import Actor
from postsale.notifications.models import Notification
from postsale.orders.mail_services import order_email_change, order_link_send
from postsale.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _ in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_mail_is_in_the_orders_language(seller, language):
    order = make_order(seller)
    order.language = language
    order.save(update_fields=["language"])
    order_link_send(order=order, actor=Actor("customer"))
    order_email_change(order=order, email="nowy.adres@example.com",
                       actor=Actor("user", "agnes"))
    sent = Notification.objects.filter(kind__in=["order_link", "email_changed"])
    assert sent.count() == 3
    for notification in sent:
        assert notification.language == language
        assert order.number in notification.subject and "Acme Events" in notification.subject
        assert f'lang="{language}"' in notification.body_html
        assert ('dir="rtl"' in notification.body_html) == (language == "he")
        assert "{%" not in notification.body_text and "{{" not in notification.body_html

"""A notification is written in the transaction of the change that causes it: rolled back
with it, and sent only after it commits."""

import threading

import pytest
from django.db import connection, connections, transaction

from postsale.notifications import services
from postsale.notifications.models import Notification, NotificationTag
from postsale.notifications.tests.factories import make_notification
from postsale.orders.models import Order
from postsale.orders.tests.factories import make_order


def visible_to_another_connection(pk: int) -> bool:
    """Whether a separate database connection (another worker) can see the row."""
    seen = []

    def look():
        try:
            seen.append(Notification.objects.filter(pk=pk).exists())
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen == [True]


def test_rolled_back_change_leaves_no_notification_and_sends_nothing(
        seller, smtp, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        make_order(seller, paid=True)
        assert Notification.objects.count() == 2  # receipt and entries, in the transaction
        raise RuntimeError("something later in the same change failed")
    assert callbacks == []
    assert not Order.objects.exists()
    assert not Notification.objects.exists() and not NotificationTag.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_notification_is_committed_before_it_is_sent(smtp, monkeypatch):
    sending = []
    real_send = services._send

    def observe(notification):
        sending.append({"inside_a_transaction": connection.in_atomic_block,
                        "committed": visible_to_another_connection(notification.pk)})
        real_send(notification)

    monkeypatch.setattr(services, "_send", observe)
    with transaction.atomic():
        notification = make_notification()
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert sending == []  # nothing goes out while the change may still roll back
    assert sending == [{"inside_a_transaction": False, "committed": True}]
    assert [m["message-id"] for m in smtp.messages] == [notification.message_id]
    notification.refresh_from_db()
    assert notification.status == "sent"

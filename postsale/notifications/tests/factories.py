from datetime import UTC, datetime

from postsale.notifications.services import notification_queue

# A rendered kind needs its context; the order receipt's is small. The outbox itself never
# looks inside it.
RECEIPT_CONTEXT = {
    "seller": {"name": "Acme Events", "support_email": "help@acme.example"},
    "tz": "Europe/Warsaw",
    "order": {"number": "PID-TEST", "created_at": datetime(2026, 5, 4, 10, tzinfo=UTC),
              "paid_at": datetime(2026, 5, 4, 10, 5, tzinfo=UTC), "total": "80.00 zł",
              "status": "Paid"},
    "customer": {"name": "Anna Kowalska", "email": "anna@example.com"},
    "lines": [{"name": "Museum", "quantity": 2, "unit_price": "40.00 zł",
               "total": "80.00 zł", "time_slot": None}],
}


def make_notification(**overrides):
    """Queue an order receipt to anna@example.com (any keyword of notification_queue can
    be overridden)."""
    kwargs = {"kind": "order_receipt", "to_email": "anna@example.com", "language": "en",
              "context": RECEIPT_CONTEXT, "tags": ["order:1"],
              "reply_to": "help@acme.example"}
    return notification_queue(**kwargs | overrides)

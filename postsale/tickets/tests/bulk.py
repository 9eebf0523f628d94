"""Many tickets fast, for the SIGKILL test and the sweep benchmark.

One order and its ticket are made through the services (order_submit, ticket_open); the
rest are bulk-inserted copies of that state with their own numbers, customers, payments
and entries, so each is a real paid order with a manual payment the refund can go
through. What the copies skip: audit rows and mail of the order and of the opening."""

from datetime import datetime, timedelta

from django.db import transaction

from postsale.core.audit import SYSTEM
from postsale.core.numbers import new_secret, public_number
from postsale.orders.models import Customer, Entry, Order, OrderLine
from postsale.orders.tests.factories import make_product, order_draft
from postsale.payments.models import Invoice, Payment, PaymentEvent
from postsale.payments.services import order_submit
from postsale.tickets.models import Message, Ticket
from postsale.tickets.tests.factories import open_ticket

BATCH = 1000


def _copy(obj, *, skip: tuple[str, ...] = (), **values):
    """An unsaved copy of `obj` with `values` replacing some fields."""
    fields = {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields
              if f.attname not in ("id", *skip)}
    return type(obj)(**(fields | values))


def tickets_like(template: Ticket, count: int, *, tag: str = "bulk") -> list[int]:
    """`count` more tickets in the state of `template` (on an order like its order, paid
    the same way); returns their ids. Customers are `<tag><n>@example.com`."""
    order = template.order
    line = order.lines.get()
    entries = list(line.entries.all())
    payment = order.payments.get()
    event = payment.events.get()
    invoice = order.invoices.get()
    message = template.messages.get()
    ids: list[int] = []
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                _copy(order.customer, email=f"{tag}{start + i}@example.com") for i in range(n))
            orders = Order.objects.bulk_create(
                _copy(order, number=public_number("PID"), customer_id=c.pk, email=c.email,
                      fingerprint="") for c in customers)
            lines = OrderLine.objects.bulk_create(_copy(line, order_id=o.pk) for o in orders)
            Entry.objects.bulk_create(
                _copy(e, order_id=li.order_id, line_id=li.pk, number=public_number("TID", 10),
                      secret=new_secret()) for li in lines for e in entries)
            payments = Payment.objects.bulk_create(
                _copy(payment, order_id=o.pk, provider_transaction_id=f"{tag}-{o.number}")
                for o in orders)
            PaymentEvent.objects.bulk_create(
                _copy(event, payment_id=p.pk,
                      key=f"{p.provider}:{p.provider_transaction_id}:confirmed")
                for p in payments)
            Invoice.objects.bulk_create(
                _copy(invoice, order_id=o.pk, number=public_number("INV", 10)) for o in orders)
            tickets = Ticket.objects.bulk_create(
                _copy(template, order_id=o.pk, number=public_number("TCK", 8)) for o in orders)
            Message.objects.bulk_create(_copy(message, ticket_id=t.pk) for t in tickets)
        ids += [t.pk for t in tickets]
    return ids


def refund_requests(seller, count: int, *, opened: datetime, tag: str = "bulk") -> list[int]:
    """`count` customer refund requests opened at `opened`, each on its own paid order
    (one entry at 40.00, manual payment, paid a day before). Returns the ticket ids."""
    product = make_product(seller, price=4000, sku=f"{tag}-entry")
    draft = order_draft(product, quantity=1, paid=True, email=f"{tag}-first@example.com")
    order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test",
                            now=opened - timedelta(days=1))
    template = open_ticket(order, type="refund", body="I cannot come.", now=opened)
    template.refresh_from_db()
    return [template.pk, *tickets_like(template, count - 1, tag=tag)]


def support_tickets(seller, count: int, *, opened: datetime, tag: str = "support") -> list[int]:
    """`count` customer support tickets opened at `opened` (waiting on the seller: their
    first inactivity warning is due 48 hours later)."""
    product = make_product(seller, price=4000, sku=f"{tag}-entry")
    draft = order_draft(product, quantity=1, paid=True, email=f"{tag}-first@example.com")
    order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test",
                            now=opened - timedelta(days=1))
    template = open_ticket(order, body="The QR code does not scan.", now=opened)
    template.refresh_from_db()
    return [template.pk, *tickets_like(template, count - 1, tag=tag)]

"""Demo data: a museum selling timed and open entries, a download and a membership, with
about 300 orders from the last 60 days in every status, and logins for each role.

Everything goes through the services (`seller_create`, `member_add`, `order_submit`,
`payment_record_event` …) with `now=` in the past, so timestamps, audit history and the
queued e-mails look like real traffic. Where no service exists yet (products, time slots,
expiry, cancellation, refunds) the ORM is used, marked in a comment. A fixed seed makes the
data the same on every run with the same `now`. Customers are in demo_people."""

import os
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.ops.demo_documents import load_demo_documents
from postsale.ops.demo_people import Person, people
from postsale.ops.demo_tickets import load_demo_tickets
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.models import (
    Entry,
    EntryStatus,
    Order,
    OrderStatus,
    Product,
    ProductKind,
    TimeSlot,
)
from postsale.orders.sync import entries_update
from postsale.payments.models import SubscriptionStatus
from postsale.payments.services import PaymentReport, order_submit, payment_record_event
from postsale.sellers.models import Role, Seller
from postsale.sellers.services import channel_create, member_add, seller_create

DEMO_SLUG = "demo"
SEED = 20260501
ORDER_COUNT = 300
# (username, password, role). Shown by `postsale up`; for trying postsale out only.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("owner", "owner", Role.OWNER.label),
    ("agent", "agent", Role.AGENT.label),
    ("door", "door", Role.DOOR.label),
    ("operator", "operator", _("Platform operator")),
]
# How many orders end in each status, of ORDER_COUNT (the rest are paid).
STATUS_COUNTS = {OrderStatus.AWAITING_PAYMENT: 24, OrderStatus.EXPIRED: 18,
                 OrderStatus.CANCELED: 14, OrderStatus.REFUNDED: 20,
                 OrderStatus.PARTIALLY_REFUNDED: 16}
# How many web orders are placed in each hour from 7:00 to 23:00, relatively.
_HOURS = [1, 3, 5, 6, 7, 7, 8, 8, 8, 8, 9, 10, 10, 9, 7, 5, 2]
SYSTEM = Actor("system", "demo")
WEB = Actor("api", "web-shop")
BOX_OFFICE = Actor("user", "box-office")


@dataclass
class DemoResult:
    seller: Seller | None  # None: the demo seller existed, nothing was loaded
    orders: int = 0
    skipped_logins: list[str] = field(default_factory=list)  # usernames already taken


@dataclass
class _Catalog:
    products: dict[str, Product]
    slots: dict[str, list[TimeSlot]]  # timed products' slots by sku, by start
    taken: dict[int, int] = field(default_factory=dict)  # places sold per slot id


def load_demo(*, now: datetime | None = None) -> DemoResult:
    """Create the demo seller and its data in one transaction; do nothing if it exists."""
    now = now or clock.now()
    if Seller.objects.filter(slug=DEMO_SLUG).exists():
        return DemoResult(seller=None)
    rng = random.Random(SEED)
    with transaction.atomic():
        seller = seller_create(
            slug=DEMO_SLUG, name="Demo Museum & Events", time_zone="Europe/Warsaw",
            country="PL", language="pl", currency="PLN",
            account_email="office@demo-museum.example",
            support_email="pomoc@demo-museum.example", actor=SYSTEM)
        channel_create(seller=seller, code="web-shop", name="Web shop")
        channel_create(seller=seller, code="box-office", name="Box office")
        skipped = _logins(seller)
        catalog = _catalog(seller, now)
        load_demo_documents(seller, catalog.products, now=now)
        customers = people(rng, count=170, real_domains=_mail_is_caught())
        orders = _Orders(seller, catalog, customers, rng, now)
        orders.create_all()
        load_demo_tickets(seller, now=now)
    return DemoResult(seller=seller, orders=orders.count, skipped_logins=skipped)


def _mail_is_caught() -> bool:
    """True when queued mail cannot reach real mailboxes (the test backend, or `postsale
    up`'s local catcher). Otherwise the demo customers get addresses on reserved
    .example domains, so a demo loaded next to a real SMTP server mails no strangers."""
    backend = settings.MAILERS["default"]["BACKEND"]
    return "smtp" not in backend.lower() or "EMAIL_HOST" not in os.environ


def _logins(seller: Seller) -> list[str]:
    """Never touch an existing user: a demo must not reset a real person's password."""
    User = get_user_model()
    passwords = {username: password for username, password, _role in DEMO_LOGINS}
    taken = set(User.objects.filter(username__in=passwords).values_list("username", flat=True))
    for username, role in (("owner", Role.OWNER), ("agent", Role.AGENT), ("door", Role.DOOR)):
        if username not in taken:
            member_add(seller=seller, username=username, password=passwords[username],
                       role=role, email=f"{username}@demo-museum.example", actor=SYSTEM)
    if "operator" not in taken:
        # No service for platform operators: they are Django superusers.
        User.objects.create_superuser(username="operator", password=passwords["operator"],
                                      email="operator@postsale.example")
    return sorted(taken)


# sku, kind, name, price, refund and exchange terms
_PRODUCTS = [
    ("museum-timed", ProductKind.TIMED_ENTRY, "Museum admission (timed)", 4500,
     {"refund_until_hours_before": 24, "refund_fee_fixed": 500,
      "exchange_until_hours_before": 24}),
    ("night-tour", ProductKind.TIMED_ENTRY, "Night tour with a guide", 8900,
     {"refund_until_hours_before": 48, "refund_fee_percent": 10,
      "exchange_until_hours_before": 48, "exchange_fee": 1000}),
    ("museum-night", ProductKind.TIMED_ENTRY, "Museum Night 2027", 2000,
     {"refund_until_hours_before": 72}),
    ("exhibition-pass", ProductKind.OPEN_ENTRY, "Exhibition pass (any day)", 3200,
     {"customer_refund_days": 14, "refund_fee_percent": 10}),
    ("audio-guide", ProductKind.DIGITAL, "Audio guide (MP3 download)", 1500,
     {"non_refundable": True}),
    ("membership-monthly", ProductKind.SUBSCRIPTION, "Friends of the Museum membership",
     4900, {"billing_period_months": 1, "customer_refund_days": 14}),
]
# Museum Night is on a fixed date, so docs/import-orders-example.csv can name its slots.
_MUSEUM_NIGHT = [datetime(2027, 5, 15, 18), datetime(2027, 5, 15, 20),
                 datetime(2027, 5, 15, 22)]


def _catalog(seller: Seller, now: datetime) -> _Catalog:
    # No product or time slot services yet: created with the ORM.
    products = {sku: Product.objects.create(seller=seller, sku=sku, kind=kind, name=name,
                                            price=price, currency=seller.currency, **terms)
                for sku, kind, name, price, terms in _PRODUCTS}
    tz = ZoneInfo(seller.time_zone)
    today = now.astimezone(tz).date()
    slots = []
    # From 60 days back (the orders' slots) to 30 days ahead. Closed on Mondays, like most
    # Polish museums; admissions every hour 10–17, a night tour on Fridays and Saturdays.
    for offset in range(-61, 31):
        day = today + timedelta(days=offset)
        if day.weekday() == 0:
            continue
        weekend = day.weekday() >= 5
        for hour in range(10, 18):
            start = datetime.combine(day, time(hour), tzinfo=tz)
            slots.append(TimeSlot(product=products["museum-timed"], starts_at=start,
                                  ends_at=start + timedelta(hours=1),
                                  capacity=60 if weekend else 35))
        if day.weekday() in (4, 5):
            start = datetime.combine(day, time(20, 30), tzinfo=tz)
            slots.append(TimeSlot(product=products["night-tour"], starts_at=start,
                                  ends_at=start + timedelta(minutes=90), capacity=15))
    for start in _MUSEUM_NIGHT:
        start = start.replace(tzinfo=tz)
        slots.append(TimeSlot(product=products["museum-night"], starts_at=start,
                              ends_at=start + timedelta(hours=2), capacity=250))
    by_sku: dict[str, list[TimeSlot]] = {}
    for slot in TimeSlot.objects.bulk_create(slots):
        by_sku.setdefault(slot.product.sku, []).append(slot)
    if not all(s.pk for s in by_sku["museum-timed"]):  # backends without RETURNING
        by_sku = {sku: list(TimeSlot.objects.filter(product__sku=sku,
                                                    product__seller=seller))
                  for sku in by_sku}
    return _Catalog(products=products, slots=by_sku)


class _Orders:
    """Builds the orders of the demo, one status at a time."""

    def __init__(self, seller, catalog, customers: list[Person], rng: random.Random,
                 now: datetime):
        self.seller, self.catalog, self.customers = seller, catalog, customers
        self.rng, self.now = rng, now
        self.count = 0
        self.tx = 0

    def create_all(self) -> None:
        plan = [status for status, n in STATUS_COUNTS.items() for _ in range(n)]
        # Two late confirmations and two duplicate pairs (6 orders) are added below.
        plan += [OrderStatus.PAID] * (ORDER_COUNT - 6 - len(plan))
        self.rng.shuffle(plan)
        make = {OrderStatus.PAID: self._paid, OrderStatus.AWAITING_PAYMENT: self._awaiting,
                OrderStatus.EXPIRED: self._expired, OrderStatus.CANCELED: self._canceled,
                OrderStatus.REFUNDED: self._refunded,
                OrderStatus.PARTIALLY_REFUNDED: self._partially_refunded}
        for status in plan:
            make[status]()
        for _twice in range(2):
            self._late_confirmation()
            self._duplicate()

    # Paid: at the box office, by card in the web shop (confirmed at once), or by bank
    # transfer (pending first, confirmed minutes to a day later through a payment event).
    def _paid(self, *, days: float = 60, at_least: float = 0,
              entries_at_least: int = 1) -> Order:
        if self.rng.random() < 0.2:
            at = self._past(days=days, at_least=at_least, box_office=True)
            return self._submit(self._draft("box-office", at, entries_at_least,
                                            payment=("manual", "KASA")), at, BOX_OFFICE)
        at = self._past(days=days, at_least=at_least)
        if self.rng.random() < 0.6:
            return self._submit(self._draft("web-shop", at, entries_at_least,
                                            payment=("stripe", "ch")), at)
        order = self._submit(self._draft("web-shop", at, entries_at_least), at)
        tx = self._tx("manual", "TR")
        self._event(order, tx, "pending", at + timedelta(minutes=1))
        paid = at + timedelta(minutes=self.rng.choice([3, 12, 45, 180, 900]))
        self._event(order, tx, "confirmed", min(paid, self.now))
        return order

    def _awaiting(self) -> None:
        at = self._past(days=1.5)
        order = self._submit(self._draft("web-shop", at), at)
        if self.rng.random() < 0.5:  # a bank transfer on its way
            self._event(order, self._tx("manual", "TR"), "pending",
                        at + timedelta(minutes=2))

    def _expired(self) -> None:
        at = self._past(days=60, at_least=3)
        order = self._submit(self._draft("web-shop", at), at)
        if self.rng.random() < 0.6:
            tx = self._tx("manual", "TR")
            self._event(order, tx, "pending", at + timedelta(minutes=2))
            self._event(order, tx, "failed", at + timedelta(minutes=20))
        # No expiry service yet: set the status with the ORM. Entries stay pending: a
        # late confirmation may still make an expired order paid (SPEC §5).
        expired_at = at + timedelta(days=2)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.EXPIRED,
                                                 expires_at=expired_at, closed_at=expired_at)
        audit(seller=self.seller, obj=order, action="order.expired", actor=SYSTEM,
              now=expired_at)

    def _canceled(self) -> None:
        at = self._past(days=60, at_least=1)
        order = self._submit(self._draft("web-shop", at), at)
        closed_at = at + timedelta(hours=self.rng.randint(1, 20))
        # No cancellation service yet: set the status with the ORM and void the entries.
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELED,
                                                 closed_at=closed_at)
        self._void(order, order.entries.all(), closed_at)
        audit(seller=self.seller, obj=order, action="order.canceled", actor=SYSTEM,
              now=closed_at, data={"reason": "customer"})

    def _refunded(self) -> None:
        order = self._paid(at_least=4)
        refunded_at = order.created_at + timedelta(days=self.rng.randint(1, 3),
                                                   hours=self.rng.randint(0, 8))
        payment = order.payments.get(status="confirmed")
        # The gateway's refund is a payment event (a real service); the order's refund
        # service arrives with the refunds issue, so status, entries and a membership are
        # set directly.
        self._event(order, payment.provider_transaction_id, "refunded", refunded_at,
                    provider=payment.provider)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.REFUNDED)
        self._void(order, order.entries.all(), refunded_at)
        order.subscriptions.update(status=SubscriptionStatus.CANCELED, canceled_at=refunded_at)
        audit(seller=self.seller, obj=order, action="order.refunded", actor=SYSTEM,
              now=refunded_at, data={"amount": order.total})

    def _partially_refunded(self) -> None:
        order = self._paid(at_least=4, entries_at_least=2)
        refunded_at = order.created_at + timedelta(days=self.rng.randint(1, 3))
        entry = order.entries.order_by("pk").last()
        # No refund service yet (see _refunded): one entry is returned, the rest stay valid.
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PARTIALLY_REFUNDED)
        self._void(order, Entry.objects.filter(pk=entry.pk), refunded_at)
        audit(seller=self.seller, obj=order, action="order.partially_refunded",
              actor=SYSTEM, now=refunded_at,
              data={"entries": [entry.number], "amount": entry.line.unit_price})

    def _late_confirmation(self) -> None:
        """The bank confirms a transfer after the order expired: it becomes paid (SPEC §5)."""
        at = self._past(days=30, at_least=4)
        order = self._submit(self._draft("web-shop", at), at)
        tx = self._tx("manual", "TR")
        self._event(order, tx, "pending", at + timedelta(minutes=2))
        expired_at = at + timedelta(days=2)
        # No expiry service yet (see _expired).
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.EXPIRED,
                                                 expires_at=expired_at, closed_at=expired_at)
        audit(seller=self.seller, obj=order, action="order.expired", actor=SYSTEM,
              now=expired_at)
        self._event(order, tx, "confirmed", expired_at + timedelta(hours=7))

    def _duplicate(self) -> None:
        """A transfer is slow, the customer buys again by card, then the transfer arrives:
        two paid orders with the same items, for an agent to refund one (SPEC §5)."""
        at = self._past(days=20, at_least=2)
        first = self._draft("web-shop", at)
        order = self._submit(first, at)
        tx = self._tx("manual", "TR")
        self._event(order, tx, "pending", at + timedelta(minutes=1))
        again = at + timedelta(minutes=25)
        self._submit(OrderDraft(
            channel="web-shop", currency=first.currency, customer=first.customer,
            lines=first.lines, answers=first.answers, created_at=again,
            external_id=f"WS-{again:%y%m%d}-{self.count + 1:04d}",
            payment=PaymentDraft(provider="stripe", transaction_id=self._tx("stripe", "ch"))),
            again)
        self._event(order, tx, "confirmed", at + timedelta(hours=5))

    def _void(self, order: Order, entries, at: datetime) -> None:
        entries_update(entries, status=EntryStatus.VOID, voided_at=at)

    # Building blocks.
    def _submit(self, draft: OrderDraft, at: datetime, actor: Actor = WEB) -> Order:
        order, _created = order_submit(seller=self.seller, draft=draft, actor=actor,
                                       source=f"demo:{draft.channel}",
                                       now=at + timedelta(seconds=40))
        for line in draft.lines:
            if line.time_slot:
                self.catalog.taken[line.time_slot] = (self.catalog.taken.get(line.time_slot, 0)
                                                      + line.quantity)
        self.count += 1
        return order

    def _event(self, order: Order, tx: str, status: str, at: datetime,
               provider: str = "manual") -> None:
        payment_record_event(seller=self.seller, order_number=order.number,
                             report=PaymentReport(provider=provider, transaction_id=tx,
                                                  status=status, occurred_at=at),
                             source=f"hook:{provider}", actor=Actor("api", provider), now=at)

    def _tx(self, provider: str, prefix: str) -> str:
        self.tx += 1
        return f"{prefix}-{self.rng.randrange(16**8):08X}{self.tx:04d}"

    def _past(self, *, days: float, at_least: float = 0, box_office: bool = False) -> datetime:
        """A moment in the last `days` (not the last `at_least`), busier recently, at a
        time of day people buy: the box office is open 10–18."""
        tz = ZoneInfo(self.seller.time_zone)
        hours, weights = (range(10, 18), None) if box_office else (range(7, 24), _HOURS)
        latest = self.now - timedelta(days=at_least, minutes=5)
        for _attempt in range(20):
            back = at_least + (days - at_least) * self.rng.random() ** 1.3
            day = (self.now - timedelta(days=back)).astimezone(tz).date()
            moment = datetime.combine(day, time(self.rng.choices(hours, weights)[0],
                                                self.rng.randrange(60), self.rng.randrange(60)),
                                      tzinfo=tz)
            if self.now - timedelta(days=days) <= moment <= latest:
                return moment
        return latest

    def _draft(self, channel: str, at: datetime, entries_at_least: int = 1,
               payment: tuple[str, str] | None = None) -> OrderDraft:
        person = self.rng.choice(self.customers)
        lines = self._lines(channel, at, entries_at_least)
        answers = {}
        if self.rng.random() < 0.1:
            answers["Company"] = self.rng.choice(person.companies)
        if self.rng.random() < 0.08:
            answers["Car plate"] = person.car_plate(self.rng)
        prefix = "BO" if channel == "box-office" else "WS"
        return OrderDraft(
            channel=channel, currency=self.seller.currency, created_at=at,
            external_id=f"{prefix}-{at:%y%m%d}-{self.count + 1:04d}",
            customer=CustomerDraft(email=person.email, first_name=person.first_name,
                                   last_name=person.last_name, phone=person.phone,
                                   language=person.language),
            lines=lines, answers=answers,
            payment=PaymentDraft(provider=payment[0], transaction_id=self._tx(*payment))
            if payment else None)

    def _lines(self, channel: str, at: datetime, entries_at_least: int) -> list[LineDraft]:
        rng = self.rng
        if entries_at_least > 1:
            kind = rng.choice(["museum-timed", "exhibition-pass", "night-tour"])
        else:
            kind = rng.choices(["museum-timed", "exhibition-pass", "night-tour",
                                "museum-night", "audio-guide", "membership-monthly"],
                               weights=[45, 20, 8, 7, 8, 7])[0]
        if channel == "box-office" and kind in ("membership-monthly", "museum-night"):
            kind = "museum-timed"
        quantity = 1
        if kind not in ("audio-guide", "membership-monthly"):
            quantity = max(entries_at_least,
                           rng.choices([1, 2, 3, 4, 6], weights=[30, 40, 14, 12, 4])[0])
        unit_price = None
        if kind == "museum-timed" and rng.random() < 0.2:
            unit_price = 2900  # reduced ticket (students, seniors)
        lines = [LineDraft(product=kind, quantity=quantity, unit_price=unit_price,
                           time_slot=self._slot(kind, at, quantity, same_day=channel
                                                == "box-office"))]
        if kind in ("museum-timed", "exhibition-pass") and rng.random() < 0.25:
            lines.append(LineDraft(product="audio-guide", quantity=1))
        return lines

    def _slot(self, sku: str, at: datetime, quantity: int, *, same_day: bool) -> int | None:
        slots = self.catalog.slots.get(sku)
        if not slots:
            return None
        horizon = timedelta(hours=8) if same_day else timedelta(days=21)
        choices = [s for s in slots if at + timedelta(minutes=30) < s.starts_at <= at + horizon
                   and self.catalog.taken.get(s.pk, 0) + quantity <= s.capacity]
        if not choices:  # fixed-date events, or a closed day: the next free slot
            choices = [s for s in slots if s.starts_at > at
                       and self.catalog.taken.get(s.pk, 0) + quantity <= s.capacity][:3]
        return self.rng.choice(choices[:40]).pk

"""Writes about orders: create, mark paid, expire, cancel, and the mail those changes
send."""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.contact import normalize_email, normalize_phone
from postsale.core.errors import Conflict, DomainError, Invalid, NotFound
from postsale.core.money import CURRENCIES
from postsale.core.numbers import new_secret, public_number
from postsale.orders import emails, rules
from postsale.orders.drafts import CustomerDraft, OrderDraft
from postsale.orders.models import (
    Customer,
    Entry,
    EntryStatus,
    Order,
    OrderAnswer,
    OrderLine,
    OrderStatus,
    Product,
    ProductKind,
    TimeSlot,
)
from postsale.orders.sync import entries_update
from postsale.sellers.models import SalesChannel, Seller

LANGUAGE_CODES = {code for code, _ in settings.LANGUAGES}
log = logging.getLogger(__name__)


def order_create(*, seller: Seller, draft: OrderDraft, actor: Actor,
                 now: datetime | None = None,
                 payment_minutes: int | None = None) -> tuple[Order, bool]:
    """Create an order from a channel's draft; entries start `pending` until it is paid.
    With `payment_minutes`, the order expires (and its places are released) if no payment
    is confirmed by then.

    Idempotent by the channel's external id: the same content again returns the existing
    order with created=False; other content under the same id is a Conflict."""
    now = now or clock.now()
    expires_at = now + timedelta(minutes=payment_minutes) if payment_minutes else None
    with transaction.atomic():
        channel = SalesChannel.objects.filter(seller=seller, code=draft.channel).first()
        if channel is None:
            raise Invalid("Unknown sales channel.",
                          {"channel": f"No sales channel with code {draft.channel!r}."},
                          code="unknown_channel")
        if draft.external_id:
            existing = _existing_by_external_id(channel, draft)
            if existing:
                return existing, False
        fingerprint = draft.fingerprint()
        checked = _validate(seller=seller, draft=draft)
        customer = _customer_upsert(seller=seller, draft=draft.customer,
                                    email=checked.email, phone=checked.phone,
                                    language=checked.language)
        order = None
        for _ in range(5):
            try:
                with transaction.atomic():
                    order = Order.objects.create(
                        seller=seller, channel=channel, number=public_number("PID"),
                        external_id=draft.external_id or None, fingerprint=fingerprint,
                        customer=customer, name_key=customer.name_key,
                        email=checked.email, phone=checked.phone,
                        language=checked.language, currency=draft.currency,
                        total=sum(q * p for _, q, p, _ in checked.lines),
                        created_at=draft.created_at or now, expires_at=expires_at,
                    )
                break
            except IntegrityError:
                # Another request created the same external id a moment ago (PostgreSQL
                # waited for it to commit), or the random number was taken: draw again.
                existing = draft.external_id and _existing_by_external_id(channel, draft)
                if existing:
                    return existing, False
        if order is None:
            raise RuntimeError("Could not allocate an order number")
        _create_lines_and_entries(order, checked.lines)
        OrderAnswer.objects.bulk_create(
            OrderAnswer(order=order, question=q.strip(), answer=a.strip())
            for q, a in draft.answers.items())
        audit(seller=seller, obj=order, action="order.created", actor=actor, now=now,
              data={"channel": channel.code, "external_id": draft.external_id,
                    "total": order.total, "currency": order.currency})
    return order, True


def _existing_by_external_id(channel: SalesChannel, draft: OrderDraft) -> Order | None:
    existing = Order.objects.filter(channel=channel, external_id=draft.external_id).first()
    if existing and existing.fingerprint != draft.fingerprint():
        raise Conflict("external_id_reused",
                       f"Order {existing.number} was already created from external id "
                       f"{draft.external_id!r} with different content. Use a new external "
                       "id for a new order.")
    return existing


class _Checked:
    def __init__(self, email, phone, language, lines):
        self.email, self.phone, self.language, self.lines = email, phone, language, lines


def _validate(*, seller: Seller, draft: OrderDraft) -> _Checked:
    """Check everything and report every problem at once, by field path."""
    errors: dict[str, str] = {}

    def check(field: str, fn):
        try:
            return fn()
        except DomainError as exc:
            errors.update(exc.field_errors or {field: exc.message})
            return None

    email = check("customer.email",
                  lambda: normalize_email(draft.customer.email, field="customer.email"))
    if email and len(email) > Order._meta.get_field("email").max_length:
        errors["customer.email"] = "The e-mail address is too long."
    phone = check("customer.phone", lambda: normalize_phone(
        draft.customer.phone, country=seller.country, field="customer.phone"))
    language = draft.customer.language or seller.language
    if language not in LANGUAGE_CODES:
        errors["customer.language"] = f"Use one of {', '.join(sorted(LANGUAGE_CODES))}."
    if draft.currency not in CURRENCIES:
        errors["currency"] = f"Unknown currency; use one of {', '.join(sorted(CURRENCIES))}."
    if not draft.lines:
        errors["lines"] = "An order needs at least one line."
    elif len(draft.lines) > rules.MAX_LINES:
        errors["lines"] = f"At most {rules.MAX_LINES} lines per order."
    if len(draft.answers) > rules.MAX_ANSWERS:
        errors["answers"] = f"At most {rules.MAX_ANSWERS} answers per order."

    products = {p.sku: p for p in Product.objects.filter(
        seller=seller, sku__in={line.product for line in draft.lines})}
    slot_ids = {line.time_slot for line in draft.lines if line.time_slot is not None}
    # Lock the slots first: capacity is checked and taken in this transaction.
    slots = time_slots_lock(seller=seller, slot_ids=slot_ids)
    taken = places_taken(slot_ids=slots)
    wanted: Counter[int] = Counter()
    lines = []
    for i, line in enumerate(draft.lines):
        where = f"lines[{i}]"
        product = products.get(line.product)
        if product is None or not product.active:
            errors[f"{where}.product"] = f"No product with code {line.product!r} is on sale."
            continue
        if product.currency != draft.currency:
            errors[f"{where}.product"] = (
                f"{product.sku} is priced in {product.currency}, the order is in "
                f"{draft.currency}. Send the order in {product.currency}.")
        if not 1 <= line.quantity <= rules.MAX_QUANTITY:
            errors[f"{where}.quantity"] = f"Quantity must be 1–{rules.MAX_QUANTITY}."
        slot = None
        if product.kind == ProductKind.TIMED_ENTRY:
            slot = slots.get(line.time_slot) if line.time_slot is not None else None
            if slot is None or slot.product_id != product.pk:
                errors[f"{where}.time_slot"] = (f"{product.sku} needs a time slot of that "
                                                "product (its id).")
            else:
                wanted[slot.pk] += line.quantity
                if taken.get(slot.pk, 0) + wanted[slot.pk] > slot.capacity:
                    left = max(slot.capacity - taken.get(slot.pk, 0), 0)
                    errors[f"{where}.quantity"] = f"Only {left} places left in this time slot."
        elif line.time_slot is not None:
            errors[f"{where}.time_slot"] = f"{product.sku} has no time slots; leave it empty."
        price = product.price if line.unit_price is None else line.unit_price
        if price < 0:
            errors[f"{where}.unit_price"] = "The price cannot be negative."
        lines.append((product, line.quantity, price, slot))
    if errors:
        raise Invalid("The order was not created; fix the fields listed.", errors)
    return _Checked(email, phone, language, lines)


def time_slots_lock(*, seller: Seller, slot_ids) -> dict[int, TimeSlot]:
    """The seller's time slots, locked for the rest of the transaction. Always in id
    order, so two transactions locking overlapping slots never wait for each other in a
    circle (order creation, exchanges and late activations all come through here). Only
    the slot rows: locking the joined products too would make orders for different slots
    of one product wait for each other, and could lock in a circle."""
    return {s.pk: s for s in TimeSlot.objects.select_for_update(of=("self",))
            .filter(pk__in=set(slot_ids), product__seller=seller).order_by("pk")}


def places_taken(*, slot_ids, exclude_order: Order | None = None) -> dict[int, int]:
    """Places taken per time slot: every entry that is not void holds one."""
    entries = Entry.objects.filter(time_slot__in=set(slot_ids)).exclude(status=EntryStatus.VOID)
    if exclude_order is not None:
        entries = entries.exclude(order=exclude_order)
    return dict(entries.values_list("time_slot").annotate(n=Count("id"))
                .values_list("time_slot", "n"))


def _customer_upsert(*, seller: Seller, draft: CustomerDraft, email: str, phone: str,
                     language: str) -> Customer:
    defaults = {"first_name": draft.first_name.strip(), "last_name": draft.last_name.strip(),
                "phone": phone, "language": language}
    try:
        with transaction.atomic():
            customer, created = Customer.objects.get_or_create(seller=seller, email=email,
                                                               defaults=defaults)
    except IntegrityError:  # created concurrently
        customer, created = Customer.objects.get(seller=seller, email=email), False
    if not created:
        # Fill in what we did not know; never overwrite what the customer told us before.
        changed = [k for k, v in defaults.items() if v and not getattr(customer, k)]
        for k in changed:
            setattr(customer, k, defaults[k])
        if changed:
            customer.save(update_fields=changed)
    return customer


def _create_lines_and_entries(order: Order, lines) -> None:
    entries = []
    for product, quantity, price, slot in lines:
        line = OrderLine.objects.create(order=order, product=product, time_slot=slot,
                                        quantity=quantity, unit_price=price)
        if product.has_entries:
            entries += [Entry(seller_id=order.seller_id, order=order, line=line,
                              time_slot=slot, number=public_number("TID", 10),
                              secret=new_secret()) for _ in range(quantity)]
    Entry.objects.bulk_create(entries)
    if entries:  # new entries reach the gate devices of their slots
        entries_update(Entry.objects.filter(pk__in=[e.pk for e in entries]),
                       slot_ids=[e.time_slot_id for e in entries])


def order_mark_paid(*, order: Order, actor: Actor, now: datetime | None = None,
                    notify: bool = True) -> Order:
    """The provider confirmed the money: entries become valid and are delivered (unless
    `notify=False`, for orders imported from a system that already delivered them).
    Call inside a transaction holding the order's row lock."""
    now = now or clock.now()
    if order.status == OrderStatus.PAID:
        return order
    if not rules.can_transition(order.status, OrderStatus.PAID):
        raise Conflict("order_not_payable",
                       f"Order {order.number} is {order.get_status_display().lower()} and "
                       "cannot become paid.")
    previous = order.status
    order.status, order.paid_at = OrderStatus.PAID, now
    order.save(update_fields=["status", "paid_at"])
    entries_update(order.entries.filter(status=EntryStatus.PENDING), status=EntryStatus.VALID)
    audit(seller=order.seller, obj=order, action="order.paid", actor=actor, now=now,
          data={"from": previous})
    if notify:
        emails.queue_paid_order_mail(order, now=now)
    return order


def order_lock(*, seller: Seller, number: str) -> Order:
    """The order's row, locked for the rest of the transaction (seller-scoped). Only the
    order's row: the seller's row is joined but not locked, or every write of one seller
    would wait for the others."""
    order = (Order.objects.select_for_update(of=("self",)).select_related("seller")
             .filter(seller=seller, number=number).first())
    if order is None:
        raise NotFound(f"No order {number} for this seller.", code="order_not_found")
    return order


def order_expire(*, order: Order, now: datetime | None = None) -> Order:
    """The payment deadline passed without a confirmed payment: the order expires and its
    entries become void, which gives their places back. Idempotent: an expired order is
    returned unchanged. A payment confirmed later follows the seller's late payment
    policy (payments.settlement)."""
    now = now or clock.now()
    with transaction.atomic():
        order = order_lock(seller=order.seller, number=order.number)
        if order.status == OrderStatus.EXPIRED:
            return order
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise Conflict("order_not_expirable",
                           f"Order {order.number} is {order.get_status_display().lower()}; "
                           "only orders awaiting payment expire.")
        if order.expires_at is None or order.expires_at > now:
            raise Conflict("order_not_due",
                           f"Order {order.number} has time to be paid until "
                           f"{order.expires_at or 'no deadline'}.")
        _close(order, status=OrderStatus.EXPIRED, action="order.expired", actor=SYSTEM,
               now=now, data={"expires_at": order.expires_at.isoformat()})
    return order


def orders_expiry_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Expire unpaid orders whose deadline has passed (the periodic job). Each order is
    taken with SKIP LOCKED and re-checked, so two workers, or a payment being recorded at
    the same moment, never expire an order twice or expire a paid one."""
    now = now or clock.now()
    due = list(Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
               .order_by("expires_at").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in due:
        with transaction.atomic():
            order = (Order.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("seller")
                     .filter(pk=pk, status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
                     .first())
            if order is None:
                continue  # paid meanwhile, or another worker has it
            _close(order, status=OrderStatus.EXPIRED, action="order.expired", actor=SYSTEM,
                   now=now, data={"expires_at": order.expires_at.isoformat()})
            done += 1
    return done


def order_cancel(*, order: Order, actor: Actor, reason: str = "",
                 now: datetime | None = None) -> Order:
    """Cancel an unpaid (or expired) order: its entries become void and its places are
    released. A payment confirmed afterwards is refunded automatically. Paid orders are
    canceled by refunding them."""
    now = now or clock.now()
    with transaction.atomic():
        order = order_lock(seller=order.seller, number=order.number)
        decision = rules.cancel_decision(order.status)
        if not decision.allowed:
            raise Conflict(decision.code, decision.reason)
        _close(order, status=OrderStatus.CANCELED, action="order.canceled", actor=actor,
               now=now, data={"reason": reason[:500], "from": order.status})
        emails.queue_canceled_order_mail(order, now=now)
    return order


def _close(order: Order, *, status: str, action: str, actor: Actor, now: datetime,
           data: dict) -> None:
    order.status, order.closed_at = status, now
    order.save(update_fields=["status", "closed_at"])
    voided = entries_update(Entry.objects.filter(order=order).exclude(status=EntryStatus.VOID),
                            status=EntryStatus.VOID, voided_at=now)
    audit(seller=order.seller, obj=order, action=action, actor=actor, now=now,
          data=data | {"entries_voided": voided})
    log.info("Order %s %s (%s entries voided)", order.number, status, voided)

"""Reads for refunds: which lines, entries and invoices of an order can be refunded, turned
into the plain items the pure rules (rules.py) decide on."""

from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _

from postsale.core.errors import Invalid
from postsale.core.money import format_money
from postsale.orders.models import EntryStatus, Order, OrderStatus, ProductKind
from postsale.payments.models import Invoice, PaymentStatus, RefundItem
from postsale.payments.rules import Eligibility, Item, RequestedBy, Terms, decide


def terms_of(product, seller) -> Terms:
    return Terms(
        customer_days=product.customer_refund_days or seller.customer_refund_days,
        seller_days=product.seller_refund_days or seller.seller_refund_days,
        non_refundable=product.non_refundable,
        until_hours_before=product.refund_until_hours_before,
        fee_fixed=product.refund_fee_fixed, fee_percent=product.refund_fee_percent,
        no_refund_when_used=product.no_refund_when_used)


def refundable_items(order: Order) -> list[Item]:
    """Every refundable unit of a paid order: each entry, each line without entries, and
    for a subscription only its last invoice."""
    taken = RefundItem.objects.filter(refund__order=order, active=True)
    taken_entries = set(taken.values_list("entry_id", flat=True))
    taken_lines = set(taken.filter(entry__isnull=True, invoice__isnull=True)
                      .values_list("line_id", flat=True))
    taken_invoices = set(taken.values_list("invoice_id", flat=True))
    sold_at = order.paid_at or order.created_at
    items: list[Item] = []
    for line in order.lines.select_related("product", "time_slot").prefetch_related("entries"):
        terms = terms_of(line.product, order.seller)
        if line.product.kind == ProductKind.SUBSCRIPTION:
            invoice = (Invoice.objects.filter(order=order, subscription__line=line)
                       .order_by("-issued_at", "-id").first())
            if invoice:
                items.append(Item(key=f"invoice:{invoice.number}",
                                  label=f"{line.product.name} ({invoice.number})",
                                  price=invoice.amount, sold_at=invoice.issued_at, terms=terms,
                                  refunded=invoice.pk in taken_invoices))
            continue
        entries = list(line.entries.all())
        if entries:
            for entry in entries:
                items.append(Item(
                    key=f"entry:{entry.number}", label=f"{entry.number} {line.product.name}",
                    price=line.unit_price, sold_at=sold_at, terms=terms,
                    slot_start=entry.time_slot.starts_at if entry.time_slot else None,
                    used=entry.status == EntryStatus.USED,
                    refunded=entry.pk in taken_entries or entry.status == EntryStatus.VOID))
        else:
            items.append(Item(key=f"line:{line.pk}", label=line.product.name,
                              price=line.total, sold_at=sold_at, terms=terms,
                              slot_start=line.time_slot.starts_at if line.time_slot else None,
                              refunded=line.pk in taken_lines))
    return items


def refundable_left(order: Order) -> int:
    paid = order.payments.filter(status__in=[PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED])
    totals = paid.aggregate(amount=Sum("amount"), refunded=Sum("refunded_amount"))
    return (totals["amount"] or 0) - (totals["refunded"] or 0)


def select_items(items: list[Item], keys: list[str] | None) -> list[Item]:
    """The items named by `keys` (all refundable ones when None). Unknown keys are an
    error naming them."""
    if keys is None:
        return [i for i in items if not i.refunded]
    by_key = {i.key: i for i in items}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise Invalid(_("Some items are not part of this order."),
                      {"items": _("Unknown: %(keys)s. Use entry:TID-…, line:<id> or "
                                  "invoice:INV-… from the order.") % {"keys": ", ".join(unknown)}})
    return [by_key[k] for k in dict.fromkeys(keys)]


def refund_eligibility(*, order: Order, by: RequestedBy, at: datetime,
                       keys: list[str] | None = None) -> Eligibility:
    """May these items be refunded at `at`, for how much, and why — in the words the
    customer sees."""
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return Eligibility(False, 0, 0, (_("Only paid orders can be refunded; this one is "
                                           "%(status)s.") % {"status":
                                           order.get_status_display().lower()},), ())
    items = select_items(refundable_items(order), keys)
    return decide(items, by=by, now=at, refundable_left=refundable_left(order),
                  format_amount=lambda amount: format_money(amount, order.currency))

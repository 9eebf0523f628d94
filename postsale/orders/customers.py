"""Reads for the customer view (SPEC §8): one person's orders, found by their customer
record and by the e-mail addresses and phone numbers they used.

A person may have several customer records (one per e-mail address) and give another
address or phone on a later order. Starting from one record, the view collects the
addresses and phones of that record and its orders, and matches every order of the
seller that used one of them, or whose customer record did. One step, not a chain: two
people who once shared a phone do not pull in each other's whole history."""

from dataclasses import dataclass

from django.db.models import Q

from postsale.core.errors import NotFound
from postsale.orders.models import Customer, Order
from postsale.sellers.models import Seller

# Orders of the customer read to learn the addresses and phones they used.
IDENTITY_ORDERS = 500


@dataclass(frozen=True)
class CustomerIdentity:
    customer: Customer
    emails: frozenset[str]  # lower-case, for comparing
    spellings: frozenset[str]  # as stored, and lower-case: what the query looks for
    phones: frozenset[str]  # as stored: E.164 when valid


@dataclass(frozen=True)
class MatchedOrder:
    order: Order
    # ("customer", "") — the same customer record; ("email", "a@b.c"); ("phone", "+48…")
    matched_by: tuple[tuple[str, str], ...]


def customer_get(*, seller: Seller, customer_id: int) -> Customer:
    customer = Customer.objects.filter(seller=seller, pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id} for this seller.", code="customer_not_found")
    return customer


def customer_identity(customer: Customer) -> CustomerIdentity:
    spellings, phones = {customer.email}, {customer.phone} - {""}
    used = (Order.objects.filter(seller_id=customer.seller_id, customer=customer)
            .order_by("-created_at").values_list("email", "phone")[:IDENTITY_ORDERS])
    for email, phone in used:
        spellings.add(email)
        if phone:
            phones.add(phone)
    # Addresses are stored as typed with the domain lower-cased; an exact match on the
    # spellings seen (and their lower case) uses the (seller, email) index.
    emails = {e.lower() for e in spellings}
    return CustomerIdentity(customer=customer, emails=frozenset(emails),
                            spellings=frozenset(spellings | emails),
                            phones=frozenset(phones))


def customer_orders(*, identity: CustomerIdentity, limit: int = 200
                    ) -> tuple[list[MatchedOrder], bool]:
    """The matched orders, newest first, at most `limit`, and whether there were more."""
    customer = identity.customer
    # Customer records: one per address as typed, so "Anna@…" and "anna@…" are two; the
    # records are found ignoring case, their orders through the customer index.
    same_person = Q(pk=customer.pk)
    for email in identity.emails:
        same_person |= Q(email__iexact=email)
    if identity.phones:
        same_person |= Q(phone__in=identity.phones)
    records = Customer.objects.filter(same_person, seller_id=customer.seller_id)
    match = Q(customer__in=records.values("pk")) | Q(email__in=identity.spellings)
    if identity.phones:
        match |= Q(phone__in=identity.phones)
    rows = list(Order.objects.filter(match, seller_id=customer.seller_id)
                .select_related("customer", "channel")
                .order_by("-created_at", "-id")[: limit + 1])
    return [MatchedOrder(o, _why(o, identity)) for o in rows[:limit]], len(rows) > limit


def _why(order: Order, identity: CustomerIdentity) -> tuple[tuple[str, str], ...]:
    reasons = []
    if order.customer_id == identity.customer.pk:
        reasons.append(("customer", ""))
    for email in {order.email.lower(), order.customer.email.lower()} & identity.emails:
        reasons.append(("email", email))
    for phone in {order.phone, order.customer.phone} & identity.phones:
        reasons.append(("phone", phone))
    return tuple(dict.fromkeys(reasons))

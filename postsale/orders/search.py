"""One search box over a seller's orders (SPEC §8): what was typed is recognized as an
order or entry number, an e-mail address, a phone number, a payment or channel id, an
answer to a checkout question or a surname; each kind is looked up on its own index and
every result says what matched."""

import re
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from postsale.core.contact import format_phone
from postsale.core.text import fold, similarity
from postsale.orders.models import Customer, Entry, Order, OrderAnswer, SurnameKey
from postsale.payments.models import Payment
from postsale.sellers.models import Seller

MAX_QUERY = 200
LIMIT = 50
# A first name is looked for among this many newest orders of the surname.
SURNAME_ORDERS = 2000
SURNAME_PREFIX_KEYS = 30
SURNAME_FUZZY_KEYS = 5
# pg_trgm's default similarity threshold, used the same way on SQLite.
FUZZY_THRESHOLD = 0.3

_NUMBER = re.compile(r"(?i)(PID|TID)[-\s]?([A-Z0-9]{4,16})")
_PHONE = re.compile(r"\+?[\d\s().\-/]+")


class Kind(StrEnum):
    ORDER_NUMBER = "order_number"
    ENTRY_NUMBER = "entry_number"
    PAYMENT_ID = "payment_id"
    EXTERNAL_ID = "external_id"
    EMAIL = "email"
    PHONE = "phone"
    ANSWER = "answer"
    SURNAME = "surname"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.ORDER_NUMBER: _("Order number"),
    Kind.ENTRY_NUMBER: _("Entry number"),
    Kind.PAYMENT_ID: _("Payment id"),
    Kind.EXTERNAL_ID: _("Channel's order id"),
    Kind.EMAIL: _("E-mail"),
    Kind.PHONE: _("Phone"),
    Kind.ANSWER: _("Checkout answer"),
    Kind.SURNAME: _("Surname"),
}
# Results of an exact identifier come before a surname that is only similar.
RANK = {kind: i for i, kind in enumerate(Kind)}


@dataclass(frozen=True)
class Match:
    kind: Kind
    value: str  # what matched, as stored: "TID-…", "+48 601 234 567", "Car plate: KR 1234"
    similar: bool = False  # a surname that is close to, not the same as, what was typed

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class Term:
    """What was typed, as each kind it may be."""

    text: str
    kinds: tuple[Kind, ...]
    number: str = ""  # PID-… or TID-…, upper-case
    email: str = ""  # lower-case
    phones: tuple[str, ...] = ()  # E.164 readings of the digits


@dataclass
class Hit:
    order: Order
    matches: list[Match] = field(default_factory=list)


@dataclass
class SearchResult:
    term: Term
    hits: list[Hit]
    more: bool  # there were more than `limit` orders; the agent should narrow it down


def read_term(q: str, *, country: str) -> Term:
    """Which kinds `q` can be. Numbers and e-mail addresses are unmistakable; anything
    else may be several kinds at once, and all of them are looked up."""
    text = " ".join(q.split())[:MAX_QUERY]
    if not text or any(ord(c) < 32 for c in text):
        return Term(text, ())
    if m := _NUMBER.fullmatch(text):
        prefix = m[1].upper()
        kind = Kind.ORDER_NUMBER if prefix == "PID" else Kind.ENTRY_NUMBER
        return Term(text, (kind,), number=f"{prefix}-{m[2].upper()}")
    if "@" in text and " " not in text:
        return Term(text, (Kind.EMAIL,), email=text.lower())
    kinds: list[Kind] = []
    phones: tuple[str, ...] = ()
    if _PHONE.fullmatch(text) and (phones := phone_readings(text, country=country)):
        kinds.append(Kind.PHONE)
    if " " not in text:
        kinds += [Kind.PAYMENT_ID, Kind.EXTERNAL_ID]
    kinds.append(Kind.ANSWER)
    if any(c.isalpha() for c in text) and not any(c.isdigit() for c in text):
        kinds.append(Kind.SURNAME)
    return Term(text, tuple(kinds), phones=phones)


def phone_readings(text: str, *, country: str) -> tuple[str, ...]:
    """E.164 numbers the digits can mean: as typed in the seller's country ("601 234 567",
    "0048 601…"), and as a full international number typed without "+"."""
    digits = re.sub(r"\D", "", text)
    if not 6 <= len(digits) <= 15:
        return ()
    readings: list[str] = []
    for candidate, region in ((text, country), (f"+{digits}", None)):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in readings:
                readings.append(e164)
    return tuple(readings)


def search_orders(*, seller: Seller, q: str, orders: QuerySet[Order] | None = None,
                  limit: int = LIMIT) -> SearchResult:
    """The seller's orders matching `q`, best kind first, newest first within a kind.
    `orders` narrows the search (the list's filters); it must be the seller's."""
    term = read_term(q, country=seller.country)
    base = orders if orders is not None else Order.objects.filter(seller=seller)
    base = base.filter(seller=seller).order_by("-created_at", "-id")
    found: dict[int, list[Match]] = {}
    more = False
    for kind in term.kinds:
        matched = _FINDERS[kind](seller, term, base, limit + 1)
        more = more or len(matched) > limit
        for order_id, match in matched[:limit]:
            found.setdefault(order_id, []).append(match)
    if not found:
        return SearchResult(term, [], False)
    orders_by_id = Order.objects.select_related("customer", "channel").in_bulk(list(found))
    hits = [Hit(orders_by_id[pk], matches) for pk, matches in found.items()
            if pk in orders_by_id]
    hits.sort(key=lambda h: (min(RANK[m.kind] + m.similar for m in h.matches),
                             -h.order.created_at.timestamp(), -h.order.pk))
    return SearchResult(term, hits[:limit], more or len(hits) > limit)


# Finders: each returns (order id, match) pairs, newest order first, on one index.

Found = list[tuple[int, Match]]


def _ids(qs: QuerySet[Order], limit: int) -> list[int]:
    return list(qs.values_list("pk", flat=True)[:limit])


def _order_number(seller, term: Term, base, limit) -> Found:
    return [(pk, Match(Kind.ORDER_NUMBER, term.number))
            for pk in _ids(base.filter(number=term.number), limit)]


def _entry_number(seller, term: Term, base, limit) -> Found:
    order_ids = list(Entry.objects.filter(seller=seller, number=term.number)
                     .values_list("order_id", flat=True)[:1])
    return [(pk, Match(Kind.ENTRY_NUMBER, term.number))
            for pk in _ids(base.filter(pk__in=order_ids), limit)]


def _payment_id(seller, term: Term, base, limit) -> Found:
    order_ids = list(Payment.objects.filter(seller=seller, provider_transaction_id=term.text)
                     .values_list("order_id", flat=True)[:limit])
    return [(pk, Match(Kind.PAYMENT_ID, term.text))
            for pk in _ids(base.filter(pk__in=order_ids), limit)]


def _external_id(seller, term: Term, base, limit) -> Found:
    return [(pk, Match(Kind.EXTERNAL_ID, term.text))
            for pk in _ids(base.filter(external_id=term.text), limit)]


def _email(seller, term: Term, base, limit) -> Found:
    # The order's address, or the customer's first one (an order whose address was
    # corrected is still found by what the customer remembers).
    by_order = base.alias(email_key=Lower("email")).filter(email_key=term.email)
    customers = list(Customer.objects.alias(email_key=Lower("email"))
                     .filter(seller=seller, email_key=term.email).values_list("pk", flat=True))
    rows = list(by_order.values_list("pk", "email")[:limit])
    if customers:
        seen = {pk for pk, _ in rows}
        rows += [row for row in base.filter(customer_id__in=customers)
                 .values_list("pk", "customer__email")[:limit] if row[0] not in seen]
    return [(pk, Match(Kind.EMAIL, email)) for pk, email in rows[:limit]]


def _phone(seller, term: Term, base, limit) -> Found:
    rows = base.filter(phone__in=term.phones).values_list("pk", "phone")[:limit]
    return [(pk, Match(Kind.PHONE, format_phone(phone))) for pk, phone in rows]


def _answer(seller, term: Term, base, limit) -> Found:
    answers = (OrderAnswer.objects.alias(answer_key=Lower("answer"))
               .filter(answer_key=term.text.lower(), order__seller=seller)
               .values_list("order_id", "question", "answer")[:limit * 4])
    by_order = {order_id: f"{question}: {answer}" for order_id, question, answer in answers}
    return [(pk, Match(Kind.ANSWER, by_order[pk]))
            for pk in _ids(base.filter(pk__in=list(by_order)), limit)]


def _surname(seller, term: Term, base, limit) -> Found:
    keys, first = surname_keys(seller, term.text)
    if not keys:
        return []
    columns = ("pk", "name_key", "customer_id", "created_at")
    wanted = SURNAME_ORDERS if first else limit
    if len(keys) > 1 and connection.vendor == "postgresql":
        rows = _newest_per_key(base.values_list(*columns), list(keys), wanted)
    else:
        rows = list(base.filter(name_key__in=list(keys)).values_list(*columns)[:wanted])
    names = dict((pk, (first_name, last_name)) for pk, first_name, last_name in
                 Customer.objects.filter(pk__in={r[2] for r in rows})
                 .values_list("pk", "first_name", "last_name"))
    if first:  # "Anna Kowalska": the other words start the first name
        rows = [r for r in rows if fold(names[r[2]][0]).startswith(first)]
    return [(pk, Match(Kind.SURNAME, names[customer][1], similar=keys[key]))
            for pk, key, customer, _ in rows[:limit]]


def _newest_per_key(rows: QuerySet, keys: list[str], limit: int) -> list[tuple]:
    """The newest `limit` of `rows` whose surname key is one of `keys`, on PostgreSQL: each
    key's newest orders straight from its index range, then the newest of those — one
    statement, instead of sorting every order of all the "kowal…" surnames. The ORM's SQL
    for one key is repeated with each key as its parameter (the list's filters kept)."""
    marker = "\x00surname-key\x00"
    sql, params = rows.filter(name_key=marker)[:limit].query.sql_with_params()
    at = params.index(marker)
    parts, all_params = [], []
    for key in keys:
        parts.append(f"({sql})")
        all_params += [*params[:at], key, *params[at + 1:]]
    # Columns: pk, name_key, customer_id, created_at (see _surname).
    statement = " UNION ALL ".join(parts) + " ORDER BY 4 DESC, 1 DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(statement, [*all_params, limit])
        return cursor.fetchall()


def surname_keys(seller: Seller, text: str) -> tuple[dict[str, bool], str]:
    """The seller's folded surnames that `text` names — the same one, those it begins
    (at least 3 letters typed), or, when neither exists, the most similar ones — each
    with whether it is only similar. Several words: the whole text as a surname first,
    then the last (or first) word as the surname and the rest as the first name."""
    key = fold(text)
    readings = [(key, "")]
    words = key.split()
    if len(words) > 1:
        readings += [(words[-1], " ".join(words[:-1])), (words[0], " ".join(words[1:]))]
    names = SurnameKey.objects.filter(seller=seller)
    for surname, first in readings:
        keys = dict.fromkeys(names.filter(key=surname).values_list("key", flat=True), False)
        if len(surname) >= 3:
            keys.update(dict.fromkeys(
                names.filter(key__startswith=surname).order_by("key")
                .values_list("key", flat=True)[:SURNAME_PREFIX_KEYS], False))
        if keys:
            return keys, first
    surname, first = readings[1] if len(words) > 1 else readings[0]
    if len(surname) < 3:
        return {}, ""
    return dict.fromkeys(_similar_keys(names, surname), True), first


def _similar_keys(names: QuerySet[SurnameKey], key: str) -> list[str]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.contrib.postgres.search import TrigramSimilarity
        from django.db.models import F

        return list(names.filter(TrigramSimilar(F("key"), key))
                    .annotate(similarity=TrigramSimilarity("key", key))
                    .order_by("-similarity", "key").values_list("key", flat=True)
                    [:SURNAME_FUZZY_KEYS])
    # SQLite: every surname of the seller of about the same length, compared here.
    scored = [(similarity(key, other), other) for other in
              names.values_list("key", flat=True).iterator()
              if abs(len(other) - len(key)) <= 3]
    scored = sorted((s for s in scored if s[0] >= FUZZY_THRESHOLD), key=lambda s: (-s[0], s[1]))
    return [other for _, other in scored[:SURNAME_FUZZY_KEYS]]


_FINDERS = {
    Kind.ORDER_NUMBER: _order_number,
    Kind.ENTRY_NUMBER: _entry_number,
    Kind.PAYMENT_ID: _payment_id,
    Kind.EXTERNAL_ID: _external_id,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.ANSWER: _answer,
    Kind.SURNAME: _surname,
}

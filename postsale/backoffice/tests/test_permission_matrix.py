"""The permission matrix: every back-office URL × every role → allowed, 403 or 404, as
designed. Written out by hand, independently of permissions.py, so a wrong line in the
table is caught here.

A new back-office URL fails `test_every_backoffice_url_is_in_the_matrix` until it gets a
row here (and arguments in ARGS, when it takes any).

Columns: owner, agent, door staff, viewer — members of the seller — and the platform
operator (a superuser who is no member). "ok" means the view ran for that role (any
answer but 403/404 and a redirect to log in); 403 and 404 must also leave no audit
row behind: nothing changed."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver, reverse

from postsale.checkin.services import Scan, checkin_scan
from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.models import AuditEvent
from postsale.kb.models import Article
from postsale.kb.tests.factories import make_article
from postsale.orders.documents import entries as entry_documents
from postsale.orders.documents import pdf
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.payments import documents as invoice_documents
from postsale.payments.models import PaymentFlag, Refund, RefundStatus
from postsale.payments.refunds import refund_request
from postsale.payments.rules import RequestedBy
from postsale.sellers.models import ClosureDay, Role, SalesChannel
from postsale.sellers.services import api_token_create
from postsale.sellers.tests.factories import make_member
from postsale.tickets.assignment import RuleDraft, assignment_rule_create
from postsale.tickets.attachments import CheckedFile
from postsale.tickets.tests.factories import open_ticket

ROLES = ("owner", "agent", "door", "viewer", "operator")
OK = "ok"

# (URL name, method) → expected answer for owner, agent, door, viewer, operator.
MATRIX: dict[tuple[str, str], tuple] = {
    # session
    ("login", "GET"): (OK, OK, OK, OK, OK),
    ("logout", "POST"): (OK, OK, OK, OK, OK),
    ("password_set", "GET"): (OK, OK, OK, OK, OK),
    ("seller_switch", "GET"): (OK, OK, OK, OK, OK),
    ("seller_switch", "POST"): (OK, OK, OK, OK, OK),
    # orders: search for everyone, the page for all but door staff, actions for owners
    # and agents (and the operator, who acts as an owner)
    ("orders", "GET"): (OK, OK, OK, OK, OK),
    ("order", "GET"): (OK, OK, 403, OK, OK),
    ("order_refund", "GET"): (OK, OK, 403, 403, OK),
    ("order_refund", "POST"): (OK, OK, 403, 403, OK),
    ("refund_retry", "POST"): (OK, OK, 403, 403, OK),
    ("entry_exchange", "GET"): (OK, OK, 403, 403, OK),
    ("entry_exchange", "POST"): (OK, OK, 403, 403, OK),
    ("payment_refund", "POST"): (OK, OK, 403, 403, OK),
    ("flag_resolve", "POST"): (OK, OK, 403, 403, OK),
    ("order_ticket_open", "GET"): (OK, OK, 403, 403, OK),
    ("order_ticket_open", "POST"): (OK, OK, 403, 403, OK),
    ("order_cancel", "GET"): (OK, OK, 403, 403, OK),
    ("order_cancel", "POST"): (OK, OK, 403, 403, OK),
    ("customer", "GET"): (OK, OK, 403, OK, OK),
    ("order_email", "GET"): (OK, OK, 403, 403, OK),
    ("order_email", "POST"): (OK, OK, 403, 403, OK),
    ("order_receipt_resend", "POST"): (OK, OK, 403, 403, OK),
    ("order_links_revoke", "POST"): (OK, OK, 403, 403, OK),
    ("order_entries_pdf", "GET"): (OK, OK, 403, OK, OK),
    ("entry_pdf", "GET"): (OK, OK, 403, OK, OK),
    ("invoice_pdf", "GET"): (OK, OK, 403, OK, OK),
    # tickets: read by all but door staff, written by owners and agents
    ("tickets", "GET"): (OK, OK, 403, OK, OK),
    ("ticket", "GET"): (OK, OK, 403, OK, OK),
    ("ticket_attachment", "GET"): (OK, OK, 403, OK, OK),
    ("ticket_reply", "POST"): (OK, OK, 403, 403, OK),
    ("ticket_type", "POST"): (OK, OK, 403, 403, OK),
    ("ticket_close", "POST"): (OK, OK, 403, 403, OK),
    ("ticket_return", "POST"): (OK, OK, 403, 403, OK),
    ("ticket_canned", "GET"): (OK, OK, 403, 403, OK),
    ("ticket_assign", "POST"): (OK, OK, 403, 403, OK),
    ("tickets_bulk", "POST"): (OK, OK, 403, 403, OK),
    # knowledge base: read with the tickets, written by owners and agents
    ("kb", "GET"): (OK, OK, 403, OK, OK),
    ("kb_new", "GET"): (OK, OK, 403, 403, OK),
    ("kb_new", "POST"): (OK, OK, 403, 403, OK),
    ("kb_article", "GET"): (OK, OK, 403, OK, OK),
    ("kb_article", "POST"): (OK, OK, 403, 403, OK),
    ("kb_article_active", "POST"): (OK, OK, 403, 403, OK),
    # check-in: door staff, owners and agents scan and mark; everyone sees occupancy
    ("checkin", "GET"): (OK, OK, OK, 403, OK),
    ("checkin", "POST"): (OK, OK, OK, 403, OK),
    ("checkin_undo", "POST"): (OK, OK, OK, 403, OK),
    ("entry_use", "POST"): (OK, OK, OK, 403, OK),
    ("entry_unuse", "POST"): (OK, OK, OK, 403, OK),
    ("checkin_slots", "GET"): (OK, OK, OK, OK, OK),
    ("checkin_slot", "GET"): (OK, OK, OK, OK, OK),
    # settings: owners only
    ("settings", "GET"): (OK, 403, 403, 403, OK),
    ("settings", "POST"): (OK, 403, 403, 403, OK),
    ("settings_calendar", "GET"): (OK, 403, 403, 403, OK),
    ("settings_calendar", "POST"): (OK, 403, 403, 403, OK),
    ("settings_calendar_preview", "GET"): (OK, 403, 403, 403, OK),
    ("closure_add", "POST"): (OK, 403, 403, 403, OK),
    ("closure_remove", "POST"): (OK, 403, 403, 403, OK),
    ("settings_refunds", "GET"): (OK, 403, 403, 403, OK),
    ("settings_refunds", "POST"): (OK, 403, 403, 403, OK),
    ("settings_product_terms", "GET"): (OK, 403, 403, 403, OK),
    ("settings_product_terms", "POST"): (OK, 403, 403, 403, OK),
    ("settings_members", "GET"): (OK, 403, 403, 403, OK),
    ("settings_members", "POST"): (OK, 403, 403, 403, OK),
    ("member_role", "POST"): (OK, 403, 403, 403, OK),
    ("member_remove", "POST"): (OK, 403, 403, 403, OK),
    ("settings_tokens", "GET"): (OK, 403, 403, 403, OK),
    ("settings_tokens", "POST"): (OK, 403, 403, 403, OK),
    ("token_revoke", "POST"): (OK, 403, 403, 403, OK),
    ("assignment_rules", "GET"): (OK, 403, 403, 403, OK),
    ("assignment_rule_new", "POST"): (OK, 403, 403, 403, OK),
    ("assignment_rule", "GET"): (OK, 403, 403, 403, OK),
    ("assignment_rule", "POST"): (OK, 403, 403, 403, OK),
    ("assignment_rule_move", "POST"): (OK, 403, 403, 403, OK),
    ("assignment_rule_delete", "POST"): (OK, 403, 403, 403, OK),
    # the platform operator's pages do not exist for anyone else
    ("review", "GET"): (404, 404, 404, 404, OK),
    ("review_done", "POST"): (404, 404, 404, 404, OK),
    ("operator_ticket", "GET"): (404, 404, 404, 404, OK),
    ("operator_sellers", "GET"): (404, 404, 404, 404, OK),
    ("seller_abuse_flag", "POST"): (404, 404, 404, 404, OK),
}


@dataclass
class World:
    seller: object
    other: object  # another seller, for the tenancy test


def _paid(seller):
    product = make_product(seller, kind=ProductKind.TIMED_ENTRY, price=3000)
    make_slot(product, starts_in=timedelta(days=9))  # somewhere to exchange to
    return make_order(seller, product, slot=make_slot(product), quantity=2, paid=True)


def _failed_refund(seller):
    order = _paid(seller)
    refund = refund_request(seller=seller, order_number=order.number, by=RequestedBy.SELLER,
                            actor=SYSTEM, keys=[f"entry:{order.entries.first().number}"])
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
    return [order.number, refund.number]


def _flag(seller):
    order = _paid(seller)
    flag = PaymentFlag.objects.create(seller=seller, payment=order.payments.get(),
                                      kind=PaymentFlag.Kind.DUPLICATE, created_at=clock.now())
    return order, flag


def _ticket(seller, **kwargs):
    return open_ticket(_paid(seller), **kwargs)


def _attachment(seller):
    ticket = _ticket(seller, attachments=[CheckedFile("a.txt", "text/plain", b"hello")])
    return [ticket.number, ticket.messages.get().attachments.get().pk]


def _closure(seller):
    day = date(2031, 1, 2) + timedelta(days=ClosureDay.objects.count())
    ClosureDay.objects.create(seller=seller, date=day)
    return [day.isoformat()]


def _checkin(seller):
    entry = _paid(seller).entries.first()
    return checkin_scan(seller=seller, scan=Scan(secret=entry.secret), actor=SYSTEM)


def _article(seller):
    return make_article(seller, slug=f"a{Article.objects.count()}", en=("Title", "Body"))


def _rule(seller):
    # A channel of its own, as (seller, channel, type) is unique.
    channel = SalesChannel.objects.create(seller=seller, code=f"c{SalesChannel.objects.count()}",
                                          name="Channel")
    return assignment_rule_create(seller=seller, actor=SYSTEM, draft=RuleDraft(
        channel=channel, type="", consultants=[make_member(seller, role=Role.AGENT).user]))


# Arguments of each URL that takes any: built fresh for every request, for a seller.
ARGS = {
    "password_set": lambda s: ["MQ", "bad-token"],
    "order": lambda s: [make_order(s).number],
    "order_refund": lambda s: [_paid(s).number],
    "refund_retry": _failed_refund,
    "entry_exchange": lambda s: (lambda o: [o.number, o.entries.first().number])(_paid(s)),
    "payment_refund": lambda s: (lambda o, f: [o.number, f.payment_id])(*_flag(s)),
    "flag_resolve": lambda s: (lambda o, f: [o.number, f.pk])(*_flag(s)),
    "order_ticket_open": lambda s: [_paid(s).number],
    "order_cancel": lambda s: [make_order(s).number],
    "customer": lambda s: [make_order(s).customer_id],
    "order_entries_pdf": lambda s: [_paid(s).number],
    "order_email": lambda s: [_paid(s).number],
    "order_receipt_resend": lambda s: [_paid(s).number],
    "order_links_revoke": lambda s: [_paid(s).number],
    "entry_pdf": lambda s: (lambda o: [o.number, o.entries.first().number])(_paid(s)),
    "invoice_pdf": lambda s: (lambda o: [o.number, o.invoices.get().number])(_paid(s)),
    "ticket": lambda s: [_ticket(s).number],
    "ticket_attachment": _attachment,
    "ticket_reply": lambda s: [_ticket(s).number],
    "ticket_type": lambda s: [_ticket(s).number],
    "ticket_close": lambda s: [_ticket(s).number],
    "ticket_return": lambda s: [_ticket(s, type="return").number],
    "ticket_canned": lambda s: [_ticket(s).number],
    "ticket_assign": lambda s: [_ticket(s).number],
    "checkin_undo": lambda s: [_checkin(s).pk],
    "entry_use": lambda s: [_paid(s).entries.first().number],
    "entry_unuse": lambda s: [_paid(s).entries.first().number],
    "checkin_slot": lambda s: [_paid(s).entries.first().time_slot_id],
    "kb_article": lambda s: [_article(s).pk],
    "kb_article_active": lambda s: [_article(s).pk],
    "assignment_rule": lambda s: [_rule(s).pk],
    "assignment_rule_move": lambda s: [_rule(s).pk],
    "assignment_rule_delete": lambda s: [_rule(s).pk],
    "closure_remove": _closure,
    "settings_product_terms": lambda s: [make_product(s).sku],
    "member_role": lambda s: [make_member(s, role=Role.VIEWER).pk],
    "member_remove": lambda s: [make_member(s, role=Role.VIEWER).pk],
    "token_revoke": lambda s: [api_token_create(seller=s, name="t")[0].pk],
    "review_done": lambda s: [_ticket(s).number],
    "operator_ticket": lambda s: [_ticket(s).number],
    "seller_abuse_flag": lambda s: [s.slug],
}

# Form data for POSTs, enough to reach past parsing (validity does not matter here).
DATA = {
    "seller_switch": {"seller": "acme"},
    "ticket_reply": {"body": "Hello"},
    "member_role": {"role": Role.AGENT},
    "seller_abuse_flag": {"flagged": "1", "reason": "test"},
    "closure_add": {"date": "2032-05-05"},
}


def backoffice_url_names() -> set[str]:
    _prefix, resolver = get_resolver().namespace_dict["backoffice"]
    return {name for name in resolver.reverse_dict if isinstance(name, str)}


def test_every_backoffice_url_is_in_the_matrix():
    listed = {name for name, _method in MATRIX}
    missing, stale = backoffice_url_names() - listed, listed - backoffice_url_names()
    assert not missing, f"add these back-office URLs to MATRIX: {sorted(missing)}"
    assert not stale, f"these MATRIX rows name no URL: {sorted(stale)}"


@pytest.fixture(autouse=True)
def _html_instead_of_pdf(monkeypatch):
    """Documents are rendered to HTML (their templates still run) but not laid out as
    PDF: what is asked here is who may have them; the PDFs have tests of their own, and
    laying out hundreds of them would take minutes."""
    def html_only(template, context, *, language, time_zone):
        return pdf.render_html(template, context, language=language,
                               time_zone=time_zone).encode()

    monkeypatch.setattr(entry_documents, "render_pdf", html_only)
    monkeypatch.setattr(invoice_documents, "render_pdf", html_only)


@pytest.fixture
def world(seller, other_seller):
    return World(seller=seller, other=other_seller)


@pytest.fixture
def clients(seller):
    made = {}
    for role in ("owner", "agent", "door", "viewer"):
        client = Client()
        client.force_login(make_member(seller, role=role, username=f"m-{role}").user)
        made[role] = client
    operator = Client()
    operator.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    operator.post(reverse("backoffice:seller_switch"), {"seller": seller.slug})
    made["operator"] = operator
    return made


def _request(client, name, method, args):
    url = reverse(f"backoffice:{name}", args=args)
    send = client.get if method == "GET" else client.post
    return send(url, DATA.get(name, {}))


def _allowed(response) -> bool:
    location = response.get("Location", "")
    return (response.status_code not in (403, 404) and response.status_code < 500
            and "/login/?next=" not in location)


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_each_role_gets_what_the_matrix_says(name, method, world, clients):
    for role, expected in zip(ROLES, MATRIX[(name, method)], strict=True):
        args = ARGS.get(name, lambda s: [])(world.seller)
        audit_rows = AuditEvent.objects.count()
        response = _request(clients[role], name, method, args)
        where = f"{method} {name} as {role}: {response.status_code}"
        if expected == OK:
            assert _allowed(response), where
        else:
            assert response.status_code == expected, where
            assert AuditEvent.objects.count() == audit_rows, f"{where} changed something"


# Not here: the operator's pages (every seller's by design), the invitation link, and
# closure days, which are addressed by date (another seller's date is simply not one of
# this seller's closure days: "not a closure day", nothing revealed).
OBJECT_URLS = sorted(set(ARGS) - {"password_set", "seller_abuse_flag", "review_done",
                                  "operator_ticket", "closure_remove"})


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_another_sellers_object_is_404_for_owners_and_agents(name, world, clients):
    """The same URLs with the other seller's order, ticket, product, member, token or
    closure day: as missing as something that does not exist."""
    methods = [m for n, m in MATRIX if n == name]
    for role in ("owner", "agent"):
        if MATRIX[(name, methods[0])][ROLES.index(role)] != OK:
            continue
        for method in methods:
            args = ARGS[name](world.other)
            audit_rows = AuditEvent.objects.count()
            response = _request(clients[role], name, method, args)
            assert response.status_code == 404, f"{method} {name} as {role}"
            assert AuditEvent.objects.count() == audit_rows


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    for name, method in MATRIX:
        if name in ("login", "password_set", "logout"):
            continue
        response = _request(client, name, method, ARGS.get(name, lambda s: [])(world.seller))
        assert response.status_code == 302, f"{method} {name}"
        assert response["Location"].startswith(reverse("backoffice:login") + "?next=")

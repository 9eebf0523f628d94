import io
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from postsale.notifications.models import Notification, NotificationStatus
from postsale.ops import demo
from postsale.ops.demo import DEMO_LOGINS, load_demo
from postsale.ops.demo_people import people
from postsale.orders.models import (
    Customer,
    Entry,
    EntryStatus,
    Order,
    OrderAnswer,
    OrderStatus,
    Product,
    ProductKind,
    TimeSlot,
)
from postsale.payments.models import Payment, PaymentStatus, Subscription, SubscriptionStatus
from postsale.sellers.models import Member, Role, Seller

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
EXAMPLE_CSV = Path(settings.BASE_DIR) / "docs" / "import-orders-example.csv"


@pytest.fixture(scope="module")
def demo_seller(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (about 300 orders take seconds) inside a
    transaction that is rolled back afterwards; each test runs in a savepoint of it. A
    user named "agent" exists before, as on an installation that has one."""
    with django_db_blocker.unblock(), transaction.atomic():
        get_user_model().objects.create_user("agent", password="a-real-secret")
        result = load_demo(now=NOW)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_seller, db):
    return demo_seller


def test_demo_has_every_order_status_and_valid_entries_only_for_paid_orders(loaded):
    result = loaded
    orders = Order.objects.filter(seller=result.seller)
    assert orders.count() == result.orders == 300
    by_status = dict(orders.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == set(OrderStatus.values)
    assert by_status[OrderStatus.PAID] > 150
    entries = Entry.objects.filter(seller=result.seller)
    statuses = {(order_status, entry_status) for order_status, entry_status
                in entries.values_list("order__status", "status").distinct()}
    assert statuses == {
        (OrderStatus.PAID, EntryStatus.VALID),
        (OrderStatus.PARTIALLY_REFUNDED, EntryStatus.VALID),
        (OrderStatus.PARTIALLY_REFUNDED, EntryStatus.VOID),
        (OrderStatus.AWAITING_PAYMENT, EntryStatus.PENDING),
        (OrderStatus.EXPIRED, EntryStatus.PENDING),
        (OrderStatus.CANCELED, EntryStatus.VOID),
        (OrderStatus.REFUNDED, EntryStatus.VOID),
    }
    # Every paid order is covered by confirmed payments; refunds are on the payment too.
    for order in orders.filter(status=OrderStatus.PAID).annotate(
            confirmed=Sum("payments__amount")):
        assert order.paid_at and order.confirmed and order.confirmed >= order.total
    assert not orders.filter(status=OrderStatus.REFUNDED).exclude(
        payments__status=PaymentStatus.REFUNDED).exists()
    subscriptions = Subscription.objects.filter(order__seller=result.seller)
    assert subscriptions.filter(status=SubscriptionStatus.ACTIVE).exists()
    assert not subscriptions.filter(status=SubscriptionStatus.ACTIVE).exclude(
        order__status=OrderStatus.PAID).exists()


def test_demo_spreads_over_sixty_days_and_queues_mail_without_sending(loaded):
    result = loaded
    orders = Order.objects.filter(seller=result.seller)
    created = sorted(orders.values_list("created_at", flat=True))
    assert NOW - timedelta(days=60, hours=1) <= created[0] and created[-1] <= NOW
    assert len({c.date() for c in created}) > 45
    assert orders.filter(channel__code="box-office").count() > 20
    notifications = Notification.objects.filter(seller=result.seller)
    assert notifications.count() > 300
    assert set(notifications.values_list("status", flat=True)) == {NotificationStatus.QUEUED}
    assert not mail.outbox  # delivered by the worker, after commit


def test_demo_catalog_has_slots_ahead_and_varied_refund_terms(loaded):
    result = loaded
    products = Product.objects.filter(seller=result.seller)
    assert {ProductKind.TIMED_ENTRY, ProductKind.OPEN_ENTRY, ProductKind.DIGITAL,
            ProductKind.SUBSCRIPTION} <= set(products.values_list("kind", flat=True))
    assert products.filter(non_refundable=True).exists()
    assert products.filter(refund_until_hours_before__isnull=False).exists()
    assert products.exclude(refund_fee_fixed=0, refund_fee_percent=0).exists()
    assert products.get(kind=ProductKind.SUBSCRIPTION).billing_period_months == 1
    ahead = TimeSlot.objects.filter(product__sku="museum-timed", starts_at__gt=NOW,
                                    starts_at__lte=NOW + timedelta(days=30))
    assert ahead.count() > 150 and {s.capacity for s in ahead} == {35, 60}


def test_demo_signs_wallet_passes_and_has_a_file_to_download(loaded):
    from postsale.ops.demo_documents import silent_mp3
    from postsale.sellers.wallet import wallet_signing_material

    material = wallet_signing_material(loaded.seller)
    assert material is not None and material.team_identifier == "POSTSALE00"
    guide = Product.objects.get(seller=loaded.seller, kind=ProductKind.DIGITAL)
    with guide.download_file.open("rb") as stored:
        assert stored.read() == silent_mp3()
    assert len(silent_mp3()) < 20_000


def test_demo_customers_are_realistic(loaded):
    result = loaded
    customers = list(Customer.objects.filter(seller=result.seller))
    assert {c.language for c in customers} == {"pl", "it", "uk", "he", "en"}
    names = " ".join(c.full_name for c in customers)
    assert re.search("[\u0590-\u05ff]", names) and re.search("[\u0400-\u04ff]", names)
    assert re.search("Cohen|Levi|Mizrahi|Peretz|Biton|Dahan|Friedman|Katz", names)
    assert re.search("[ąćęłńóśźż]", names)
    domains = {c.email.split("@")[1] for c in customers}
    assert {"gmail.com", "wp.pl", "libero.it", "ukr.net", "walla.co.il"} <= domains
    codes = set()
    for c in customers:
        if c.phone:
            number = phonenumbers.parse(c.phone)
            assert phonenumbers.is_valid_number(number), c.phone
            codes.add(number.country_code)
    assert codes == {48, 39, 380, 972}
    questions = set(OrderAnswer.objects.filter(order__seller=result.seller)
                    .values_list("question", flat=True))
    assert questions == {"Company", "Car plate"}


def test_demo_logins_work_and_an_existing_user_is_left_alone(loaded):
    result = loaded
    assert result.skipped_logins == ["agent"]
    for username, password, _role in DEMO_LOGINS:
        if username != "agent":
            assert authenticate(username=username, password=password), username
    members = Member.objects.filter(seller=result.seller)
    assert {m.user.username: m.role for m in members} == {"owner": Role.OWNER,
                                                          "door": Role.DOOR}
    assert get_user_model().objects.get(username="operator").is_superuser
    assert authenticate(username="agent", password="a-real-secret")
    assert not authenticate(username="agent", password="agent")


def test_demo_command_loads_nothing_when_the_demo_exists(loaded):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "exists already; nothing loaded" in out.getvalue()
    assert Seller.objects.filter(slug="demo").count() == 1
    assert Order.objects.filter(seller__slug="demo").count() == 300


def test_demo_command_prints_the_logins(db, monkeypatch):
    seller = Seller(slug="demo")
    monkeypatch.setattr("postsale.ops.management.commands.demo.load_demo",
                        lambda: demo.DemoResult(seller, orders=300, skipped_logins=["agent"]))
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "seller 'demo' with 300 orders" in out.getvalue()
    assert "owner    / owner" in out.getvalue() and "operator / operator" in out.getvalue()
    assert "agent: a user with this name exists; left unchanged." in out.getvalue()


def test_example_csv_imports_into_the_demo_seller(loaded):
    out = io.StringIO()
    call_command("import_orders", str(EXAMPLE_CSV), "--seller", "demo", stdout=out,
                 stderr=io.StringIO())
    assert "5 rows: 4 orders created, 0 already imported, 0 failed (0 rows)." in out.getvalue()
    order = Payment.objects.get(provider_transaction_id="KASA-2026-0042").order
    assert order.status == OrderStatus.PAID and order.total == 3 * 2500
    assert order.answers.get().answer == "Viaggi Bianchi S.r.l."


def test_demo_people_are_deterministic_and_mail_no_strangers_next_to_real_smtp(monkeypatch):
    first = people(random.Random(1), count=50)
    assert first == people(random.Random(1), count=50)
    assert len({p.email for p in first}) == 50
    hidden = people(random.Random(1), count=50, real_domains=False)
    assert all(p.email.endswith(".example") for p in hidden)

    smtp = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    monkeypatch.setattr(settings, "MAILERS", smtp)
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert demo._mail_is_caught()  # `postsale up` runs its own mail catcher
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.net")
    assert not demo._mail_is_caught()


def test_demo_has_tickets_in_every_situation_and_one_request_due(demo_seller):
    from postsale.tickets.models import Step, Ticket, TicketType
    from postsale.tickets.selectors import review_list

    seller = demo_seller.seller
    tickets = Ticket.objects.filter(seller=seller)
    assert tickets.count() == 8
    assert set(tickets.values_list("type", flat=True)) == {"support", "refund", "return"}
    counting = tickets.filter(type=TicketType.REFUND, due_step=Step.PROCESS)
    assert counting.filter(due_at__gt=NOW).count() == 2  # counting down
    assert counting.filter(due_at__lte=NOW).count() == 1  # the worker processes it
    assert review_list().filter(seller=seller).count() == 1
    assert tickets.filter(status="closed").count() == 2


def test_demo_has_the_starter_articles_and_assigns_its_tickets(loaded):
    from postsale.kb.models import Article
    from postsale.tickets.models import AssignmentRule, Ticket

    seller = loaded.seller
    assert Article.objects.filter(seller=seller, active=True).count() == 8
    assert AssignmentRule.objects.filter(seller=seller).count() == 2
    # "agent" belonged to someone else here, so the owner is the whole team.
    assert set(Ticket.objects.filter(seller=seller)
               .values_list("assignee__username", flat=True)) == {"owner"}

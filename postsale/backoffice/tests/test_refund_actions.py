"""Refunding from the order page: who may, the check → confirm flow with the reasons, one
refund per confirmation, retrying a failed refund, and payment alerts."""

import re

import pytest
from django.urls import reverse

from postsale.core import clock
from postsale.core.audit import SYSTEM
from postsale.core.models import AuditEvent
from postsale.orders.models import EntryStatus, OrderStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.payments.models import Payment, PaymentFlag, Refund, RefundStatus
from postsale.payments.providers import PROVIDERS
from postsale.payments.providers.base import ProviderRejected, RefundResult
from postsale.payments.refunds import refund_process, refund_request
from postsale.payments.rules import RequestedBy
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member


def order_url(order) -> str:
    return reverse("backoffice:order", args=[order.number])


def refund_url(order) -> str:
    return reverse("backoffice:order_refund", args=[order.number])


def retry_url(refund) -> str:
    return reverse("backoffice:refund_retry", args=[refund.order.number, refund.number])


def keys(order) -> list[str]:
    return [f"entry:{e.number}" for e in order.entries.order_by("id")]


def section(html: str, title: str) -> str:
    match = re.search(rf"<h2[^>]*>{re.escape(title)}</h2>(.*?)</section>", html, re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def action_menu(html: str) -> str:
    """The order page's action menu (orders/_actions.html)."""
    match = re.search(r'<details class="menu" id="order-actions".*?</details>', html, re.S)
    assert match, "no action menu"
    return match.group(0)


def check(client, order, items, by="seller", **headers):
    return client.get(refund_url(order), {"check": "1", "items": items, "by": by},
                      headers=headers)


def confirm(client, order, items, by="seller", reason=""):
    return client.post(refund_url(order), {"items": items, "by": by, "reason": reason})


@pytest.fixture
def paid(seller):
    """Two museum entries at 40.00 PLN, paid."""
    product = make_product(seller, sku="museum", name="Museum entry", price=4000)
    return make_order(seller, product, quantity=2, paid=True)


class TestWhoMayRefund:
    @pytest.mark.parametrize("role", [Role.OWNER, Role.AGENT])
    def test_owners_and_agents_may(self, seller, paid, client_for, role):
        client = client_for(make_member(seller, role=role).user)
        assert client.get(refund_url(paid)).status_code == 200
        assert check(client, paid, keys(paid)).status_code == 200
        assert confirm(client, paid, keys(paid)[:1]).status_code == 302
        assert Refund.objects.count() == 1
        assert "Refund…" in action_menu(client.get(order_url(paid)).text)

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DOOR])
    def test_viewers_and_door_staff_may_not(self, seller, paid, client_for, role):
        client = client_for(make_member(seller, role=role).user)
        failed = refund_request(seller=seller, order_number=paid.number,
                                by=RequestedBy.SELLER, actor=SYSTEM, keys=keys(paid)[:1])
        Refund.objects.filter(pk=failed.pk).update(status=RefundStatus.FAILED)
        assert client.get(refund_url(paid)).status_code == 403
        assert check(client, paid, keys(paid)).status_code == 403
        assert confirm(client, paid, keys(paid)[1:]).status_code == 403
        assert client.post(retry_url(failed)).status_code == 403
        assert Refund.objects.count() == 1
        assert Refund.objects.get().status == RefundStatus.FAILED
        page = client.get(order_url(paid))
        if role == Role.DOOR:  # door staff: search and check-in only
            assert page.status_code == 403
            return
        assert page.status_code == 200
        assert "Refund…" not in page.text and ">Retry<" not in page.text
        assert 'id="order-actions"' not in page.text

    def test_another_sellers_order_is_404(self, agent_client, other_seller):
        theirs = make_order(other_seller, paid=True)
        refund = refund_request(seller=other_seller, order_number=theirs.number,
                                by=RequestedBy.SELLER, actor=SYSTEM)
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
        assert agent_client.get(refund_url(theirs)).status_code == 404
        assert check(agent_client, theirs, keys(theirs)).status_code == 404
        assert confirm(agent_client, theirs, keys(theirs)).status_code == 404
        assert agent_client.post(retry_url(refund)).status_code == 404
        assert Refund.objects.get().status == RefundStatus.FAILED

    def test_anonymous_users_are_sent_to_log_in(self, client, paid):
        response = client.post(refund_url(paid), {"items": keys(paid)})
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not Refund.objects.exists()

    def test_confirming_needs_a_post_with_the_csrf_token(self, agent, paid):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(agent)
        assert client.post(refund_url(paid), {"items": keys(paid)}).status_code == 403
        assert not Refund.objects.exists()


class TestCheckThenConfirm:
    def test_the_form_lists_every_item_all_selected(self, agent_client, paid):
        page = agent_client.get(refund_url(paid)).text
        for key in keys(paid):
            assert re.search(rf'value="{key}" checked', page), key
        assert "Confirm refund" not in page  # nothing is confirmed before the check

    def test_the_check_shows_amount_fee_and_reasons_then_one_refund_is_made(
            self, agent, agent_client, seller):
        product = make_product(seller, name="Gala", price=10000, refund_fee_percent=10,
                               non_refundable=True)
        order = make_order(seller, product, quantity=1, paid=True)
        refused = check(agent_client, order, keys(order), by="customer").text
        assert "The refund is not possible" in refused
        assert "Gala is non-refundable." in refused
        assert "Confirm refund" not in refused

        allowed = check(agent_client, order, keys(order), by="seller").text
        assert "The refund is possible" in allowed
        assert "non-refundable for customers; you may still refund it" in allowed
        assert "100.00 PLN" in section(allowed, "The refund is possible")
        assert "Confirm refund" in allowed
        assert not Refund.objects.exists()  # checking changes nothing

        response = confirm(agent_client, order, keys(order), reason="Goodwill")
        assert response.status_code == 302
        assert response["Location"] == order_url(order) + "#refunds"
        refund = Refund.objects.get()
        assert (refund.amount, refund.fee, refund.requested_by, refund.reason) == (
            10000, 0, "seller", "Goodwill")
        event = AuditEvent.objects.get(action="refund.requested")
        assert event.actor_user == agent

        page = agent_client.get(response["Location"]).text
        assert f"Refund {refund.number} of 100.00 PLN requested." in page
        refunds = section(page, "Refunds")
        assert refund.number in refunds and 'data-status="requested">Requested<' in refunds
        assert "you may still refund it" in refunds

    def test_the_customers_fee_is_shown_and_kept(self, agent_client, seller):
        product = make_product(seller, name="Tour", price=5000, refund_fee_fixed=500)
        order = make_order(seller, product, quantity=1, paid=True)
        decision = section(check(agent_client, order, keys(order), by="customer").text,
                           "The refund is possible")
        assert "45.00 PLN" in decision and "5.00 PLN" in decision
        assert "A refund fee of 5.00 PLN applies" in decision
        confirm(agent_client, order, keys(order), by="customer")
        assert (Refund.objects.get().amount, Refund.objects.get().fee) == (4500, 500)

    def test_a_partial_refund_is_processed_on_commit(
            self, agent_client, paid, django_capture_on_commit_callbacks):
        first, second = keys(paid)
        with django_capture_on_commit_callbacks(execute=True):
            assert confirm(agent_client, paid, [first]).status_code == 302
        paid.refresh_from_db()
        assert paid.status == OrderStatus.PARTIALLY_REFUNDED
        page = agent_client.get(order_url(paid)).text
        assert 'data-status="succeeded">Refunded<' in section(page, "Refunds")
        form = agent_client.get(refund_url(paid)).text
        assert re.search(rf'value="{first}" disabled', form)
        assert re.search(rf'value="{second}" checked', form)
        assert "Already refunded or being refunded." in form

    def test_a_double_click_makes_one_refund(self, agent_client, paid):
        first = confirm(agent_client, paid, keys(paid))
        second = confirm(agent_client, paid, keys(paid))
        assert first.status_code == second.status_code == 302
        assert Refund.objects.count() == 1
        page = agent_client.get(order_url(paid)).text
        number = Refund.objects.get().number
        assert f"Refund {number} was already requested; the form was sent twice." in page

    def test_items_someone_else_refunded_meanwhile_are_a_clear_conflict(
            self, agent_client, paid):
        refund_request(seller=paid.seller, order_number=paid.number, by=RequestedBy.SELLER,
                       actor=SYSTEM, keys=keys(paid)[:1])
        response = confirm(agent_client, paid, keys(paid))
        assert response.status_code == 409
        assert "already refunded or being refunded" in response.text
        assert 'role="alert"' in response.text
        assert Refund.objects.count() == 1

    def test_nothing_chosen_says_so(self, agent_client, paid):
        page = agent_client.get(refund_url(paid), {"check": "1", "by": "seller"}).text
        assert "Choose what to refund." in page
        assert "Confirm refund" not in page

    def test_an_item_of_another_order_is_refused_without_a_crash(self, agent_client, paid,
                                                               seller):
        other = make_order(seller, paid=True)
        page = check(agent_client, paid, keys(other))
        assert page.status_code == 200
        assert "Some items are not part of this order." in page.text
        response = confirm(agent_client, paid, keys(other))
        assert response.status_code == 422
        assert not Refund.objects.exists()

    def test_the_check_step_answers_htmx_with_the_decision_only(self, agent_client, paid):
        response = check(agent_client, paid, keys(paid), **{"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.text and "The refund is possible" in response.text
        assert 'name="csrfmiddlewaretoken"' in response.text
        assert "HX-Request" in response["Vary"]

    def test_an_unpaid_order_cannot_be_refunded(self, agent_client, seller):
        order = make_order(seller)
        assert "Only paid orders can be refunded." in agent_client.get(order_url(order)).text
        assert "Only paid orders can be refunded." in agent_client.get(refund_url(order)).text
        response = confirm(agent_client, order, keys(order))
        assert response.status_code == 409
        assert "only paid orders can be refunded" in response.text
        assert not Refund.objects.exists()


class FlakyProvider:
    """Rejects refunds until `works` is set; remembers the idempotency keys it saw."""

    name, label = "flaky", "Flaky"

    def __init__(self):
        self.works, self.calls = False, []

    def refund(self, *, transaction_id, amount, currency, idempotency_key, config):
        self.calls.append(idempotency_key)
        if not self.works:
            raise ProviderRejected("card account closed")
        return RefundResult(provider_refund_id="re_1")


class TestRetry:
    @pytest.fixture
    def failed(self, paid, monkeypatch):
        provider = FlakyProvider()
        monkeypatch.setitem(PROVIDERS, "flaky", provider)
        Payment.objects.filter(order=paid).update(provider="flaky")
        refund = refund_request(seller=paid.seller, order_number=paid.number,
                                by=RequestedBy.SELLER, actor=SYSTEM)
        assert refund_process(refund_id=refund.pk) == RefundStatus.FAILED
        refund.refresh_from_db()
        return refund, provider

    def test_a_failed_refund_shows_its_error_and_a_retry_button(self, agent_client, failed):
        refund, _ = failed
        refunds = section(agent_client.get(order_url(refund.order)).text, "Refunds")
        assert 'data-status="failed">Failed<' in refunds
        assert "card account closed" in refunds
        assert f'action="{retry_url(refund)}"' in refunds

    def test_retry_sends_it_again_with_the_same_key_and_it_succeeds(
            self, agent, agent_client, failed, django_capture_on_commit_callbacks):
        refund, provider = failed
        provider.works = True
        with django_capture_on_commit_callbacks(execute=True):
            response = agent_client.post(retry_url(refund))
        assert response.status_code == 302
        assert response["Location"] == order_url(refund.order) + "#refunds"
        refund.refresh_from_db()
        assert refund.status == RefundStatus.SUCCEEDED
        assert len(set(provider.calls)) == 1
        assert AuditEvent.objects.get(action="refund.retried").actor_user == agent
        page = agent_client.get(response["Location"]).text
        assert f"Refund {refund.number} is being sent again." in page
        assert 'data-status="succeeded">Refunded<' in section(page, "Refunds")
        assert set(refund.order.entries.values_list("status", flat=True)) == {EntryStatus.VOID}

    def test_retrying_a_refund_that_is_not_failed_explains_why(self, agent_client, paid):
        refund = refund_request(seller=paid.seller, order_number=paid.number,
                                by=RequestedBy.SELLER, actor=SYSTEM)
        response = agent_client.post(retry_url(refund), follow=True)
        assert f"Refund {refund.number} is requested." in response.text
        refund.refresh_from_db()
        assert refund.status == RefundStatus.REQUESTED

    def test_retry_is_a_post_and_an_unknown_refund_is_404(self, agent_client, failed):
        refund, _ = failed
        assert agent_client.get(retry_url(refund)).status_code == 405
        url = reverse("backoffice:refund_retry", args=[refund.order.number, "RFD-NOPE"])
        assert agent_client.post(url).status_code == 404


class TestPaymentAlerts:
    def test_a_duplicate_payment_is_explained_and_offered_as_a_refund(self, agent_client,
                                                                     seller, paid):
        second = make_order(seller, paid=True)
        payment = second.payments.get()
        PaymentFlag.objects.create(seller=seller, payment=payment,
                                   kind=PaymentFlag.Kind.DUPLICATE, related_order=paid,
                                   detail="Same customer and items 4 minutes apart.",
                                   created_at=clock.now())
        for order in (second, paid):  # both halves show it
            alerts = section(agent_client.get(order_url(order)).text, "Payment alerts")
            assert "Probable duplicate payment" in alerts
            assert "The customer probably paid twice" in alerts
            assert payment.provider_transaction_id in alerts
            assert "4 minutes apart" in alerts
            assert f'href="{refund_url(second)}"' in alerts
            assert f"Refund order {second.number}…" in alerts

    def test_late_and_provider_refunds_are_explained(self, agent_client, seller, paid):
        payment = paid.payments.get()
        for kind in (PaymentFlag.Kind.LATE, PaymentFlag.Kind.PROVIDER_REFUND):
            PaymentFlag.objects.create(seller=seller, payment=payment, kind=kind,
                                       created_at=clock.now())
        alerts = section(agent_client.get(order_url(paid)).text, "Payment alerts")
        assert "confirmed after the order had expired" in alerts
        assert "returned this payment by itself" in alerts
        assert "Refund order" not in alerts  # only duplicates are offered as refunds

    def test_viewers_see_alerts_without_the_refund_button(self, seller, paid, client_for):
        PaymentFlag.objects.create(seller=seller, payment=paid.payments.get(),
                                   kind=PaymentFlag.Kind.DUPLICATE, created_at=clock.now())
        viewer = client_for(make_member(seller, role=Role.VIEWER).user)
        alerts = section(viewer.get(order_url(paid)).text, "Payment alerts")
        assert "Probable duplicate payment" in alerts and "Refund order" not in alerts

    def test_an_order_without_alerts_has_no_alert_section(self, agent_client, paid):
        assert "Payment alerts" not in agent_client.get(order_url(paid)).text


class TestActingOnAlerts:
    @pytest.fixture
    def twice(self, paid):
        """`paid` with a second confirmed payment: flagged as a duplicate."""
        from postsale.payments.services import PaymentReport, payment_record_event

        payment_record_event(seller=paid.seller, order_number=paid.number, actor=SYSTEM,
                             source="test", report=PaymentReport(
                                 provider="manual", transaction_id="tx-second",
                                 status="confirmed", amount=8000))
        return PaymentFlag.objects.get(kind=PaymentFlag.Kind.DUPLICATE)

    def test_a_second_payment_of_a_paid_order_is_refunded_by_itself(
            self, agent_client, paid, twice, django_capture_on_commit_callbacks):
        alerts = section(agent_client.get(order_url(paid)).text, "Payment alerts")
        assert "Refund this payment (80.00 PLN)" in alerts
        url = reverse("backoffice:payment_refund", args=[paid.number, twice.payment_id])
        with django_capture_on_commit_callbacks(execute=True):
            response = agent_client.post(url)
        assert response["Location"] == order_url(paid) + "#flags"
        refund = Refund.objects.get()
        assert refund.amount == 8000 and refund.parts.get().payment_id == twice.payment_id
        twice.refresh_from_db()
        assert twice.resolved_at is not None
        # only this payment went back: the entries stay valid
        assert set(paid.entries.values_list("status", flat=True)) == {EntryStatus.VALID}
        page = agent_client.get(order_url(paid)).text
        assert "Refund this payment" not in page and "Handled" in page

    def test_the_payment_that_pays_the_order_is_not_refunded_this_way(self, agent_client,
                                                                      paid):
        first = paid.payments.get()
        url = reverse("backoffice:payment_refund", args=[paid.number, first.pk])
        page = agent_client.post(url, follow=True).text
        assert "Refund the order (or some of its entries) instead" in page
        assert not Refund.objects.exists()

    def test_an_alert_can_be_marked_as_handled(self, agent, agent_client, paid, twice):
        url = reverse("backoffice:flag_resolve", args=[paid.number, twice.pk])
        page = agent_client.post(url, follow=True).text
        assert "Marked as handled." in page
        twice.refresh_from_db()
        assert twice.resolved_at is not None
        assert AuditEvent.objects.filter(action="payment.flag_resolved.duplicate",
                                         actor_user=agent).exists()
        assert "Mark as handled" not in section(page, "Payment alerts")

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DOOR])
    def test_viewers_and_door_staff_cannot_act_on_alerts(self, seller, paid, twice,
                                                         client_for, role):
        client = client_for(make_member(seller, role=role).user)
        refund = reverse("backoffice:payment_refund", args=[paid.number, twice.payment_id])
        resolve = reverse("backoffice:flag_resolve", args=[paid.number, twice.pk])
        assert client.post(refund).status_code == 403
        assert client.post(resolve).status_code == 403
        twice.refresh_from_db()
        assert twice.resolved_at is None and not Refund.objects.exists()

    def test_alerts_and_payments_of_another_order_are_404(self, agent_client, seller, paid,
                                                          twice):
        other = make_order(seller, paid=True)
        assert agent_client.post(reverse("backoffice:flag_resolve",
                                         args=[other.number, twice.pk])).status_code == 404
        assert agent_client.post(reverse("backoffice:payment_refund",
                                         args=[other.number, twice.payment_id])
                                 ).status_code == 404
        assert not Refund.objects.exists()


def test_the_form_lists_lines_without_entries_and_a_subscriptions_last_invoice(
        agent_client, seller):
    from postsale.orders.models import ProductKind
    from postsale.payments.models import Invoice

    goods = make_order(seller, make_product(seller, name="Poster", price=1500,
                                            kind=ProductKind.GOODS), quantity=2, paid=True)
    page = agent_client.get(refund_url(goods)).text
    assert re.search(rf'value="line:{goods.lines.get().pk}" checked', page)
    assert "Poster" in page and "30.00 PLN" in page

    plan = make_product(seller, name="Museum pass", price=2000,
                        kind=ProductKind.SUBSCRIPTION, billing_period_months=1)
    order = make_order(seller, plan, quantity=1, paid=True)
    invoice = Invoice.objects.filter(order=order, subscription__isnull=False).latest("issued_at")
    page = agent_client.get(refund_url(order)).text
    assert re.search(rf'value="invoice:{invoice.number}" checked', page)
    decision = check(agent_client, order, [f"invoice:{invoice.number}"]).text
    assert "The refund is possible" in decision and "20.00 PLN" in decision

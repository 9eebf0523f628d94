"""The settings services: each checks its rules, saves only what changed, audits old and
new values, and changes nothing when it refuses."""

from datetime import date

import pytest

from postsale.core.audit import Actor
from postsale.core.calendar import calendar_for
from postsale.core.errors import Invalid, NotFound
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_product
from postsale.sellers.models import ApiToken, ClosureDay, Seller
from postsale.sellers.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    closure_day_add,
    closure_day_remove,
    seller_update_calendar,
    seller_update_general,
    seller_update_refund_policy,
)

OWNER = Actor("user", "olga")


def general(seller, **changes):
    values = {"name": seller.name, "language": seller.language, "currency": seller.currency,
              "account_email": seller.account_email, "support_email": seller.support_email}
    return seller_update_general(seller=seller, actor=OWNER, **(values | changes))


def calendar(seller, **changes):
    values = {"time_zone": seller.time_zone, "country": seller.country,
              "subdivision": seller.subdivision, "weekend_days": seller.weekend_days,
              "pause_on_holidays": seller.pause_on_holidays}
    return seller_update_calendar(seller=seller, actor=OWNER, **(values | changes))


def unchanged(seller) -> Seller:
    fresh = Seller.objects.get(pk=seller.pk)
    assert [getattr(fresh, f.attname) for f in Seller._meta.fields] == \
        [getattr(seller, f.attname) for f in Seller._meta.fields]
    return fresh


class TestGeneral:
    def test_saves_and_audits_only_what_changed(self, seller):
        general(seller, name="Acme Museum", support_email="Help@Acme.example")
        seller.refresh_from_db()
        assert seller.name == "Acme Museum" and seller.support_email == "Help@acme.example"
        event = AuditEvent.objects.get(action="seller.updated")
        assert event.data["changed"] == {"name": ["Acme Events", "Acme Museum"],
                                         "support_email": ["", "Help@acme.example"]}
        assert event.actor == "user:olga"
        general(seller)  # nothing new: no second audit row
        assert AuditEvent.objects.filter(action="seller.updated").count() == 1

    def test_bad_values_are_field_errors_and_nothing_is_saved(self, seller):
        with pytest.raises(Invalid) as exc:
            general(seller, name=" ", language="xx", account_email="not an address",
                    support_email="a@@b")
        assert set(exc.value.field_errors) == {"name", "language", "account_email",
                                               "support_email"}
        unchanged(seller)
        assert not AuditEvent.objects.filter(action="seller.updated").exists()

    def test_currency_changes_only_while_nothing_is_priced_in_it(self, seller):
        general(seller, currency="EUR")
        seller.refresh_from_db()
        assert seller.currency == "EUR"
        make_product(seller)
        with pytest.raises(Invalid) as exc:
            general(seller, currency="PLN")
        assert "EUR" in exc.value.field_errors["currency"]
        assert unchanged(seller).currency == "EUR"

    def test_unknown_currency_is_refused(self, seller):
        with pytest.raises(Invalid) as exc:
            general(seller, currency="XXX")
        assert "currency" in exc.value.field_errors

    def test_empty_support_address_falls_back_to_the_account_address(self, seller):
        general(seller, support_email="help@acme.example")
        general(seller, support_email="")
        seller.refresh_from_db()
        assert seller.support_email == "" and seller.reply_to_email == seller.account_email


class TestCalendar:
    def test_country_region_weekend_and_holidays(self, seller):
        calendar(seller, time_zone="Asia/Jerusalem", country="il", weekend_days=[5, 4, 4],
                 pause_on_holidays=False)
        seller.refresh_from_db()
        assert (seller.time_zone, seller.country, seller.weekend_days,
                seller.pause_on_holidays) == ("Asia/Jerusalem", "IL", [4, 5], False)
        changed = AuditEvent.objects.get(action="seller.calendar_updated").data["changed"]
        assert changed["country"] == ["PL", "IL"] and changed["weekend_days"] == [[], [4, 5]]
        calendar(seller, country="DE", subdivision="by", time_zone="Europe/Berlin",
                 weekend_days=[])
        seller.refresh_from_db()
        assert seller.subdivision == "BY" and calendar_for(seller).weekend_days == {5, 6}

    @pytest.mark.parametrize(("changes", "field"), [
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"country": "XX"}, "country"),
        ({"subdivision": "ZZ"}, "subdivision"),  # Poland has no region ZZ
        ({"weekend_days": [0, 1, 2, 3, 4, 5, 6]}, "weekend_days"),
        ({"weekend_days": [7]}, "weekend_days"),
    ])
    def test_bad_values_are_refused_with_the_field_to_fix(self, seller, changes, field):
        with pytest.raises(Invalid) as exc:
            calendar(seller, **changes)
        assert field in exc.value.field_errors
        unchanged(seller)

    def test_closure_days_are_added_once_and_removed(self, seller, other_seller):
        day = date(2031, 5, 2)
        closure_day_add(seller=seller, day=day, note=" inventory ", actor=OWNER)
        assert ClosureDay.objects.get(seller=seller).note == "inventory"
        assert day in calendar_for(seller).closures
        with pytest.raises(Invalid) as exc:
            closure_day_add(seller=seller, day=day, actor=OWNER)
        assert "already" in exc.value.field_errors["date"]
        with pytest.raises(NotFound):
            closure_day_remove(seller=other_seller, day=day, actor=OWNER)
        closure_day_remove(seller=seller, day=day, actor=OWNER)
        assert not ClosureDay.objects.exists()
        assert list(AuditEvent.objects.filter(action__startswith="seller.closure_day")
                    .values_list("action", flat=True).order_by("id")) == [
            "seller.closure_day_added", "seller.closure_day_removed"]


class TestRefundPolicy:
    def test_windows_and_late_payment_policy(self, seller):
        seller_update_refund_policy(seller=seller, customer_refund_days=14,
                                    seller_refund_days=30, late_payment_policy="refund",
                                    actor=OWNER)
        seller.refresh_from_db()
        assert (seller.customer_refund_days, seller.seller_refund_days,
                seller.late_payment_policy) == (14, 30, "refund")

    @pytest.mark.parametrize(("customer", "own", "policy", "field"), [
        (30, 14, "activate", "seller_refund_days"),  # shorter than the customer's
        (-1, 90, "activate", "customer_refund_days"),
        (60, 99999, "activate", "seller_refund_days"),
        (60, 90, "whatever", "late_payment_policy"),
    ])
    def test_bad_windows_are_refused(self, seller, customer, own, policy, field):
        with pytest.raises(Invalid) as exc:
            seller_update_refund_policy(seller=seller, customer_refund_days=customer,
                                        seller_refund_days=own, late_payment_policy=policy,
                                        actor=OWNER)
        assert field in exc.value.field_errors
        unchanged(seller)


class TestTokens:
    def test_a_revoked_token_no_longer_authenticates(self, seller):
        token, plain = api_token_create(seller=seller, name="shop", scopes=["orders:read"])
        assert api_token_authenticate(plain) == token
        api_token_revoke(seller=seller, token_id=token.pk, actor=OWNER)
        assert api_token_authenticate(plain) is None
        revoked_at = ApiToken.objects.get().revoked_at
        api_token_revoke(seller=seller, token_id=token.pk, actor=OWNER)  # again: no change
        assert ApiToken.objects.get().revoked_at == revoked_at
        assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1

    def test_another_sellers_token_cannot_be_revoked(self, seller, other_seller):
        token, plain = api_token_create(seller=other_seller, name="shop")
        with pytest.raises(NotFound):
            api_token_revoke(seller=seller, token_id=token.pk, actor=OWNER)
        assert api_token_authenticate(plain) == token

    @pytest.mark.parametrize(("name", "scopes", "field"), [
        ("  ", ["orders:read"], "name"), ("x" * 101, None, "name"),
        ("shop", ["everything"], "scopes")])
    def test_a_token_needs_a_name_and_known_scopes(self, seller, name, scopes, field):
        with pytest.raises(Invalid) as exc:
            api_token_create(seller=seller, name=name, scopes=scopes)
        assert field in exc.value.field_errors
        assert not ApiToken.objects.exists()

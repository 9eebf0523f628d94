"""The settings pages: owners only; each form saves through its service, shows the
service's refusals as form errors with nothing saved, and says what happened."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import ApiToken, ClosureDay, Member, Role, Seller
from postsale.sellers.tests.factories import make_member

SETTINGS = reverse("backoffice:settings")
CALENDAR = reverse("backoffice:settings_calendar")
PREVIEW = reverse("backoffice:settings_calendar_preview")
REFUNDS = reverse("backoffice:settings_refunds")
MEMBERS = reverse("backoffice:settings_members")
TOKENS = reverse("backoffice:settings_tokens")


@pytest.fixture
def owner(seller):
    return make_member(seller, role=Role.OWNER, username="olga").user


@pytest.fixture
def owner_client(owner, client_for):
    return client_for(owner)


def general_form(seller, **changes):
    return {"name": seller.name, "language": seller.language, "currency": seller.currency,
            "account_email": seller.account_email, "support_email": seller.support_email,
            **changes}


def test_every_settings_page_is_right_to_left_in_hebrew(seller, owner_client):
    make_product(seller, sku="museum")
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"
    for url in (SETTINGS, CALENDAR, REFUNDS, MEMBERS, TOKENS,
                reverse("backoffice:settings_product_terms", args=["museum"])):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="he" dir="rtl">' in response.text, url


def test_only_owners_see_the_settings_link(seller, owner_client, agent_client):
    assert f'href="{SETTINGS}"' in owner_client.get(reverse("backoffice:orders")).text
    assert f'href="{SETTINGS}"' not in agent_client.get(reverse("backoffice:orders")).text
    response = agent_client.get(SETTINGS)
    assert response.status_code == 403 and "Ask an owner" in response.text


class TestGeneral:
    def test_owner_renames_the_seller(self, seller, owner_client):
        page = owner_client.get(SETTINGS)
        assert page.status_code == 200 and 'value="Acme Events"' in page.text
        response = owner_client.post(SETTINGS, general_form(seller, name="Acme Museum"),
                                     follow=True)
        assert response.redirect_chain[-1][0] == SETTINGS
        assert "Settings saved." in response.text
        assert Seller.objects.get(pk=seller.pk).name == "Acme Museum"

    def test_a_likely_typo_is_asked_about_before_saving(self, seller, owner_client):
        form = general_form(seller, support_email="help@gmial.com")
        response = owner_client.post(SETTINGS, form)
        assert response.status_code == 422
        assert "Did you mean help@gmail.com?" in response.text
        assert 'name="use_suggestion" value="support_email"' in response.text
        assert 'name="support_email_confirmed" value="help@gmial.com"' in response.text
        assert Seller.objects.get(pk=seller.pk).support_email == ""
        # Take the suggestion…
        owner_client.post(SETTINGS, form | {"use_suggestion": "support_email"})
        assert Seller.objects.get(pk=seller.pk).support_email == "help@gmail.com"
        # …or keep what was typed, once confirmed.
        owner_client.post(SETTINGS, form | {"support_email_confirmed": "help@gmial.com"})
        assert Seller.objects.get(pk=seller.pk).support_email == "help@gmial.com"

    def test_bad_input_is_a_form_error_and_nothing_is_saved(self, seller, owner_client):
        response = owner_client.post(SETTINGS, general_form(seller, name="",
                                                            account_email="nope"))
        assert response.status_code == 422
        assert "Nothing was saved" in response.text and 'aria-invalid="true"' in response.text
        assert Seller.objects.get(pk=seller.pk).name == "Acme Events"
        assert not AuditEvent.objects.filter(action="seller.updated").exists()

    def test_currency_is_read_only_once_there_are_orders(self, seller, owner_client):
        make_order(seller)
        page = owner_client.get(SETTINGS)
        assert 'name="currency"' in page.text and "disabled" in page.text.split(
            'name="currency"')[1].split(">")[0]
        owner_client.post(SETTINGS, general_form(seller, currency="EUR"))
        assert Seller.objects.get(pk=seller.pk).currency == "PLN"


class TestCalendar:
    def calendar_form(self, **changes):
        return {"time_zone": "Europe/Warsaw", "country": "PL", "subdivision": "",
                "pause_on_holidays": "on", **changes}

    def test_owner_changes_the_calendar(self, seller, owner_client):
        response = owner_client.post(CALENDAR, self.calendar_form(
            time_zone="Asia/Jerusalem", country="IL", weekend_days=["4", "5"]))
        assert response.status_code == 302
        seller.refresh_from_db()
        assert (seller.country, seller.weekend_days, seller.pause_on_holidays) == (
            "IL", [4, 5], True)

    def test_a_region_of_another_country_is_refused(self, seller, owner_client):
        response = owner_client.post(CALENDAR, self.calendar_form(subdivision="BY"))
        assert response.status_code == 422
        assert Seller.objects.get(pk=seller.pk).subdivision == ""

    def test_a_week_without_working_days_is_refused(self, seller, owner_client):
        response = owner_client.post(CALENDAR, self.calendar_form(
            weekend_days=[str(d) for d in range(7)]))
        assert response.status_code == 422
        assert "Leave at least one working day" in response.text
        assert Seller.objects.get(pk=seller.pk).weekend_days == []

    def test_closure_days_are_added_and_removed(self, seller, owner_client):
        response = owner_client.post(reverse("backoffice:closure_add"),
                                     {"date": "2031-05-02", "note": "Inventory"})
        assert response.status_code == 302 and response["Location"].endswith("#closures")
        assert ClosureDay.objects.get(seller=seller).date == date(2031, 5, 2)
        page = owner_client.get(CALENDAR).text
        assert 'data-closure="2031-05-02"' in page and "Inventory" in page
        again = owner_client.post(reverse("backoffice:closure_add"), {"date": "2031-05-02"})
        assert again.status_code == 422 and "already a closure day" in again.text
        assert ClosureDay.objects.count() == 1
        bad = owner_client.post(reverse("backoffice:closure_add"), {"date": "someday"})
        assert bad.status_code == 422 and ClosureDay.objects.count() == 1
        remove = reverse("backoffice:closure_remove", args=["2031-05-02"])
        assert owner_client.post(remove).status_code == 302
        assert not ClosureDay.objects.exists()
        twice = owner_client.post(remove, follow=True)
        assert "is not a closure day" in twice.text
        assert owner_client.post(reverse("backoffice:closure_remove",
                                         args=["not-a-date"])).status_code == 404


@pytest.fixture
def friday_afternoon():
    """Friday 2026-10-30 15:00 in Warsaw (after the DST change; All Saints' Day on
    Sunday and Independence Day on Wednesday 11 November ahead)."""
    with time_machine.travel(datetime(2026, 10, 30, 14, 0, tzinfo=UTC), tick=False):
        yield


class TestCalendarPreview:
    def preview_of(self, html: str) -> str:
        return html.split('id="calendar-preview"')[1].split("</section>")[0]

    def test_a_request_opened_on_friday_afternoon_is_processed_on_monday(
            self, seller, owner_client, friday_afternoon):
        preview = self.preview_of(owner_client.get(CALENDAR).text)
        assert "Fri 2026-10-30 15:00" in preview and "<strong>" in preview
        assert "Mon 2026-11-02 15:00" in preview  # SPEC §3: Friday 15:00 → Monday 15:00
        assert "Weekend" in preview
        assert "Independence Day" in preview  # the holiday, in the page's language

    def test_the_preview_follows_the_form_before_anything_is_saved(
            self, seller, owner_client, friday_afternoon):
        # Friday and Saturday off: Friday does not count, the clock runs from Sunday
        # 00:00, so the request is processed on Monday 00:00.
        fragment = owner_client.get(PREVIEW, {
            "time_zone": "Europe/Warsaw", "country": "IL", "weekend_days": ["4", "5"],
            "pause_on_holidays": "on", "regions_for": "PL"}, headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert "Mon 2026-11-02 00:00" in fragment.text
        assert "Weekend: Friday, Saturday." in fragment.text
        assert 'hx-swap-oob="true"' in fragment.text  # the region list follows the country
        same_country = owner_client.get(PREVIEW, {"time_zone": "Europe/Warsaw",
                                                  "country": "PL", "regions_for": "PL"})
        assert 'hx-swap-oob' not in same_country.text
        assert Seller.objects.get(pk=seller.pk).country == "PL"  # nothing saved

    def test_a_closure_day_moves_the_processing_time(self, seller, owner_client,
                                                     friday_afternoon):
        owner_client.post(reverse("backoffice:closure_add"),
                          {"date": "2026-11-02", "note": "Inventory"})
        preview = self.preview_of(owner_client.get(CALENDAR).text)
        assert "Closure day" in preview and "Tue 2026-11-03 15:00" in preview

    def test_the_preview_speaks_the_page_language(self, seller, owner_client,
                                                  friday_afternoon):
        owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
        preview = self.preview_of(owner_client.get(CALENDAR).text)
        assert "Narodowe Święto Niepodległości" in preview

    def test_an_invalid_form_asks_to_correct_it(self, owner_client, seller):
        fragment = owner_client.get(PREVIEW, {"time_zone": "Mars/Olympus", "country": "PL"})
        assert fragment.status_code == 200
        assert "Correct the highlighted fields" in fragment.text


class TestRefunds:
    def test_windows_are_saved_and_checked(self, seller, owner_client):
        form = {"customer_refund_days": "14", "seller_refund_days": "30",
                "late_payment_policy": "refund"}
        assert owner_client.post(REFUNDS, form).status_code == 302
        seller.refresh_from_db()
        assert (seller.customer_refund_days, seller.seller_refund_days) == (14, 30)
        response = owner_client.post(REFUNDS, form | {"customer_refund_days": "60"})
        assert response.status_code == 422
        assert "cannot be shorter than the customer" in response.text
        assert Seller.objects.get(pk=seller.pk).customer_refund_days == 14

    def test_product_terms_with_a_fee_in_major_units(self, seller, owner_client):
        product = make_product(seller, sku="museum", name="Museum entry", price=4000)
        assert "Museum entry" in owner_client.get(REFUNDS).text
        url = reverse("backoffice:settings_product_terms", args=["museum"])
        assert 'value="0.00"' in owner_client.get(url).text
        form = {"refund_fee_fixed": "5.50", "refund_fee_percent": "10",
                "refund_until_hours_before": "24", "exchange_fee": "0",
                "no_refund_when_used": "on"}
        assert owner_client.post(url, form).status_code == 302
        product.refresh_from_db()
        assert (product.refund_fee_fixed, product.refund_fee_percent,
                product.refund_until_hours_before, product.non_refundable) == (550, 10, 24,
                                                                              False)
        bad = owner_client.post(url, form | {"refund_fee_fixed": "5.555",
                                             "refund_fee_percent": "150"})
        assert bad.status_code == 422
        product.refresh_from_db()
        assert product.refund_fee_fixed == 550
        assert owner_client.get(reverse("backoffice:settings_product_terms",
                                        args=["nope"])).status_code == 404


class TestMembers:
    def test_owner_invites_a_new_agent_who_sets_a_password_and_logs_in(
            self, seller, owner_client, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(MEMBERS, {"identifier": "jan@example.com",
                                                   "role": Role.AGENT}, follow=True)
        assert "got an e-mail with a link to choose a password" in response.text
        assert 'data-member="jan@example.com"' in response.text
        mail = Notification.objects.get(kind="member_invited")
        assert mail.status == "sent"
        link = next(w for w in mail.body_text.split() if "/backoffice/password/" in w)
        path = link.split("://", 1)[1].split("/", 1)[1]
        form_page = client.get("/" + path, follow=True)
        assert "Choose your password" in form_page.text and 'name="new_password1"' in \
            form_page.text
        done = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain
                           else "/" + path, {"new_password1": "a-long-pass-phrase-42",
                                             "new_password2": "a-long-pass-phrase-42"},
                           follow=True)
        assert "Your password is set" in done.text
        assert client.login(username="jan@example.com", password="a-long-pass-phrase-42")
        reused = client.get("/" + path, follow=True)
        assert "expired or was already used" in reused.text

    def test_role_changes_and_the_last_owner_is_protected(self, seller, owner, owner_client):
        me = Member.objects.get(user=owner)
        response = owner_client.post(reverse("backoffice:member_role", args=[me.pk]),
                                     {"role": Role.VIEWER}, follow=True)
        assert "only owner" in response.text
        assert Member.objects.get(pk=me.pk).role == Role.OWNER
        response = owner_client.post(reverse("backoffice:member_remove", args=[me.pk]),
                                     follow=True)
        assert "only owner" in response.text and Member.objects.filter(pk=me.pk).exists()
        agent = make_member(seller, role=Role.AGENT, username="agnes")
        owner_client.post(reverse("backoffice:member_role", args=[agent.pk]),
                          {"role": Role.OWNER})
        assert Member.objects.get(pk=agent.pk).role == Role.OWNER
        response = owner_client.post(reverse("backoffice:member_remove", args=[agent.pk]),
                                     follow=True)
        assert "agnes no longer has access" in response.text

    def test_an_owner_who_leaves_is_sent_away_from_the_settings(self, seller, owner,
                                                               owner_client):
        make_member(seller, role=Role.OWNER)
        me = Member.objects.get(user=owner)
        response = owner_client.post(reverse("backoffice:member_remove", args=[me.pk]))
        assert response["Location"] == reverse("backoffice:orders")
        assert owner_client.get(SETTINGS).status_code == 403  # no seller left: no access

    def test_bad_invitations_are_form_errors(self, owner_client):
        response = owner_client.post(MEMBERS, {"identifier": "ghost", "role": Role.AGENT})
        assert response.status_code == 422 and "enter their e-mail address" in response.text
        response = owner_client.post(MEMBERS, {"identifier": "olga", "role": Role.AGENT})
        assert response.status_code == 422 and "already a member" in response.text
        assert Member.objects.count() == 1


class TestTokens:
    def test_a_token_is_shown_once_then_only_its_prefix(self, seller, owner_client):
        response = owner_client.post(TOKENS, {"name": "Web shop",
                                              "scopes": ["orders:read", "orders:write"]})
        assert response.status_code == 200
        token = ApiToken.objects.get()
        plain = response.text.split('id="new-token" class="mono" value="')[1].split('"')[0]
        assert plain.startswith(token.prefix) and len(plain) > 40
        assert "no-store" in response["Cache-Control"]
        assert token.scopes == ["orders:read", "orders:write"]
        listing = owner_client.get(TOKENS).text
        assert plain not in listing and f"{token.prefix}…" in listing
        assert "Never" in listing  # not used yet

    def test_a_revoked_token_is_refused_by_the_api(self, seller, owner_client):
        response = owner_client.post(TOKENS, {"name": "Shop", "scopes": ["orders:read"]})
        plain = response.text.split('id="new-token" class="mono" value="')[1].split('"')[0]
        api = {"Authorization": f"Bearer {plain}"}
        assert owner_client.get("/api/v1/orders", headers=api).status_code == 200
        token = ApiToken.objects.get()
        assert "Never" not in owner_client.get(TOKENS).text  # last used is shown
        owner_client.post(reverse("backoffice:token_revoke", args=[token.pk]))
        assert owner_client.get("/api/v1/orders", headers=api).status_code == 401
        assert "Revoked" in owner_client.get(TOKENS).text

    def test_a_token_without_name_or_scope_is_not_created(self, owner_client):
        response = owner_client.post(TOKENS, {"name": "", "scopes": []})
        assert response.status_code == 422 and not ApiToken.objects.exists()
        assert 'id="new-token"' not in response.text

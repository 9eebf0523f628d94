from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from postsale.backoffice.access import SESSION_KEY, seller_required
from postsale.orders.tests.factories import make_order
from postsale.sellers.models import Member, Role
from postsale.sellers.tests.factories import make_member, make_seller

ORDERS = reverse("backoffice:orders")
SWITCH = reverse("backoffice:seller_switch")


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    for url in (ORDERS, reverse("backoffice:order", args=["PID-X"]), SWITCH):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("backoffice:login") + "?next=")


def test_login_form_logs_in_and_lands_on_the_orders_list(client, agent):
    page = client.get(reverse("backoffice:login"))
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.text
    response = client.post(reverse("backoffice:login"),
                           {"username": "agnes", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0] == ORDERS
    assert "Acme Events" in response.text


def test_wrong_password_shows_an_error(client, agent):
    response = client.post(reverse("backoffice:login"), {"username": "agnes", "password": "no"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_logout_is_a_post(agent_client):
    assert agent_client.get(reverse("backoffice:logout")).status_code == 405
    response = agent_client.post(reverse("backoffice:logout"))
    assert response.status_code == 302
    assert agent_client.get(ORDERS).status_code == 302


def test_user_without_membership_gets_a_clear_no_access_page(client_for, db):
    user = get_user_model().objects.create_user("nobody", password="pw")
    response = client_for(user).get(ORDERS)
    assert response.status_code == 403
    assert "not a member of any seller" in response.text
    assert client_for(user).get(SWITCH).status_code == 403


def test_member_of_a_cannot_open_an_order_of_b(agent_client, other_seller):
    order = make_order(other_seller)
    assert agent_client.get(reverse("backoffice:order", args=[order.number])).status_code == 404


def test_member_of_a_cannot_switch_to_b(agent_client, other_seller):
    agent_client.get(ORDERS)
    response = agent_client.post(SWITCH, {"seller": other_seller.slug})
    assert response.status_code == 404
    assert agent_client.post(SWITCH, {"seller": "no-such-seller"}).status_code == 404
    assert agent_client.session[SESSION_KEY] != other_seller.pk


def test_member_of_two_sellers_switches_and_sees_the_other_sellers_orders(
        agent, agent_client, seller, other_seller):
    make_member(other_seller, role=Role.VIEWER, username=agent.username, password=None)
    mine, theirs = make_order(seller), make_order(other_seller)
    page = agent_client.get(ORDERS)
    assert mine.number in page.text and theirs.number not in page.text
    assert 'id="seller-switch"' in page.text  # two sellers: the header offers a choice
    response = agent_client.post(SWITCH, {"seller": other_seller.slug})
    assert response.status_code == 302 and response["Location"] == ORDERS
    page = agent_client.get(ORDERS)
    assert theirs.number in page.text and mine.number not in page.text
    assert "Viewer" in page.text
    order_page = agent_client.get(reverse("backoffice:order", args=[mine.number]))
    assert order_page.status_code == 404  # seller-scoped to the current seller


def test_losing_membership_falls_back_to_a_seller_still_allowed(
        agent, agent_client, seller, other_seller):
    make_member(other_seller, username=agent.username, password=None)
    agent_client.post(SWITCH, {"seller": other_seller.slug})
    Member.objects.filter(user=agent, seller=other_seller).delete()
    assert agent_client.get(ORDERS).status_code == 200
    assert agent_client.session[SESSION_KEY] == seller.pk


def test_superuser_sees_every_seller_in_the_switcher(client_for, seller, other_seller):
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client = client_for(admin)
    page = client.get(SWITCH)
    assert seller.name in page.text and other_seller.name in page.text
    assert client.post(SWITCH, {"seller": other_seller.slug}).status_code == 302
    assert "Platform operator" in client.get(ORDERS).text  # acting as an owner


def test_the_operators_seller_list_is_searched_and_limited(client_for, seller, other_seller,
                                                          monkeypatch):
    from postsale.backoffice import views

    monkeypatch.setattr(views, "SWITCH_LIST_LIMIT", 1)
    make_seller(slug="zoo", name="Zoo Tickets")
    client = client_for(get_user_model().objects.create_superuser("root", password="pw"))
    page = client.get(SWITCH).text.split('id="main"')[1]  # the list, not the header
    assert "Acme Events" in page and "Zoo Tickets" not in page
    assert "search to narrow the list" in page
    found = client.get(SWITCH, {"q": "zoo"}).text.split('id="main"')[1]
    assert "Zoo Tickets" in found and "Acme Events" not in found
    assert "No sellers match." in client.get(SWITCH, {"q": "nothing"}).text


def test_seller_required_refuses_roles_not_listed(seller, rf: RequestFactory):
    door = make_member(seller, role=Role.DOOR).user

    @seller_required(roles=[Role.OWNER, Role.AGENT])
    def refund(request):
        return HttpResponse("ok")

    request = rf.get("/x")
    request.user, request.session = door, {}
    response = refund(request)
    assert response.status_code == 403
    assert b"Door staff" in response.content
    request.user = make_member(make_seller(), role=Role.AGENT).user
    request.session = {}
    assert refund(request).content == b"ok"


def test_every_role_may_search_orders_and_all_but_door_staff_open_them(seller, client_for):
    order = make_order(seller)
    order_url = reverse("backoffice:order", args=[order.number])
    for role in Role.values:
        client = client_for(make_member(seller, role=role).user)
        listing = client.get(ORDERS)
        assert listing.status_code == 200 and order.number in listing.text
        expected = 403 if role == Role.DOOR else 200
        assert client.get(order_url).status_code == expected
        # Door staff see the number, not a link to a page they may not open.
        assert (f'href="{order_url}"' in listing.text) is (role != Role.DOOR)

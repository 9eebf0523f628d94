"""GET /api/v1/search: the back office's search box for other tools."""

import pytest

from postsale.api.tests.conftest import assert_error, client_for

SEARCH = "/api/v1/search"


@pytest.fixture
def anna(create_order):
    return create_order(external_id="shop-7", answers={"Plate": "WA 12345"},
                        customer={"email": "anna.kowalska@example.com", "first_name": "Anna",
                                  "last_name": "Kowalska", "phone": "+48 601 234 567"})


def test_finds_by_phone_in_any_format_and_says_what_matched(api, anna):
    r = api.get(SEARCH, {"q": "0048 601-234-567"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["kinds"][0] == "phone"
    assert [hit["order"]["number"] for hit in body["results"]] == [anna["number"]]
    assert body["results"][0]["matches"] == [
        {"kind": "phone", "label": "Phone", "value": "+48 601 234 567", "similar": False}]
    assert body["results"][0]["order"]["customer_name"] == "Anna Kowalska"
    assert body["more"] is False


@pytest.mark.parametrize("q, kind", [("TID", "entry_number"), ("kowalsky", "surname"),
                                     ("wa 12345", "answer"), ("shop-7", "external_id"),
                                     ("ANNA.KOWALSKA@example.com", "email")])
def test_each_kind(api, anna, q, kind):
    if q == "TID":
        q = anna["entries"][0]["number"].lower()
    results = api.get(SEARCH, {"q": q}).json()["results"]
    assert [r["order"]["number"] for r in results] == [anna["number"]]
    assert results[0]["matches"][0]["kind"] == kind


def test_filters_and_limit(api, anna, create_order):
    create_order(customer={"email": "b@example.com", "last_name": "Kowalski"})
    assert len(api.get(SEARCH, {"q": "kowal"}).json()["results"]) == 2
    limited = api.get(SEARCH, {"q": "kowal", "limit": 1}).json()
    assert len(limited["results"]) == 1 and limited["more"] is True
    assert api.get(SEARCH, {"q": "kowal", "status": "paid"}).json()["results"] == []
    assert api.get(SEARCH, {"q": "kowal", "channel": "nowhere"}).json()["results"] == []


@pytest.mark.parametrize("params, field", [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a\nb"}, "q"),
    ({"q": "anna", "limit": 0}, "limit"), ({"q": "anna", "limit": 51}, "limit"),
    ({"q": "anna", "status": "lost"}, "status"),
])
def test_bad_queries_are_422_with_the_field(api, seller, params, field):
    assert_error(api.get(SEARCH, params), 422, field=field)


def test_needs_orders_read_and_a_token(seller, client, anna):
    assert_error(client.get(SEARCH, {"q": "kowalska"}), 401)
    assert_error(client_for(seller, ["tickets:read"]).get(SEARCH, {"q": "kowalska"}), 403)


def test_another_sellers_token_finds_nothing(other_api, anna):
    for q in (anna["number"], "kowalska", "601234567", "anna.kowalska@example.com"):
        assert other_api.get(SEARCH, {"q": q}).json()["results"] == []


def test_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "status", "channel", "limit"}
    assert {"401", "403", "422"} <= set(operation["responses"])

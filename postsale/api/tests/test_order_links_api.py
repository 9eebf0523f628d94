"""The order responses carry the customer's links: the order page and the thank-you page
a channel sends the customer to after paying; and typo warnings as objects."""

import pytest
from django.test import Client

from postsale.api.tests.conftest import ORDERS, order_body, post
from postsale.orders.links import LinkState, open_token

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    assert url.startswith("http://127.0.0.1:8000/"), url
    return url.removeprefix("http://127.0.0.1:8000")


def test_created_and_read_orders_carry_working_links(api, product):
    created = post(api, ORDERS, order_body(external_id="shop-9"))
    assert created.status_code == 201
    body = created.json()
    customer = Client()
    page = customer.get(path_of(body["order_page_url"]))
    assert page.status_code == 200 and body["number"] in page.content.decode()
    thanks = customer.get(path_of(body["thank_you_url"]))
    assert thanks.status_code == 200
    assert "Waiting for the payment confirmation" in thanks.content.decode()
    read = api.get(f"{ORDERS}/{body['number']}").json()
    token = path_of(read["order_page_url"]).split("/")[2]
    assert open_token(token).state == LinkState.VALID
    listed = api.get(ORDERS).json()["items"][0]
    assert listed["thank_you_url"].startswith("http://127.0.0.1:8000/o/thanks/")


def test_the_schema_documents_the_links_and_the_warning_objects(client):
    spec = client.get("/api/openapi.json").json()
    order = spec["components"]["schemas"]["OrderOut"]["properties"]
    for name in ("order_page_url", "thank_you_url", "warnings"):
        assert order[name].get("description"), name
    assert order["warnings"]["items"] == {"$ref": "#/components/schemas/WarningOut"}
    warning = spec["components"]["schemas"]["WarningOut"]
    assert set(warning["properties"]) == {"field", "code", "message", "suggestion"}
    code = warning["properties"]["code"]
    assert code.get("enum", [code.get("const")]) == ["email_typo"]
    assert {"order_page_url", "thank_you_url"} <= set(
        spec["components"]["schemas"]["OrderOut"]["required"])

"""The OpenAPI document and the docs page: public, valid, complete, no CDN."""

import re

import pytest
from django.test import Client
from openapi_spec_validator import validate

OPERATIONS = {
    ("post", "/api/v1/orders"): {"200", "201", "400", "401", "403", "409", "413", "422"},
    ("get", "/api/v1/orders"): {"200", "401", "403", "422"},
    ("get", "/api/v1/orders/{number}"): {"200", "401", "403", "404", "422"},
    ("post", "/api/v1/payments/events"): {"200", "400", "401", "403", "404", "409", "413",
                                          "422"},
    ("get", "/api/v1/orders/{number}/refund-eligibility"): {"200", "401", "403", "404", "409",
                                                            "422"},
    ("post", "/api/v1/orders/{number}/refunds"): {"201", "400", "401", "403", "404", "409",
                                                  "413", "422"},
    ("get", "/api/v1/orders/{number}/refunds"): {"200", "401", "403", "404", "422"},
    ("get", "/api/v1/orders/{number}/exchange-quote"): {"200", "401", "403", "404", "422"},
    ("post", "/api/v1/orders/{number}/exchanges"): {"201", "400", "401", "403", "404", "409",
                                                    "413", "422", "503"},
}


@pytest.fixture(scope="module")
def spec():
    r = Client().get("/api/openapi.json")  # no token
    assert r.status_code == 200
    return r.json()


def test_the_document_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    validate(spec)


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_each_operation_declares_its_statuses_with_our_error_shape(spec, method, path):
    operation = spec["paths"][path][method]
    responses = operation["responses"]
    assert set(responses) == OPERATIONS[method, path]
    for status, response in responses.items():
        assert response["description"], status
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, status
    assert operation["summary"] and operation["description"]
    assert operation["security"] == [{"TokenAuth": []}]


def test_error_shape_and_bearer_scheme_are_described(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert all(p.get("description") for p in error["properties"].values())
    scheme = spec["components"]["securitySchemes"]["TokenAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "Bearer" in spec["info"]["description"]


def test_idempotency_key_header_and_bodies_are_documented(spec):
    create = spec["paths"]["/api/v1/orders"]["post"]
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header["required"] and header["description"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderIn"}
    line = spec["components"]["schemas"]["LineIn"]["properties"]["quantity"]
    assert (line["minimum"], line["maximum"]) == (1, 100)
    listing = {p["name"] for p in spec["paths"]["/api/v1/orders"]["get"]["parameters"]}
    assert {"status", "channel", "email", "created_from", "created_to", "cursor",
            "limit"} <= listing


def test_refund_and_exchange_operations_document_their_inputs(spec):
    check = spec["paths"]["/api/v1/orders/{number}/refund-eligibility"]["get"]
    params = {p["name"]: p for p in check["parameters"]}
    assert {"number", "by", "items"} <= set(params)
    assert params["items"]["schema"]["anyOf"][0]["type"] == "array"
    assert params["by"]["schema"]["enum"] == ["customer", "seller"]
    create = spec["paths"]["/api/v1/orders/{number}/refunds"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RefundIn"}
    refund = spec["components"]["schemas"]["RefundOut"]["properties"]
    assert refund["status"]["enum"] == ["requested", "processing", "succeeded", "failed"]
    exchange = spec["paths"]["/api/v1/orders/{number}/exchanges"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in exchange["parameters"])
    assert exchange["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ExchangeIn"}
    for name in ("RefundIn", "RefundOut", "RefundEligibilityOut", "ExchangeIn", "ExchangeOut",
                 "ExchangeQuoteOut"):
        props = spec["components"]["schemas"][name]["properties"]
        assert any(p.get("description") for p in props.values()), name


def test_docs_page_loads_swagger_from_our_static_files(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/api/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr|cdnjs", html)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])


def test_unknown_api_paths_are_not_server_errors(client):
    assert client.get("/api/v1/nothing-here").status_code == 404

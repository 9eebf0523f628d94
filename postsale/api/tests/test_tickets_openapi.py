"""The tickets operations in the OpenAPI document: every status declared with our error
shape, the inputs documented, the enums in step with the models."""

import pytest
from django.test import Client

from postsale.tickets.models import Channel, Resolution, ReturnKind, TicketStatus, TicketType

WRITE = {"400", "401", "403", "404", "409", "413", "422"}
OPERATIONS = {
    ("post", "/api/v1/tickets"): {"201"} | WRITE,
    ("get", "/api/v1/tickets"): {"200", "401", "403", "422"},
    ("get", "/api/v1/tickets/{number}"): {"200", "401", "403", "404", "422"},
    ("post", "/api/v1/tickets/{number}/messages"): {"201"} | WRITE,
    ("post", "/api/v1/tickets/{number}/type"): {"200"} | WRITE,
    ("post", "/api/v1/tickets/{number}/close"): {"200"} | WRITE,
}


@pytest.fixture(scope="module")
def spec():
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


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
    assert operation["tags"] == ["tickets"]


def test_opening_and_replying_take_an_idempotency_key(spec):
    for path in ("/api/v1/tickets", "/api/v1/tickets/{number}/messages"):
        operation = spec["paths"][path]["post"]
        header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
        assert header["in"] == "header" and not header["required"] and header["description"]


def test_a_message_is_json_or_multipart_with_files(spec):
    content = spec["paths"]["/api/v1/tickets/{number}/messages"]["post"]["requestBody"][
        "content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert set(content["application/json"]["schema"]["properties"]) == {
        "body", "side", "internal"}
    files = content["multipart/form-data"]["schema"]["properties"]["attachments"]
    assert files["items"] == {"type": "string", "format": "binary"}


def test_bodies_and_filters_are_documented(spec):
    schemas = spec["components"]["schemas"]
    assert spec["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/TicketIn"}
    listing = {p["name"] for p in spec["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert {"type", "status", "order", "open", "cursor", "limit"} <= listing
    for name in ("TicketIn", "TypeIn", "CloseIn", "ReturnIn", "TicketSummaryOut",
                 "RefundRequestOut", "MessageOut"):
        props = schemas[name]["properties"]
        assert any(p.get("description") for p in props.values()), name


def _enum(schema: dict) -> list:
    """The values of an enum, also when it is nullable (anyOf with null)."""
    if "enum" in schema:
        return schema["enum"]
    return next(s["enum"] for s in schema["anyOf"] if "enum" in s)


def test_the_enums_are_the_models_choices(spec):
    """A new type, status or resolution in the models must reach the API's schemas."""
    summary = spec["components"]["schemas"]["TicketSummaryOut"]["properties"]
    assert _enum(summary["type"]) == TicketType.values
    assert _enum(summary["status"]) == TicketStatus.values
    assert _enum(summary["resolution"]) == Resolution.values
    assert _enum(summary["channel"]) == Channel.values
    kind = spec["components"]["schemas"]["ReturnIn"]["properties"]["kind"]
    assert _enum(kind) == ReturnKind.values

"""The check-in operations in the OpenAPI document: every status declared with our error
shape, the enums in step with the models."""

import pytest
from django.test import Client

from postsale.checkin.models import Method, ScanResult
from postsale.orders.models import EntryStatus
from postsale.sellers.models import Scope
from postsale.sellers.services import api_token_create

OPERATIONS = {
    ("post", "/api/v1/checkins"): {"201", "400", "401", "403", "413", "422"},
    ("post", "/api/v1/checkins/{id}/undo"): {"200", "401", "403", "404", "409", "422"},
    ("post", "/api/v1/checkins/batch"): {"200", "400", "401", "403", "413", "422"},
    ("get", "/api/v1/time-slots/{id}/occupancy"): {"200", "401", "403", "404", "422"},
    ("get", "/api/v1/time-slots/{id}/entries"): {"200", "401", "403", "404", "422", "503"},
}


@pytest.fixture(scope="module")
def spec():
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_each_operation_declares_its_statuses_with_our_error_shape(spec, method, path):
    operation = spec["paths"][path][method]
    assert set(operation["responses"]) == OPERATIONS[method, path]
    for status, response in operation["responses"].items():
        assert response["description"], status
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, status
    assert operation["summary"] and operation["description"]
    assert operation["security"] == [{"TokenAuth": []}]
    assert operation["tags"] == ["check-in"]


def test_the_enums_are_the_models_choices(spec):
    schemas = spec["components"]["schemas"]
    checkin = schemas["CheckInOut"]["properties"]
    assert checkin["result"]["enum"] == ScanResult.values
    assert checkin["method"]["enum"] == Method.values
    assert schemas["SyncEntryOut"]["properties"]["status"]["enum"] == EntryStatus.values
    for name in ("CheckInIn", "OfflineScanIn", "BatchIn", "CheckInOut", "OccupancyOut",
                 "SyncPageOut"):
        assert any(p.get("description") for p in schemas[name]["properties"].values()), name


def test_the_scopes_are_documented_and_given_to_new_tokens(spec, seller):
    assert "`checkins:read`" in spec["info"]["description"]
    token, _ = api_token_create(seller=seller, name="gate")
    assert {"checkins:read", "checkins:write"} <= set(token.scopes) == set(Scope.values)

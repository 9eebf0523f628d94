"""The check-in API over HTTP: scans and their results, nonce replays, undo, offline
uploads from two devices, occupancy, the offline download with its cursor, tenancy,
scopes, and bad input that changes nothing."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from postsale.api.tests.conftest import assert_error, client_for, post
from postsale.checkin.models import CheckIn
from postsale.core import clock
from postsale.orders.models import Entry, EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot

SCAN, BATCH = "/api/v1/checkins", "/api/v1/checkins/batch"


def undo_url(checkin_id) -> str:
    return f"/api/v1/checkins/{checkin_id}/undo"


def occupancy_url(slot) -> str:
    return f"/api/v1/time-slots/{slot.pk}/occupancy"


def entries_url(slot) -> str:
    return f"/api/v1/time-slots/{slot.pk}/entries"


@pytest.fixture
def slot(seller):
    product = make_product(seller, sku="tour", name="City tour", kind=ProductKind.TIMED_ENTRY)
    return make_slot(product, starts_in=timedelta(0), capacity=10)


@pytest.fixture
def entries(seller, slot):
    return list(make_order(seller, slot.product, slot=slot, quantity=3, paid=True)
                .entries.order_by("pk"))


def scan(api, secret, **body):
    return post(api, SCAN, {"secret": secret, **body})


class TestScan:
    def test_ok_then_already_used_with_when_and_where(self, api, entries):
        first = scan(api, entries[0].secret, gate="North gate", device="phone-7")
        assert first.status_code == 201, first.content
        body = first.json()
        assert body["result"] == "ok" and body["headline"] == "OK – let in"
        assert body["entry"]["number"] == entries[0].number
        assert body["entry"]["status"] == "used" and body["entry"]["product"] == "tour"
        assert (body["gate"], body["device"], body["method"]) == ("North gate", "phone-7",
                                                                 "scan")
        assert body["first_use"] is None

        second = scan(api, entries[0].secret, gate="South gate").json()
        assert second["result"] == "already_used"
        assert second["first_use"]["id"] == body["id"]
        assert second["first_use"]["gate"] == "North gate"
        assert second["first_use"]["at"] == body["scanned_at"]
        assert "North gate" in second["message"]

    def test_a_scan_is_a_handful_of_statements(self, api, entries,
                                                django_assert_max_num_queries):
        scan(api, "warm-up")  # the token's "last used" stamp
        # token, entry, (advisory lock), mark used, check-in, audit, savepoint × 2
        with django_assert_max_num_queries(8):
            assert scan(api, entries[0].secret).json()["result"] == "ok"
        with django_assert_max_num_queries(6):  # + the first use, for "when and where"
            assert scan(api, entries[0].secret).json()["result"] == "already_used"

    def test_a_repeat_with_the_nonce_replays_without_scanning_again(self, api, entries):
        first = scan(api, entries[0].secret, nonce="9b7c-0001")
        again = scan(api, entries[0].secret, nonce="9b7c-0001")
        assert again.status_code == 201 and again.json() == first.json()
        assert CheckIn.objects.count() == 1

    def test_a_nonce_reused_for_another_code_is_422_and_stores_nothing(self, api, entries):
        scan(api, entries[0].secret, nonce="n-1")
        r = scan(api, entries[1].secret, nonce="n-1")
        assert_error(r, 422, "nonce_reused", "nonce")
        assert CheckIn.objects.count() == 1
        assert Entry.objects.get(pk=entries[1].pk).status == EntryStatus.VALID

    def test_unknown_codes_are_recorded_not_errors(self, api, entries):
        body = scan(api, "QR-of-another-venue").json()
        assert body["result"] == "unknown" and body["entry"] is None
        assert CheckIn.objects.get().code == "QR-of-another-venue"

    def test_not_paid_and_wrong_gate(self, api, seller, slot, entries):
        unpaid = make_order(seller, slot.product, slot=slot, quantity=1).entries.get()
        assert scan(api, unpaid.secret).json()["result"] == "not_paid"
        other = make_slot(slot.product, starts_in=timedelta(days=1))
        body = scan(api, entries[0].secret, time_slot=other.pk).json()
        assert body["result"] == "wrong_time_slot"
        assert Entry.objects.get(pk=entries[0].pk).status == EntryStatus.VALID

    @pytest.mark.parametrize("body, field", [
        ({}, "secret"),
        ({"secret": ""}, "secret"),
        ({"secret": "abc\x00def"}, "secret"),
        ({"secret": "abc", "nonce": "x" * 65}, "nonce"),
        ({"secret": "abc", "time_slot": 0}, "time_slot"),
        ({"secret": "abc", "gate": "g" * 101}, "gate"),
        ({"secret": ["abc"]}, "secret"),
    ])
    def test_bad_input_is_422_and_records_nothing(self, api, entries, body, field):
        assert_error(post(api, SCAN, body), 422, "invalid", field)
        assert not CheckIn.objects.exists()

    def test_a_body_that_is_not_json_is_400(self, api, entries):
        assert_error(post(api, SCAN, "{not json"), 400, "malformed")
        assert not CheckIn.objects.exists()


class TestUndo:
    def test_undo_makes_the_entry_valid_again(self, api, entries):
        checkin = scan(api, entries[0].secret).json()
        r = post(api, undo_url(checkin["id"]), {})
        assert r.status_code == 200, r.content
        assert r.json()["undone_at"] and r.json()["entry"]["status"] == "valid"
        assert post(api, undo_url(checkin["id"]), {}).status_code == 200  # twice: the same
        assert scan(api, entries[0].secret).json()["result"] == "ok"

    def test_only_ok_can_be_undone_and_unknown_ids_are_404(self, api, entries):
        scan(api, entries[0].secret)
        duplicate = scan(api, entries[0].secret).json()
        assert_error(post(api, undo_url(duplicate["id"]), {}), 409, "not_undoable")
        assert_error(post(api, undo_url(10**12), {}), 404, "checkin_not_found")
        assert_error(post(api, undo_url(2**63), {}), 422)
        assert Entry.objects.get(pk=entries[0].pk).status == EntryStatus.USED


class TestBatch:
    def offline(self, entry, nonce, seconds):
        at = clock.now() - timedelta(minutes=10) + timedelta(seconds=seconds)
        return {"secret": entry.secret, "nonce": nonce, "scanned_at": at.isoformat()}

    @pytest.mark.parametrize("first", ["A", "B"])
    def test_two_devices_overlapping_end_the_same_whoever_uploads_first(self, seller,
                                                                        entries, first):
        e1, e2, _ = entries
        uploads = {
            "A": {"device": "phone-A", "gate": "North",
                  "scans": [self.offline(e1, "A1", 5), self.offline(e2, "A2", 10)]},
            "B": {"device": "phone-B", "gate": "South",
                  "scans": [self.offline(e1, "B1", 3), self.offline(e2, "B2", 30)]}}
        order = [first, "B" if first == "A" else "A"]
        answers = {}
        for device in order:
            r = post(client_for(seller), BATCH, uploads[device])
            assert r.status_code == 200, r.content
            answers[device] = [i["result"] for i in r.json()["items"]]
        results = dict(CheckIn.objects.values_list("nonce", "result"))
        assert results == {"A1": "already_used", "B1": "ok", "A2": "ok", "B2": "already_used"}
        # The device uploading second already hears the final outcome of its scans.
        assert answers[order[1]] == ([results["A1"], results["A2"]] if order[1] == "A"
                                     else [results["B1"], results["B2"]])

    def test_bad_uploads_are_422_and_store_nothing(self, api, entries):
        good = self.offline(entries[0], "A1", 1)
        for body, field in [
            ({"scans": []}, "scans"),
            ({"scans": [good] * 501}, "scans"),
            ({"scans": [{**good, "scanned_at": "yesterday"}]}, "scans[0].scanned_at"),
            ({"scans": [{**good, "nonce": ""}]}, "scans[0].nonce"),
            ({"scans": [good, {**self.offline(entries[1], "A1", 2)}]}, "scans[1].nonce"),
        ]:
            assert_error(post(api, BATCH, body), 422, field=field)
        assert not CheckIn.objects.exists()


class TestOccupancyAndDownload:
    def test_occupancy_counts(self, api, seller, slot, entries):
        make_order(seller, slot.product, slot=slot, quantity=2)  # awaiting payment
        scan(api, entries[0].secret)
        r = api.get(occupancy_url(slot))
        assert r.status_code == 200, r.content
        assert r.json() == {
            "time_slot": {"id": slot.pk, "product": "tour", "product_name": "City tour",
                          "starts_at": r.json()["time_slot"]["starts_at"],
                          "ends_at": r.json()["time_slot"]["ends_at"]},
            "capacity": 10, "sold": 3, "used": 1, "valid": 2, "pending": 2, "void": 0,
            "left": 5}

    def test_a_days_slots_with_their_occupancy(self, api, other_api, seller, slot, entries):
        tomorrow = make_slot(slot.product, starts_in=timedelta(days=1))
        scan(api, entries[0].secret)
        today = api.get("/api/v1/time-slots")
        assert today.status_code == 200, today.content
        body = today.json()
        assert body["date"] == clock.now().astimezone(ZoneInfo(seller.time_zone)).date(
            ).isoformat()
        assert [(i["time_slot"]["id"], i["sold"], i["used"]) for i in body["items"]] == [
            (slot.pk, 3, 1)]
        day = tomorrow.starts_at.astimezone(ZoneInfo(seller.time_zone)).date().isoformat()
        assert [i["time_slot"]["id"] for i in
                api.get("/api/v1/time-slots", {"date": day}).json()["items"]] == [tomorrow.pk]
        assert_error(api.get("/api/v1/time-slots", {"date": "tomorrow"}), 422, field="date")
        assert other_api.get("/api/v1/time-slots").json()["items"] == []
        assert_error(client_for(seller, ["checkins:write"]).get("/api/v1/time-slots"), 403,
                     "missing_scope")

    def test_the_download_then_only_the_changes(self, api, seller, slot, entries):
        other = make_slot(slot.product, starts_in=timedelta(days=1))
        make_order(seller, slot.product, slot=other, quantity=2, paid=True)
        full = api.get(entries_url(slot)).json()
        assert {i["number"]: i["secret"] for i in full["items"]} == {
            e.number: e.secret for e in entries}
        assert full["more"] is False

        assert api.get(entries_url(slot), {"cursor": full["cursor"]}).json()["items"] == []
        scan(api, entries[1].secret)
        changes = api.get(entries_url(slot), {"cursor": full["cursor"]}).json()
        assert [(i["number"], i["status"]) for i in changes["items"]] == [
            (entries[1].number, "used")]

    def test_pages_and_bad_parameters(self, api, slot, entries):
        first = api.get(entries_url(slot), {"limit": 2}).json()
        assert len(first["items"]) == 2 and first["more"] is True
        rest = api.get(entries_url(slot), {"limit": 2, "cursor": first["cursor"]}).json()
        assert len(rest["items"]) == 1 and rest["more"] is False
        assert_error(api.get(entries_url(slot), {"cursor": "garbage"}), 422, "invalid",
                     "cursor")
        assert_error(api.get(entries_url(slot), {"limit": 0}), 422, "invalid", "limit")
        assert_error(api.get("/api/v1/time-slots/0/entries"), 422)


class TestTenancyAndScopes:
    def test_another_seller_sees_and_touches_nothing(self, api, other_api, slot, entries):
        checkin = scan(api, entries[0].secret).json()
        assert scan(other_api, entries[1].secret).json()["result"] == "unknown"
        assert_error(post(other_api, undo_url(checkin["id"]), {}), 404, "checkin_not_found")
        assert_error(other_api.get(occupancy_url(slot)), 404, "time_slot_not_found")
        assert_error(other_api.get(entries_url(slot)), 404, "time_slot_not_found")
        r = post(other_api, BATCH, {"scans": [{"secret": entries[2].secret, "nonce": "x",
                                               "scanned_at": clock.now().isoformat()}]})
        assert r.json()["items"][0]["result"] == "unknown"
        assert list(Entry.objects.filter(pk__in=[e.pk for e in entries])
                    .values_list("status", flat=True)) == ["used", "valid", "valid"]

    def test_each_operation_needs_its_scope(self, seller, slot, entries):
        reader = client_for(seller, ["checkins:read"])
        writer = client_for(seller, ["checkins:write"])
        orders_only = client_for(seller, ["orders:read", "orders:write"])
        for client in (reader, orders_only):
            assert_error(scan(client, entries[0].secret), 403, "missing_scope")
            assert_error(post(client, BATCH, {"scans": [
                {"secret": "x", "nonce": "n", "scanned_at": clock.now().isoformat()}]}),
                403, "missing_scope")
            assert_error(post(client, undo_url(1), {}), 403, "missing_scope")
        for client in (writer, orders_only):
            assert_error(client.get(occupancy_url(slot)), 403, "missing_scope")
            assert_error(client.get(entries_url(slot)), 403, "missing_scope")
        assert not CheckIn.objects.exists()
        assert reader.get(occupancy_url(slot)).status_code == 200
        assert scan(writer, entries[0].secret).status_code == 201

    def test_without_a_token_it_is_401(self, client, slot):
        assert_error(post(client, SCAN, {"secret": "x"}), 401, "unauthorized")
        assert_error(client.get(occupancy_url(slot)), 401, "unauthorized")

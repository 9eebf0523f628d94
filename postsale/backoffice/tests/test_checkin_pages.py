"""Door-staff pages: the scanner (secret, typed numbers, errors), the slots and a slot's
list with marking, the order page's mark used / unused, who may do what, and tenancy."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from postsale.checkin.models import CheckIn, Method, ScanResult
from postsale.core.models import AuditEvent
from postsale.orders.models import Entry, EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

SCANNER = reverse("backoffice:checkin")
SLOTS = reverse("backoffice:checkin_slots")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def slot(seller):
    product = make_product(seller, sku="tour", name="City tour", kind=ProductKind.TIMED_ENTRY)
    return make_slot(product, starts_in=timedelta(0), capacity=20)


@pytest.fixture
def order(seller, slot):
    return make_order(seller, slot.product, slot=slot, quantity=2, paid=True,
                      email="jan.nowak@example.com")


@pytest.fixture
def entry(order):
    return order.entries.order_by("pk").first()


@pytest.fixture
def door(seller, client_for):
    return client_for(make_member(seller, role=Role.DOOR, username="dora").user)


@pytest.fixture
def viewer(seller, client_for):
    return client_for(make_member(seller, role=Role.VIEWER, username="vic").user)


def use_url(entry):
    return reverse("backoffice:entry_use", args=[entry.number])


def unuse_url(entry):
    return reverse("backoffice:entry_unuse", args=[entry.number])


def slot_url(slot):
    return reverse("backoffice:checkin_slot", args=[slot.pk])


class TestScanner:
    def test_door_staff_scan_a_code_then_see_it_already_used_with_the_time(self, door, entry):
        page = door.get(SCANNER)
        assert page.status_code == 200 and 'name="code"' in page.text
        first = door.post(SCANNER, {"code": entry.secret, "gate": "North"}, headers=HTMX)
        assert first.status_code == 200
        assert 'data-result="ok"' in first.text and "OK – let in" in first.text
        second = door.post(SCANNER, {"code": entry.secret, "gate": "North"}, headers=HTMX)
        assert 'data-result="already_used"' in second.text
        use = CheckIn.objects.get(result=ScanResult.OK)
        assert use.gate == "North" and use.user.username == "dora"
        local = use.scanned_at.astimezone(ZoneInfo(entry.seller.time_zone))
        assert local.strftime("%H:%M:%S") in second.text

    def test_without_javascript_the_whole_page_comes_back_with_the_result(self, door, entry):
        page = door.post(SCANNER, {"code": entry.secret})
        assert page.status_code == 200
        assert "<html" in page.text and 'data-result="ok"' in page.text

    def test_the_gate_and_slot_are_remembered(self, door, entry, slot):
        door.post(SCANNER, {"code": "nothing", "gate": "South", "time_slot": slot.pk})
        page = door.get(SCANNER).text
        assert 'value="South"' in page
        assert f'<option value="{slot.pk}" selected>' in page

    def test_an_empty_code_says_what_to_do(self, door):
        page = door.post(SCANNER, {"code": "  "})
        assert page.status_code == 422 and "Scan a QR code or type" in page.text
        fragment = door.post(SCANNER, {"code": ""}, headers=HTMX)
        assert fragment.status_code == 200 and "Scan a QR code or type" in fragment.text
        assert not CheckIn.objects.exists()

    def test_an_entry_number_finds_the_entry_and_lets_in_only_by_button(self, door, entry,
                                                                        order):
        found = door.post(SCANNER, {"code": entry.number.lower()}, headers=HTMX)
        assert entry.number in found.text and "Let in" in found.text
        assert not CheckIn.objects.exists()
        by_order = door.post(SCANNER, {"code": order.number}, headers=HTMX).text
        assert all(e.number in by_order for e in order.entries.all())
        let_in = door.post(use_url(entry), headers=HTMX)
        assert 'data-result="ok"' in let_in.text
        assert CheckIn.objects.get().method == Method.MANUAL

    def test_an_unknown_number_is_nothing_found(self, door, entry):
        page = door.post(SCANNER, {"code": "TID-NOTHING1"})
        assert page.status_code == 404 and "Nothing found" in page.text

    def test_undo_right_after_a_check_in(self, door, entry):
        door.post(SCANNER, {"code": entry.secret}, headers=HTMX)
        checkin = CheckIn.objects.get()
        undone = door.post(reverse("backoffice:checkin_undo", args=[checkin.pk]), headers=HTMX)
        assert "Check-in undone" in undone.text
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID
        assert AuditEvent.objects.filter(action="entry.checkin_undone").count() == 1


class TestSlots:
    def test_the_days_slots_with_their_counts(self, viewer, order, slot, entry, door):
        door.post(SCANNER, {"code": entry.secret})
        page = viewer.get(SLOTS)
        assert page.status_code == 200 and "City tour" in page.text
        assert slot_url(slot) in page.text
        assert viewer.get(SLOTS, {"date": "not-a-date"}).status_code == 200
        assert "No time slots" in viewer.get(SLOTS, {"date": "2001-01-01"}).text

    def test_a_slots_list_marks_entries_used_and_unused(self, door, slot, order, entry):
        page = door.get(slot_url(slot))
        assert page.status_code == 200 and "Mark used" in page.text
        assert "Anna Kowalska" in page.text  # the order's customer
        back = door.post(use_url(entry), {"next": slot_url(slot)})
        assert back.status_code == 302 and back["Location"] == slot_url(slot)
        entry.refresh_from_db()
        assert entry.status == EntryStatus.USED
        assert "Mark unused" in door.get(slot_url(slot)).text
        door.post(unuse_url(entry), {"next": slot_url(slot)})
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID

    def test_the_list_finds_by_number_and_filters_by_status(self, door, slot, order, entry):
        other = order.entries.exclude(pk=entry.pk).get()
        found = door.get(slot_url(slot), {"q": entry.number}).text
        assert entry.number in found and other.number not in found
        door.post(use_url(entry))
        used = door.get(slot_url(slot), {"status": "used"}).text
        assert entry.number in used and other.number not in used

    def test_viewers_read_but_cannot_mark(self, viewer, slot, entry):
        page = viewer.get(slot_url(slot))
        assert page.status_code == 200 and "Mark used" not in page.text
        assert viewer.get(SCANNER).status_code == 403
        assert viewer.post(use_url(entry)).status_code == 403
        assert viewer.post(unuse_url(entry)).status_code == 403
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID and not CheckIn.objects.exists()


class TestOrderPage:
    def test_agents_mark_an_entry_used_and_unused_from_the_order_page(self, agent_client,
                                                                      order, entry):
        url = reverse("backoffice:order", args=[order.number])
        assert "Mark used" in agent_client.get(url).text
        back = agent_client.post(use_url(entry), {"next": url}, follow=True)
        assert back.redirect_chain[-1][0] == url and "OK – let in" in back.text
        assert "entry.checked_in" in back.text  # the order's history shows it
        back = agent_client.post(unuse_url(entry), {"next": url}, follow=True)
        assert "is valid again" in back.text
        entry.refresh_from_db()
        assert entry.status == EntryStatus.VALID

    def test_marking_a_not_used_entry_unused_says_why(self, agent_client, order, entry):
        url = reverse("backoffice:order", args=[order.number])
        page = agent_client.post(unuse_url(entry), {"next": url}, follow=True)
        assert "not used; there is nothing to take back" in page.text

    def test_viewers_see_no_marking_on_the_order_page_and_door_staff_no_order_page(
            self, door, viewer, order):
        url = reverse("backoffice:order", args=[order.number])
        page = viewer.get(url)
        assert page.status_code == 200 and "Mark used" not in page.text
        assert door.get(url).status_code == 403  # search and check-in only

    def test_numbers_with_control_characters_are_not_found(self, door, slot, entry):
        assert door.post("/backoffice/checkin/entries/TID-%00X/use/").status_code == 404
        assert door.post("/backoffice/checkin/entries/TID-%00X/unuse/").status_code == 404
        assert door.get(slot_url(slot), {"q": "TID-\x00"}).status_code == 200
        assert not CheckIn.objects.exists()

    def test_next_never_leaves_the_site(self, agent_client, entry):
        back = agent_client.post(use_url(entry), {"next": "https://evil.example/"})
        assert back["Location"] == SCANNER


class TestTenancy:
    def test_another_sellers_entries_slots_and_check_ins_are_404(self, door, seller,
                                                               other_seller, client_for):
        product = make_product(other_seller, kind=ProductKind.TIMED_ENTRY)
        slot = make_slot(product, starts_in=timedelta(0))
        theirs = make_order(other_seller, product, slot=slot, quantity=1,
                            paid=True).entries.get()
        assert door.post(use_url(theirs)).status_code == 404
        assert door.post(unuse_url(theirs)).status_code == 404
        assert door.get(slot_url(slot)).status_code == 404
        their_door = client_for(make_member(other_seller, role=Role.DOOR).user)
        their_door.post(SCANNER, {"code": theirs.secret})
        checkin = CheckIn.objects.get()
        assert door.post(reverse("backoffice:checkin_undo", args=[checkin.pk])).status_code == 404
        # Scanning their code here is an unknown code, and changes nothing there.
        page = door.post(SCANNER, {"code": theirs.secret}, headers=HTMX)
        assert 'data-result="unknown"' in page.text
        assert Entry.objects.get(pk=theirs.pk).status == EntryStatus.USED
        assert door.post(SCANNER, {"code": theirs.number}).status_code == 404

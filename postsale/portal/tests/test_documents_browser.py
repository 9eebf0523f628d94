"""The customer's documents in a real browser at phone size: the QR codes on the order
page, the entries PDF and a Wallet pass downloaded, a digital product downloaded through
its time-limited link, and the same page right to left in Hebrew."""


import pytest
from django.core.files.base import ContentFile

from postsale.core.tests.browser import ARTIFACTS
from postsale.orders.models import ProductKind
from postsale.orders.tests.documents_helpers import pdf_text, pkpass_files
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.wallet import wallet_pass_configure_dev

from .conftest import order_link

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def order(live_server, seller):
    """Committed data the live server can see: two museum entries and an audio guide."""
    wallet_pass_configure_dev(seller=seller)
    museum = make_product(seller, name="Museum entry", kind=ProductKind.OPEN_ENTRY,
                          price=4500)
    order = make_order(seller, museum, quantity=2, paid=True)
    return order


@pytest.fixture
def guide_order(live_server, seller):
    guide = make_product(seller, sku="audio-guide", name="Audio guide",
                         kind=ProductKind.DIGITAL, price=1500)
    guide.download_file.save("audio-guide.mp3", ContentFile(b"ID3 a short guide"))
    return make_order(seller, guide, quantity=1, paid=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_customer_sees_qr_codes_and_downloads_the_entries_pdf_and_a_pass(page, live_server,
                                                                         order, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    section = page.locator("#entries")
    section.get_by_role("heading", name="Your entries").wait_for()
    numbers = list(order.entries.order_by("id").values_list("number", flat=True))
    codes = section.get_by_role("img", name="QR code of entry")
    assert codes.count() == 2
    for number in numbers:
        code = section.get_by_role("img", name=f"QR code of entry {number}")
        assert code.bounding_box()["width"] >= 150  # large enough to scan
    assert fits_the_screen(page)
    section.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "portal-entries-phone.png", full_page=True)

    with page.expect_download() as caught:
        section.get_by_role("link", name="Download all entries (PDF)").click()
    download = caught.value
    assert download.suggested_filename == f"entries-{order.number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = pdf_text(saved.read_bytes())
    assert all(number in text for number in numbers) and "Anna Kowalska" in text

    with page.expect_download() as caught:
        section.get_by_role("link", name=f"Add to Apple Wallet {numbers[1]}").click()
    download = caught.value
    assert download.suggested_filename == f"{numbers[1]}.pkpass"
    download.save_as(tmp_path / "entry.pkpass")
    assert b'"serialNumber": "' + numbers[1].encode() in pkpass_files(
        (tmp_path / "entry.pkpass").read_bytes())["pass.json"]


def test_customer_downloads_a_digital_product(page, live_server, guide_order, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(guide_order))
    documents = page.locator("#documents")
    assert "A download link works for 24 hours" in documents.inner_text()
    with page.expect_download() as caught:
        documents.get_by_role("link", name="Download Audio guide").click()
    download = caught.value
    assert download.suggested_filename == "audio-guide.mp3"
    assert "/o/dl/" in download.url
    download.save_as(tmp_path / "guide.mp3")
    assert (tmp_path / "guide.mp3").read_bytes() == b"ID3 a short guide"
    with page.expect_download() as caught:
        documents.get_by_role("link", name="Invoice (PDF)").click()
    assert caught.value.suggested_filename.startswith("invoice-INV-")
    assert fits_the_screen(page)
    page.screenshot(path=ARTIFACTS / "portal-downloads-phone.png", full_page=True)


def test_the_entries_in_hebrew_are_right_to_left(page, live_server, order):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + order_link(order))
    page.get_by_label("Language").select_option("he")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    section = page.locator("#entries")
    assert section.locator(".entry-card__qr svg").count() == 2
    # The code sits at the right-hand (start) edge of its card in a right-to-left page.
    card = section.locator(".entry-card").first.bounding_box()
    code = section.locator(".entry-card__qr").first.bounding_box()
    assert code["x"] + code["width"] > card["x"] + card["width"] - 30
    assert fits_the_screen(page)
    section.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "portal-entries-he-phone.png", full_page=True)

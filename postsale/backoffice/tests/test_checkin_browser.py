"""The scanner page in a real browser on a phone-sized screen: door staff log in, type a
code, see OK, type it again and see "already used" with the time; and the camera path,
with Chromium's fake camera showing an entry's QR code."""

import io
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from postsale.checkin.models import CheckIn, ScanResult
from postsale.core.tests.browser import ARTIFACTS, CHROMIUM
from postsale.orders.models import EntryStatus, ProductKind
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def gate(live_server, seller):
    """Committed data the live server can see: a door-staff login and a paid order of two
    entries for a tour running now."""
    make_member(seller, role=Role.DOOR, username="dora", password="pw")
    tour = make_product(seller, name="City tour", kind=ProductKind.TIMED_ENTRY, price=2500)
    slot = make_slot(tour, starts_in=timedelta(0))
    return make_order(seller, tour, slot=slot, quantity=2, paid=True)


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/backoffice/checkin/")
    assert "/backoffice/login/" in page.url
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/backoffice/checkin/$"))


def test_door_staff_type_a_code_see_ok_then_already_used_with_the_time(page, live_server,
                                                                       gate):
    entry = gate.entries.order_by("pk").first()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    page.evaluate("window.__notReloaded = true")

    code = page.get_by_label("Code or entry number")
    expect(code).to_be_focused()
    code.fill(entry.secret)
    code.press("Enter")
    result = page.locator("#scan-result .scan")
    expect(result).to_have_attribute("data-result", "ok")
    expect(result).to_contain_text("OK – let in")
    expect(result).to_contain_text(entry.number)
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped the result in
    expect(code).to_have_value("")  # ready for the next one
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=ARTIFACTS / "checkin-phone-ok.png", full_page=True)

    code.fill(entry.secret)
    page.get_by_role("button", name="Check").click()
    expect(result).to_have_attribute("data-result", "already_used")
    expect(result).to_contain_text("Already used")
    use = CheckIn.objects.get(result=ScanResult.OK)
    at = use.scanned_at.astimezone(ZoneInfo(gate.seller.time_zone))
    expect(result.locator(".scan__when")).to_contain_text(at.strftime("%H:%M:%S"))
    # Unmistakable: the two results have different, strong background colours.
    background = result.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(164, 22, 26)"
    page.screenshot(path=ARTIFACTS / "checkin-phone-already-used.png", full_page=True)
    assert CheckIn.objects.count() == 2

    # The occupancy of today's slot, and taking the use back from its list.
    page.get_by_role("link", name="Today's time slots").click()
    page.get_by_role("link", name=re.compile("City tour")).click()
    expect(page.locator(".occupancy__item--used dd")).to_have_text("1")
    page.screenshot(path=ARTIFACTS / "checkin-phone-slot.png", full_page=True)
    page.get_by_role("button", name=f"Mark unused {entry.number}").click()
    expect(page.locator(".message--success")).to_contain_text("is valid again")
    expect(page.locator(".occupancy__item--used dd")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _fake_camera_video(text: str, path: Path) -> None:
    """A Y4M clip (what Chromium's fake camera plays) showing the QR code of `text`."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=10, border=4)
    qr = Image.open(png).convert("L")
    qr.thumbnail((420, 420))
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    y = frame.tobytes()
    chroma = bytes([128]) * (320 * 240)  # grey: no colour
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + y + chroma + chroma)


def test_the_camera_reads_an_entrys_qr_code(playwright, live_server, gate, tmp_path):
    entry = gate.entries.order_by("pk").last()
    video = tmp_path / "qr.y4m"
    _fake_camera_video(entry.secret, video)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(viewport=PHONE, permissions=["camera"])
        page = context.new_page()
        log_in(page, live_server)
        page.get_by_role("button", name="Scan with the camera").click()
        result = page.locator("#scan-result .scan")
        expect(result).to_have_attribute("data-result", "ok", timeout=15000)
        expect(result).to_contain_text(entry.number)
        expect(page.locator("#camera-video")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "checkin-phone-camera.png", full_page=True)
        # The code stays in front of the camera: it is sent once, not once per frame.
        page.wait_for_timeout(1500)
        assert CheckIn.objects.filter(entry=entry).count() == 1
        page.get_by_role("button", name="Stop the camera").click()
        expect(page.locator("#camera-video")).to_be_hidden()
    finally:
        browser.close()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.USED

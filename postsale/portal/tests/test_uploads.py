"""Files the customer sends from the portal — a ticket reply, the return form on the order
page, the return form reached from a sales channel's link: too large, of a wrong type, an
image that does not decode, SVG with script (as .svg, or disguised as text) are refused
with a message naming the file, and nothing is stored (no rows, no files)."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from postsale.orders.links import return_form_token
from postsale.orders.models import ProductKind
from postsale.orders.tests.factories import make_order, make_product
from postsale.tickets.models import Attachment, Message, ReturnKind, Ticket
from postsale.tickets.tests.factories import open_ticket

from .conftest import order_link, ticket_link

pytestmark = pytest.mark.django_db
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
BAD_FILES = [
    ("big.txt", b"a" * 2048, "big.txt is too large"),
    ("setup.exe", b"MZ\x90\x00binary", "setup.exe cannot be attached"),
    ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "photo.jpg is not a readable image"),
    ("truncated.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "truncated.png is not a readable"),
    ("logo.svg", SVG, "logo.svg cannot be attached"),
    ("logo.png", SVG, "logo.png is not a readable image"),
    ("notes.txt", b"\xef\xbb\xbf" + SVG, "notes.txt cannot be attached"),
    ("notes2.txt", b"Hello,\nsee below.\n<script>alert(1)</script>", "notes2.txt cannot be"),
    ("page.html", b"<html><body>hi</body></html>", "page.html cannot be attached"),
]


def stored_files(path: str = "attachments") -> int:
    """Files under `path` in the storage, at any depth (attachments/<year>/<month>/…)."""
    try:
        dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return 0
    return len(files) + sum(stored_files(f"{path}/{d}") for d in dirs)


def test_stored_files_counts_what_a_good_upload_stores(client, goods):
    from .test_open_ticket import png_bytes

    before = stored_files()
    response = client.post(order_link(goods), return_data(goods) | {
        "attachments": [SimpleUploadedFile("ok.png", png_bytes(), "image/png")]})
    assert response.status_code == 302
    assert stored_files() == before + 1


@pytest.fixture
def goods(seller):
    product = make_product(seller, name="Kettle", kind=ProductKind.GOODS, price=12000)
    return make_order(seller, product, quantity=1, paid=True)


def return_data(order) -> dict:
    return {"type": "return", "return_kind": ReturnKind.WARRANTY,
            f"line-{order.lines.get().pk}": "1", "body": "Broken."}


@override_settings(POSTSALE_ATTACHMENT_MAX_BYTES=1024)
@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
@pytest.mark.parametrize("where", ["reply", "order_page_return", "channel_return"])
def test_bad_files_are_refused_and_nothing_is_stored(client, goods, where, name, data,
                                                     message):
    ticket = open_ticket(goods) if where == "reply" else None
    messages_before, files_before = Message.objects.count(), stored_files()
    upload = SimpleUploadedFile(name, data, "image/png")
    if where == "reply":
        response = client.post(ticket_link(goods, ticket.number) + "reply/",
                               {"body": "Here.", "attachments": [upload]})
    elif where == "order_page_return":
        response = client.post(order_link(goods),
                               return_data(goods) | {"attachments": [upload]})
    else:
        response = client.post(f"/r/acme/{return_form_token(goods)}/",
                               return_data(goods) | {"attachments": [upload]})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "Nothing was sent." in html
    assert Message.objects.count() == messages_before
    assert not Attachment.objects.exists() and stored_files() == files_before
    assert Ticket.objects.count() == (1 if ticket else 0)


def test_one_bad_file_among_good_ones_stores_none_of_them(client, goods):
    from .test_open_ticket import png_bytes

    before = stored_files()
    files = [SimpleUploadedFile("ok.png", png_bytes(), "image/png"),
             SimpleUploadedFile("logo.svg", SVG, "image/svg+xml")]
    response = client.post(order_link(goods), return_data(goods) | {"attachments": files})
    assert response.status_code == 422
    assert not Ticket.objects.exists() and stored_files() == before


@override_settings(POSTSALE_ATTACHMENT_MAX_FILES=2)
def test_too_many_files_are_refused(client, goods):
    files = [SimpleUploadedFile(f"n{i}.txt", b"note", "text/plain") for i in range(3)]
    response = client.post(order_link(goods), return_data(goods) | {"attachments": files})
    assert response.status_code == 422
    assert "Attach at most 2 files." in response.content.decode()
    assert not Ticket.objects.exists()
